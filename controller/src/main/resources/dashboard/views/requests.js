// A deployment's request log (the access log every node writes when access_log = true): the newest
// requests from all nodes merged by time, filtered by status, text and duration, followed live.
import { el, fill, bytes } from '../dom.js';
import * as api from '../api.js';

const KEEP = 200; // rows kept while following
const COLUMNS = ['time', 'node', 'protocol', 'route', 'version', 'replica', 'status', 'in', 'out', 'queue ms', 'compute ms', 'total ms'];

let state = { name: null, key: null, offsets: {}, rows: [], busy: false };

/** The search form and the table; call refreshRequests on every poll. */
export function requestsSection(name) {
  state = { name, key: null, offsets: {}, rows: [], busy: false };
  const changed = () => { state.key = null; refreshRequests(name, null, null); };
  return el('div', {},
    el('div', { class: 'card log-search', id: 'request-search' },
      el('select', { id: 'request-status', onchange: changed },
        [['', 'any status'], ['errors', 'errors (4xx, 5xx)'], ['2xx', '2xx'], ['4xx', '4xx'], ['5xx', '5xx']]
          .map(([v, label]) => el('option', { value: v }, label))),
      el('input', { id: 'request-text', placeholder: 'route, replica, version or node', onchange: changed }),
      el('label', {}, 'at least ', el('input', { id: 'request-min-ms', type: 'number', min: '0', step: 'any', style: 'width:80px', onchange: changed }), ' ms'),
      el('label', {}, el('input', { id: 'request-follow', type: 'checkbox', checked: 'checked', onchange: changed }), ' follow'),
      el('a', { id: 'request-download', href: '#', download: name + '-requests.jsonl' }, 'download')),
    el('div', { id: 'requests-box' }));
}

function criteria() {
  const value = id => (document.getElementById(id) || {}).value || '';
  const c = { status: value('request-status'), q: value('request-text'), min_ms: value('request-min-ms') };
  for (const k of Object.keys(c)) if (!c[k]) delete c[k];
  return c;
}

export async function refreshRequests(name, gen, current) {
  const search = criteria();
  const key = JSON.stringify(search);
  const follow = (document.getElementById('request-follow') || {}).checked;
  const download = document.getElementById('request-download');
  if (download) download.href = api.requestsPath(name, { ...search, lines: 2000, format: 'jsonl' });
  if (state.key === key && !follow) return; // the operator is reading: leave it
  if (state.busy) return; // one read at a time, or rows would come twice
  state.busy = true;
  try {
    const fresh = state.key !== key;
    const params = { lines: 100, ...search };
    if (!fresh) for (const [node, offset] of Object.entries(state.offsets)) params['from.' + node] = offset;
    const answer = await api.api(api.requestsPath(name, params));
    if (gen !== null && gen !== current()) return;
    const box = document.getElementById('requests-box');
    if (!box) return;
    if (answer.status !== 200) { fill(box, el('div', { class: 'error' }, answer.body.error || 'no request log')); return; }
    if (fresh) { state.rows = []; state.offsets = {}; }
    state.key = key;
    state.rows = state.rows.concat(answer.body.requests).slice(-KEEP);
    for (const n of answer.body.nodes) if (!n.error) state.offsets[n.node] = n.offset;
    render(box, answer.body.nodes.filter(n => n.error));
  } finally {
    state.busy = false;
  }
}

function ms(v) {
  return v === null || v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

function render(box, failed) {
  const notes = failed.map(n => el('div', { class: 'muted' }, n.error));
  if (!state.rows.length) {
    fill(box, notes, el('div', { class: 'muted', id: 'requests-empty' },
      'no requests logged' + (Object.keys(criteria()).length ? ' that match' : '')
      + ' (nodes log requests when conf.ini says access_log = true)'));
    return;
  }
  const newest = state.rows.slice().reverse();
  fill(box, notes, el('table', { id: 'requests' },
    el('tr', {}, COLUMNS.map(c => el('th', {}, c))),
    newest.map(r => el('tr', { 'data-status': String(r.status), class: r.status >= 500 ? 'failed' : '' },
      el('td', {}, r.time.replace('T', ' ').replace('Z', '')), el('td', {}, r.node || '-'), el('td', {}, r.protocol || '-'),
      el('td', {}, r.route || '-'), el('td', {}, r.version || '-'), el('td', {}, r.replica || '-'),
      el('td', { class: r.status >= 400 ? 'error num' : 'num' }, r.status),
      el('td', { class: 'num' }, bytes(r.bytesIn)), el('td', { class: 'num' }, bytes(r.bytesOut)),
      el('td', { class: 'num' }, ms(r.queueMs)), el('td', { class: 'num' }, ms(r.computeMs)),
      el('td', { class: 'num' }, ms(r.totalMs))))));
}
