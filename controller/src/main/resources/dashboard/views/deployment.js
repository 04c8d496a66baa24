// #/deployment/<name>: its health as the head judged it, its traffic, replicas with their load,
// its events, its request log, and its replicas' logs (searched, followed, downloadable).
import { el, fill, badge, duration, percent } from '../dom.js';
import { trafficCharts, updateTrafficCharts } from '../charts.js';
import { eventTable } from './events.js';
import { requestsSection, refreshRequests } from './requests.js';
import { autoscaleNote } from './overview.js';
import * as api from '../api.js';

const FOLLOW_KEEP = 1000; // lines kept per replica while following

let logs = { name: null, key: null, offsets: {}, lines: {}, meta: {} };

export async function deployment(view, gen, current, name) {
  const [report, traffic, events] = await Promise.all([api.status(), api.traffic(name), api.events({ deployment: name, limit: 50 })]);
  if (gen !== current()) return;
  if (!document.getElementById('chart-throughput') || logs.name !== name) {
    logs = { name, key: null, offsets: {}, lines: {}, meta: {} };
    fill(view,
      el('h2', { id: 'deployment-title' }, 'Deployment ', name),
      el('div', { class: 'card summary', id: 'deployment-summary' }),
      trafficCharts('chart-'),
      el('h2', {}, 'Replicas'), el('table', { id: 'replicas' }),
      el('h2', {}, 'Events'), el('div', { id: 'deployment-events-box' }),
      el('h2', {}, 'Requests'), requestsSection(name),
      el('h2', {}, 'Logs'), logForm(name), el('div', { id: 'logs' }));
  }
  const spec = report.deployments.find(d => d.name === name);
  const summary = document.getElementById('deployment-summary');
  if (!spec) {
    fill(summary, el('span', { class: 'error' }, 'no deployment ' + name + ' in the applied conf.ini'));
  } else {
    const h = spec.health;
    fill(summary,
      el('span', { id: 'deployment-state', 'data-state': h.state }, badge(h.state)),
      el('span', {}, spec.methods.join(',') + ' ' + spec.route),
      el('span', {}, 'ready ' + spec.ready + ' / ' + spec.desired, autoscaleNote(report, name)),
      el('span', {}, 'version ' + spec.version), el('span', {}, '5xx (30 s) ', el('b', { id: 'deployment-error-rate' }, percent(h.errorRate))),
      el('span', { class: 'muted' }, spec.backend),
      autoscaleDetail(report, name),
      el('div', { id: h.state === 'HEALTHY' ? 'deployment-reason' : 'deployment-error', class: h.state === 'HEALTHY' ? 'muted' : 'error' },
        h.reason));
  }
  updateTrafficCharts('chart-', (traffic.deployments || {})[name] || [], traffic.now);
  const load = {};
  for (const l of traffic.replicaLoad || []) load[l.replica] = l;
  fill(document.getElementById('replicas'),
    el('tr', {}, ['replica', 'node', 'device', 'state', 'uptime', 'restarts', 'in flight', 'queued', 'reason'].map(t => el('th', {}, t))),
    report.replicas.filter(r => r.deployment === name).map(r => el('tr', { 'data-replica': r.id, 'data-state': r.state },
      el('td', {}, r.id), el('td', {}, el('a', { href: '#/node/' + encodeURIComponent(r.node) }, r.node)), el('td', {}, r.device),
      el('td', {}, badge(r.state)),
      el('td', { class: 'num' }, r.state === 'RUNNING' && r.startedAtMillis ? duration(Date.now() - r.startedAtMillis) : '-'),
      el('td', { class: 'num' }, r.restarts),
      el('td', { class: 'num' }, load[r.id] ? load[r.id].inFlight : '-'),
      el('td', { class: 'num' }, load[r.id] ? load[r.id].queued : '-'),
      el('td', { class: r.state === 'FAILED' ? 'error' : 'muted' }, r.reason || ''))));
  fill(document.getElementById('deployment-events-box'), eventTable('deployment-events', events.events));
  await Promise.all([refreshRequests(name, gen, current), refreshLogs(name, gen, current)]);
}

function autoscaleDetail(report, name) {
  const a = (report.autoscaling || []).find(x => x.deployment === name);
  return a ? el('div', { class: 'muted', id: 'autoscale-decision' },
    'autoscaling ' + a.min + '..' + a.max + ', target_ongoing ' + a.targetOngoing + ': ' + a.replicas + ' replicas — ' + a.reason) : null;
}

function logForm(name) {
  const changed = () => { logs.key = null; refreshLogs(name, null, null); };
  return el('div', { class: 'card log-search', id: 'log-search' },
    el('input', { id: 'log-text', placeholder: 'search text', onchange: changed }),
    el('select', { id: 'log-level', onchange: changed },
      ['', 'DEBUG', 'INFO', 'WARN', 'ERROR'].map(l => el('option', { value: l }, l ? l + ' and above' : 'any level'))),
    el('label', {}, 'from ', el('input', { id: 'log-since', type: 'datetime-local', step: '1', onchange: changed })),
    el('label', {}, 'until ', el('input', { id: 'log-until', type: 'datetime-local', step: '1', onchange: changed })),
    el('label', {}, el('input', { id: 'log-follow', type: 'checkbox', checked: 'checked', onchange: changed }), ' follow'),
    el('a', { id: 'log-download', href: '#', download: name + '-logs.txt' }, 'download'));
}

/** The search the form says, as query parameters. */
function criteria() {
  const value = id => (document.getElementById(id) || {}).value || '';
  const ms = v => v ? String(new Date(v).getTime()) : '';
  const c = { q: value('log-text'), level: value('log-level'), since: ms(value('log-since')), until: ms(value('log-until')) };
  for (const k of Object.keys(c)) if (!c[k]) delete c[k];
  return c;
}

async function refreshLogs(name, gen, current) {
  const search = criteria();
  const key = JSON.stringify(search);
  const follow = (document.getElementById('log-follow') || {}).checked;
  document.getElementById('log-download').href = api.logsPath(name, { ...search, lines: 2000, format: 'text' });
  if (logs.key === key && !follow) return; // the operator is reading: leave it
  if (logs.busy) return; // the poll and the form both ask: one read at a time, or lines would come twice
  logs.busy = true;
  try {
    await readLogs(name, gen, current, search, key);
  } finally {
    logs.busy = false;
  }
}

async function readLogs(name, gen, current, search, key) {
  const fresh = logs.key !== key;
  const params = { lines: Object.keys(search).length ? 500 : 40, ...search };
  if (!fresh) for (const [replica, offset] of Object.entries(logs.offsets)) params['from.' + replica] = offset;
  const answer = await api.api(api.logsPath(name, params));
  if (gen !== null && gen !== current()) return;
  const box = document.getElementById('logs');
  if (!box) return;
  if (answer.status !== 200) { fill(box, el('div', { class: 'muted' }, answer.body.error || 'no logs')); return; }
  if (fresh) { logs.lines = {}; logs.offsets = {}; }
  logs.key = key;
  for (const r of answer.body.replicas) {
    const kept = (logs.lines[r.replica] || []).concat(r.lines);
    logs.lines[r.replica] = kept.slice(-FOLLOW_KEEP);
    logs.offsets[r.replica] = r.offset;
    logs.meta[r.replica] = r;
  }
  fill(box, answer.body.replicas.map(r => el('div', { class: 'card' },
    el('b', {}, r.replica), el('span', { class: 'muted' }, ' on ', r.node, ' · ', r.state),
    r.error ? el('div', { class: 'muted' }, r.error) : null,
    el('pre', { class: 'log', id: 'log-' + r.replica }, logs.lines[r.replica].join('\n')))));
  box.querySelectorAll('pre.log').forEach(pre => { pre.scrollTop = pre.scrollHeight; });
}
