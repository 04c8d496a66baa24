// modelserve dashboard: ES modules, no framework; charts by uPlot (from the head's jar).
// Views: #/ (overview), #/deployment/<name>, #/node/<id>, #/events, #/config. Polled every 2 s.
import { overview } from './views/overview.js';
import { deployment } from './views/deployment.js';
import { nodePage } from './views/node.js';
import { eventsPage } from './views/events.js';
import { config } from './views/config.js';

const POLL_MS = 2000;
const view = document.getElementById('view');
const live = document.getElementById('live');
let timer = null;
let generation = 0; // bumps on every navigation, so a late answer never paints an old view
const current = () => generation;

function markLive(ok, text) {
  live.textContent = ok ? 'live · updated ' + new Date().toLocaleTimeString() : text;
  live.className = ok ? 'live' : 'live down';
}

function route() {
  const hash = (location.hash || '#/').split('?')[0];
  if (hash.startsWith('#/deployment/')) return { name: 'deployment', arg: decodeURIComponent(hash.slice(13)) };
  if (hash.startsWith('#/node/')) return { name: 'node', arg: decodeURIComponent(hash.slice(7)) };
  if (hash === '#/config') return { name: 'config' };
  if (hash === '#/events') return { name: 'events' };
  return { name: 'overview' };
}

async function refresh(firstPaint) {
  const gen = generation;
  const r = route();
  if (firstPaint) view.replaceChildren();
  for (const [id, names] of [['nav-overview', ['overview', 'deployment', 'node']], ['nav-events', ['events']], ['nav-config', ['config']]]) {
    document.getElementById(id).classList.toggle('active', names.includes(r.name));
  }
  try {
    if (r.name === 'deployment') await deployment(view, gen, current, r.arg);
    else if (r.name === 'node') await nodePage(view, gen, current, r.arg);
    else if (r.name === 'events') await eventsPage(view, gen, current);
    else if (r.name === 'config') await config(view, gen, current);
    else await overview(view, gen, current);
    if (gen === generation) markLive(true);
  } catch (e) {
    if (gen === generation) markLive(false, 'head unreachable: ' + e.message);
  }
}

/** Polls the current view every 2 s; a navigation starts a new loop and the old one stops. */
function schedule() {
  const gen = generation;
  timer = setTimeout(async () => {
    if (gen !== generation) return;
    await refresh(false);
    if (gen === generation) schedule();
  }, POLL_MS);
}

window.addEventListener('hashchange', async () => {
  generation++;
  clearTimeout(timer);
  const gen = generation;
  await refresh(true);
  if (gen === generation) schedule();
});

refresh(true).then(schedule);
