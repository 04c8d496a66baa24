// The timeline: what happened, newest first, as the leader recorded it (GET /api/events).
import { el, fill, time } from '../dom.js';
import * as api from '../api.js';

const KIND_CLASS = {
  APPLY: 'apply', REPLICA_STARTED: 'ok', REPLICA_STOPPED: 'muted', REPLICA_FAILED: 'bad', AUTOSCALE: 'apply',
  LEADER: 'warn', NODE_JOINED: 'ok', NODE_LOST: 'bad',
};

/** A table of events, newest first; `id` names it for the browser test. */
export function eventTable(id, events) {
  const rows = [...events].reverse();
  return el('table', { id, class: 'events' },
    el('tr', {}, ['time', 'what', ''].map(h => el('th', {}, h))),
    rows.length ? rows.map(e => el('tr', { 'data-seq': e.seq, 'data-kind': e.kind },
      el('td', { class: 'num', title: new Date(e.atMillis).toISOString() }, time(e.atMillis)),
      el('td', {}, el('span', { class: 'kind ' + (KIND_CLASS[e.kind] || '') }, e.kind.replace('_', ' '))),
      el('td', {}, e.message)))
      : el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'nothing recorded yet')));
}

/** #/events: the whole timeline, or one deployment's. */
export async function eventsPage(view, gen, current) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const deployment = params.get('deployment') || '';
  const body = await api.events(deployment ? { deployment } : {});
  if (gen !== current()) return;
  if (!document.getElementById('events-filter')) {
    fill(view, el('h2', {}, 'Events'),
      el('div', { class: 'card summary' },
        el('label', {}, 'deployment ', el('input', { id: 'events-filter', value: deployment, placeholder: 'all',
          onchange: e => { location.hash = '#/events' + (e.target.value ? '?deployment=' + encodeURIComponent(e.target.value) : ''); } })),
        el('span', { class: 'muted' }, 'kept in the cluster by the leader, the latest 500; also `modelserve events --follow`')),
      el('div', { id: 'events-page' }));
  }
  fill(document.getElementById('events-page'), eventTable('events', body.events));
}
