// modelserve dashboard: plain JS, no libraries, nothing fetched from outside the head.
// Views: #/ (overview), #/deployment/<name>, #/config. Data is polled every 2 s without reloading.
'use strict';

const POLL_MS = 2000;
const WINDOW_MS = 15 * 60 * 1000;
const view = document.getElementById('view');
const live = document.getElementById('live');
let timer = null;
let generation = 0; // bumps on every navigation, so a late answer never paints an old view

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children; arrays are flattened and null or undefined left out. */
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined));
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body;
  try { body = await response.json(); } catch (e) { body = { error: 'not JSON: HTTP ' + response.status }; }
  return { status: response.status, body };
}

function markLive(ok, text) {
  live.textContent = ok ? 'live · updated ' + new Date().toLocaleTimeString() : text;
  live.className = ok ? 'live' : 'live down';
}

function duration(ms) {
  if (!ms || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + (s % 60) + 's';
  const h = Math.floor(m / 60);
  return h + 'h ' + (m % 60) + 'm';
}

/** A deployment's state in one word, and the error that explains it, from its replica lines. */
function health(deployment, replicas) {
  const mine = replicas.filter(r => r.deployment === deployment.name);
  const failed = mine.find(r => r.state === 'FAILED');
  const withReason = mine.find(r => r.state !== 'RUNNING' && r.reason) || mine.find(r => r.reason && /fail/i.test(r.reason));
  let state;
  if (failed) state = 'FAILED';
  else if (deployment.ready >= deployment.desired && mine.every(r => r.state === 'RUNNING')) state = 'HEALTHY';
  else if (mine.some(r => r.state === 'PENDING')) state = 'PENDING';
  else if (mine.some(r => r.state === 'STARTING')) state = 'STARTING';
  else state = 'UPDATING';
  const error = failed ? failed.reason : (withReason ? withReason.reason : null);
  return { state, error };
}

function badge(state) {
  return el('span', { class: 'badge ' + state, 'data-state': state }, state);
}

function cpuBar(used, total) {
  const u = parseFloat(used) || 0, t = parseFloat(total) || 0;
  const pct = t > 0 ? Math.min(100, Math.round(100 * u / t)) : 0;
  return el('span', {}, el('span', { class: 'bar' }, el('span', { style: 'width:' + pct + '%' })), used + ' / ' + total);
}

// ---------------------------------------------------------------- overview

async function overview(gen) {
  const { status, body } = await api('/api/status');
  if (gen !== generation) return;
  if (status !== 200) throw new Error(body.error || 'HTTP ' + status);
  const report = body;
  fill(view,
    el('div', { class: 'card summary', id: 'summary' },
      el('span', {}, 'controller leader: ', el('b', { id: 'leader' }, report.leader)),
      el('span', {}, 'generation ', el('b', {}, report.generation)),
      el('span', {}, report.converged ? badge('HEALTHY') : badge('UPDATING'), ' ',
        report.converged ? 'converged' : 'converging')),
    el('h2', {}, 'Nodes'),
    el('table', { id: 'nodes' },
      el('tr', {}, ['node', 'address', 'ingress', 'CPU used / capacity', 'GPU used / capacity', 'role'].map(h => el('th', {}, h))),
      report.nodes.map(n => el('tr', { 'data-node': n.id },
        el('td', {}, n.id), el('td', {}, n.address), el('td', {}, n.ingress),
        el('td', {}, cpuBar(n.cpuUsed, n.cpu)), el('td', {}, cpuBar(n.gpuUsed, String(n.gpus))),
        el('td', {}, n.head ? (n.id === report.leader ? 'head (leader)' : 'head') : 'worker')))),
    el('h2', {}, 'Deployments'),
    el('table', { id: 'deployments' },
      el('tr', {}, ['deployment', 'route', 'replicas ready / desired', 'state', 'last error'].map(h => el('th', {}, h))),
      report.deployments.map(d => {
        const h = health(d, report.replicas);
        return el('tr', { id: 'deployment-' + d.name, 'data-deployment': d.name, 'data-state': h.state },
          el('td', {}, el('a', { href: '#/deployment/' + encodeURIComponent(d.name) }, d.name)),
          el('td', {}, d.methods.join(',') + ' ' + d.route),
          el('td', { class: 'num' }, d.ready + ' / ' + d.desired, autoscaleNote(report, d.name)),
          el('td', {}, badge(h.state)),
          el('td', { class: h.state === 'FAILED' ? 'error' : 'muted' }, h.error || ''));
      })),
    report.problems.length ? el('h2', {}, 'Not converged yet because') : null,
    report.problems.length ? el('ul', { id: 'problems' }, report.problems.map(p => el('li', {}, p))) : null);
}

/** " (autoscaled 1..8)" after the replica count of an autoscaled deployment. */
function autoscaleNote(report, name) {
  const a = (report.autoscaling || []).find(x => x.deployment === name);
  return a ? el('span', { class: 'muted', title: a.reason }, ' (autoscaled ' + a.min + '..' + a.max + ')') : '';
}

/** The autoscaler's last decision and its reason, on the deployment page. */
function autoscaleDetail(report, name) {
  const a = (report.autoscaling || []).find(x => x.deployment === name);
  return a ? el('div', { class: 'muted', id: 'autoscale-decision' },
    'autoscaling ' + a.min + '..' + a.max + ', target_ongoing ' + a.targetOngoing + ': ' + a.replicas + ' replicas — ' + a.reason) : null;
}

// ---------------------------------------------------------------- deployment

const SERIES = {
  throughput: [{ key: 'rps', label: 'requests/s', color: '#1f6feb' }, { key: 'errorRps', label: 'errors/s (4xx, 5xx)', color: '#c62828' }],
  latency: [{ key: 'p50Ms', label: 'p50 ms', color: '#1a7f37' }, { key: 'p99Ms', label: 'p99 ms', color: '#d97706' }],
};

function chartCard(id, title, series) {
  return el('div', { class: 'card chart' },
    el('b', {}, title),
    el('div', { class: 'legend' }, series.map(s => el('span', {}, el('i', { style: 'background:' + s.color }), s.label))),
    el('canvas', { id, width: 640, height: 220, 'data-points': '0', 'data-max': '0' }));
}

/** Draws time series on a canvas: x is the last 15 minutes up to now, y starts at 0. */
function drawChart(canvas, points, series, now) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 640, height = canvas.clientHeight || 220;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const left = 48, right = 8, top = 8, bottom = 22;
  const plotW = width - left - right, plotH = height - top - bottom;
  let max = 0;
  for (const p of points) for (const s of series) if (p[s.key] !== null && p[s.key] > max) max = p[s.key];
  const yMax = max > 0 ? niceCeil(max * 1.1) : 1;
  g.strokeStyle = '#dde1e8'; g.fillStyle = '#6b7385'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - plotH * i / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotW, y); g.stroke();
    g.fillText(formatValue(yMax * i / 4), 4, y + 4);
  }
  for (let m = 15; m >= 0; m -= 5) {
    const x = left + plotW * (1 - m * 60000 / WINDOW_MS);
    g.fillText(m === 0 ? 'now' : '-' + m + 'm', x - 10, height - 6);
  }
  const xOf = t => left + plotW * (1 - (now - t) / WINDOW_MS);
  const yOf = v => top + plotH - plotH * v / yMax;
  for (const s of series) {
    g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
    let drawing = false;
    for (const p of points) {
      const v = p[s.key];
      if (v === null || v === undefined || p.atMillis < now - WINDOW_MS) { drawing = false; continue; }
      if (drawing) g.lineTo(xOf(p.atMillis), yOf(v)); else g.moveTo(xOf(p.atMillis), yOf(v));
      drawing = true;
    }
    g.stroke();
    g.fillStyle = s.color; // dots, so a lone point between gaps is seen too
    for (const p of points) {
      const v = p[s.key];
      if (v === null || v === undefined || p.atMillis < now - WINDOW_MS) continue;
      g.beginPath(); g.arc(xOf(p.atMillis), yOf(v), 2, 0, 2 * Math.PI); g.fill();
    }
  }
  // What the chart shows, for people reading the page source and for the browser test.
  canvas.dataset.points = String(points.length);
  canvas.dataset.max = String(max);
  const last = points.length ? points[points.length - 1] : null;
  canvas.dataset.last = last ? series.map(s => s.key + '=' + (last[s.key] === null ? '-' : last[s.key].toFixed(2))).join(' ') : '';
}

function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function formatValue(v) {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

async function deployment(gen, name, firstPaint) {
  const [statusAnswer, trafficAnswer, logsAnswer] = await Promise.all([
    api('/api/status'), api('/api/traffic?deployment=' + encodeURIComponent(name)),
    api('/api/logs/' + encodeURIComponent(name) + '?lines=40')]);
  if (gen !== generation) return;
  if (statusAnswer.status !== 200) throw new Error(statusAnswer.body.error || 'HTTP ' + statusAnswer.status);
  const report = statusAnswer.body;
  const spec = report.deployments.find(d => d.name === name);
  if (firstPaint || !document.getElementById('chart-throughput')) {
    fill(view,
      el('h2', { id: 'deployment-title' }, 'Deployment ', name),
      el('div', { class: 'card summary', id: 'deployment-summary' }),
      el('div', { class: 'charts' }, chartCard('chart-throughput', 'Throughput', SERIES.throughput),
        chartCard('chart-latency', 'Latency', SERIES.latency)),
      el('h2', {}, 'Replicas'), el('table', { id: 'replicas' }),
      el('h2', {}, 'Logs (last lines of each replica)'), el('div', { id: 'logs' }));
  }
  const summary = document.getElementById('deployment-summary');
  if (!spec) {
    fill(summary, el('span', { class: 'error' }, 'no deployment ' + name + ' in the applied conf.ini'));
  } else {
    const h = health(spec, report.replicas);
    fill(summary,
      el('span', {}, badge(h.state)), el('span', {}, spec.methods.join(',') + ' ' + spec.route),
      el('span', {}, 'ready ' + spec.ready + ' / ' + spec.desired), el('span', {}, 'version ' + spec.version),
      el('span', { class: 'muted' }, spec.backend),
      autoscaleDetail(report, name),
      h.error ? el('div', { class: 'error', id: 'deployment-error' }, h.error) : null);
  }
  const now = trafficAnswer.body.now || Date.now();
  const points = (trafficAnswer.body.deployments || {})[name] || [];
  drawChart(document.getElementById('chart-throughput'), points, SERIES.throughput, now);
  drawChart(document.getElementById('chart-latency'), points, SERIES.latency, now);
  const replicas = report.replicas.filter(r => r.deployment === name);
  fill(document.getElementById('replicas'),
    el('tr', {}, ['replica', 'node', 'device', 'state', 'uptime', 'restarts', 'in flight', 'reason'].map(t => el('th', {}, t))),
    replicas.map(r => el('tr', { 'data-replica': r.id, 'data-state': r.state },
      el('td', {}, r.id), el('td', {}, r.node), el('td', {}, r.device), el('td', {}, badge(r.state)),
      el('td', { class: 'num' }, r.state === 'RUNNING' && r.startedAtMillis ? duration(Date.now() - r.startedAtMillis) : '-'),
      el('td', { class: 'num' }, r.restarts), el('td', { class: 'num' }, r.ongoing),
      el('td', { class: r.state === 'FAILED' ? 'error' : 'muted' }, r.reason || ''))));
  const logs = document.getElementById('logs');
  if (logsAnswer.status === 200) {
    fill(logs, ...logsAnswer.body.replicas.map(r => el('div', { class: 'card' },
      el('b', {}, r.replica), el('span', { class: 'muted' }, ' on ', r.node, ' · ', r.state),
      r.error ? el('div', { class: 'muted' }, r.error) : null,
      el('pre', { class: 'log', id: 'log-' + r.replica }, r.lines.join('\n')))));
    logs.querySelectorAll('pre.log').forEach(pre => { pre.scrollTop = pre.scrollHeight; });
  } else {
    fill(logs, el('div', { class: 'muted' }, logsAnswer.body.error || 'no logs'));
  }
}

// ---------------------------------------------------------------- configuration

let applied = null; // the conf.ini in force: {path, text, generation}

async function config(gen, firstPaint) {
  const { status, body } = await api('/api/config');
  if (gen !== generation) return;
  if (status !== 200) throw new Error(body.error || 'HTTP ' + status);
  applied = body;
  if (firstPaint || !document.getElementById('config-edit')) {
    fill(view,
      el('h2', {}, 'Configuration'),
      el('div', { class: 'card summary' }, el('span', {}, 'file ', el('b', { id: 'config-path' }, body.path || '(none)')),
        el('span', {}, 'generation ', el('b', { id: 'config-generation' }, body.generation))),
      el('div', { class: 'config-grid' },
        el('div', {}, el('b', {}, 'In force'), el('pre', { class: 'conf', id: 'config-current' }, body.text)),
        el('div', {}, el('b', {}, 'Edit'), el('textarea', { id: 'config-edit', spellcheck: 'false' }),
          el('div', { class: 'actions' },
            el('button', { id: 'dry-run', onclick: () => submit(true) }, 'Dry run (show the plan)'),
            el('input', { id: 'admin-token', type: 'password', placeholder: 'admin token', autocomplete: 'off' }),
            el('button', { id: 'apply', class: 'primary', onclick: () => submit(false) }, 'Apply')))),
      el('div', { id: 'apply-result', class: 'result' }),
      el('div', { id: 'config-diff', class: 'card diff' }));
    document.getElementById('config-edit').value = body.text;
  } else {
    document.getElementById('config-current').textContent = body.text;
    document.getElementById('config-generation').textContent = body.generation;
  }
}

async function submit(dryRun) {
  const text = document.getElementById('config-edit').value;
  const token = document.getElementById('admin-token').value;
  const result = document.getElementById('apply-result');
  const headers = { 'Content-Type': 'application/json' };
  if (!dryRun && token) headers.Authorization = 'Bearer ' + token;
  result.className = 'result';
  result.textContent = dryRun ? 'planning…' : 'applying…';
  let answer;
  try {
    answer = await api('/api/apply', { method: 'POST', headers, body: JSON.stringify({ path: applied.path, text, dryRun }) });
  } catch (e) {
    result.className = 'result rejected';
    result.textContent = 'the head did not answer: ' + e.message;
    return;
  }
  const body = answer.body;
  const kind = answer.status === 401 ? 'refused' : answer.status !== 200 ? 'rejected' : dryRun ? 'planned' : 'applied';
  result.className = 'result ' + kind;
  result.dataset.outcome = kind;
  const title = {
    refused: 'Refused (HTTP 401): ' + (body.error || 'the admin token is required'),
    rejected: 'Rejected (HTTP ' + answer.status + '): nothing changed',
    planned: 'Dry run: this is what Apply would do (nothing changed)',
    applied: body.applied ? 'Applied: generation ' + body.generation : 'Nothing to apply: the file describes what runs',
  }[kind];
  fill(result, el('b', { id: 'apply-outcome' }, title),
    (body.errors || []).length ? el('ul', { class: 'error' }, body.errors.map(e => el('li', {}, typeof e === 'string' ? e : JSON.stringify(e)))) : null,
    body.plan ? el('ul', { id: 'apply-plan' }, body.plan.map(c => el('li', {}, c.text))) : null);
  fill(document.getElementById('config-diff'), el('b', {}, 'Text changes against the file in force'),
    ...lineDiff(applied.text, text));
}

/** A line diff (longest common subsequence); small files only, which conf.ini is. */
function lineDiff(before, after) {
  const a = before.split('\n'), b = after.split('\n');
  const n = a.length, m = b.length;
  if (n * m > 4000000) return [el('div', {}, '(too large to compare)')];
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--)
    lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(el('div', { class: 'add' }, '+ ' + b[j++]));
    else out.push(el('div', { class: 'del' }, '- ' + a[i++]));
  }
  return out.length ? out : [el('div', { class: 'muted' }, '(no changes)')];
}

// ---------------------------------------------------------------- routing and polling

function route() {
  const hash = location.hash || '#/';
  if (hash.startsWith('#/deployment/')) return { name: 'deployment', arg: decodeURIComponent(hash.slice(13)) };
  if (hash === '#/config') return { name: 'config' };
  return { name: 'overview' };
}

async function refresh(firstPaint) {
  const gen = generation;
  const r = route();
  document.getElementById('nav-overview').classList.toggle('active', r.name !== 'config');
  document.getElementById('nav-config').classList.toggle('active', r.name === 'config');
  try {
    if (r.name === 'deployment') await deployment(gen, r.arg, firstPaint);
    else if (r.name === 'config') await config(gen, firstPaint);
    else await overview(gen);
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
