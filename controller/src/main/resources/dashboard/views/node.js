// #/node/<id>: one node — what it reserves and uses, its replicas with their load, its events.
import { el, fill, badge, bar, bytes, duration, percent } from '../dom.js';
import { eventTable } from './events.js';
import { nodeHeader, nodeRow } from './overview.js';
import * as api from '../api.js';

export async function nodePage(view, gen, current, id) {
  const [report, traffic, events] = await Promise.all([api.status(), api.traffic(), api.events({})]);
  if (gen !== current()) return;
  if (!document.getElementById('node-summary') || view.dataset.node !== id) {
    view.dataset.node = id;
    fill(view, el('h2', { id: 'node-title' }, 'Node ', id),
      el('table', { id: 'node-summary' }),
      el('div', { class: 'card summary', id: 'node-detail' }),
      el('div', { id: 'node-gpus-box' }),
      el('h2', {}, 'Replicas on this node'), el('table', { id: 'node-replicas' }),
      el('h2', {}, 'Events'), el('div', { id: 'node-events-box' }));
  }
  const node = report.nodes.find(n => n.id === id);
  const replicas = report.replicas.filter(r => r.node === id);
  fill(document.getElementById('node-summary'), nodeHeader(), node ? nodeRow(node, report.leader) : null);
  const u = node && node.usage;
  fill(document.getElementById('node-detail'), !node ? el('span', { class: 'error' }, id + ' is not in the cluster now') : [
    el('span', {}, 'address ', el('b', {}, node.address)),
    el('span', {}, 'CPU reserved ', el('b', {}, node.cpuUsed + ' of ' + node.cpu + ' cores')),
    u ? el('span', { id: 'node-cpu-actual' }, 'CPU used ', el('b', {}, u.cpuCores.toFixed(2) + ' cores'), ' (machine ' + percent(u.systemCpu) + ' busy)') : null,
    u ? el('span', {}, 'heap ', el('b', {}, bytes(u.heapUsedBytes) + ' / ' + bytes(u.heapMaxBytes)), ' · RSS ', el('b', {}, bytes(u.rssBytes))) : null,
    u ? el('span', { class: 'muted' }, 'measured ' + duration(Date.now() - u.atMillis) + ' ago') : null]);
  fill(document.getElementById('node-gpus-box'), node && node.devices && node.devices.length ? gpuTable(node.devices) : null);
  const load = {};
  for (const l of traffic.replicaLoad || []) load[l.replica] = l;
  fill(document.getElementById('node-replicas'),
    el('tr', {}, ['replica', 'deployment', 'device', 'state', 'restarts', 'in flight', 'queued', 'reason'].map(t => el('th', {}, t))),
    replicas.map(r => el('tr', { 'data-replica': r.id, 'data-state': r.state },
      el('td', {}, r.id), el('td', {}, el('a', { href: '#/deployment/' + encodeURIComponent(r.deployment) }, r.deployment)),
      el('td', {}, r.device), el('td', {}, badge(r.state)), el('td', { class: 'num' }, r.restarts),
      el('td', { class: 'num' }, load[r.id] ? load[r.id].inFlight : '-'),
      el('td', { class: 'num' }, load[r.id] ? load[r.id].queued : '-'),
      el('td', { class: 'muted' }, r.reason || ''))));
  // The node's own events, and those of replicas it runs or ran (their message names the node).
  const mine = events.events.filter(e => e.subject === id || e.message.includes(' on ' + id + ' ') || e.message.includes(' on ' + id + ':'));
  fill(document.getElementById('node-events-box'), eventTable('node-events', mine));
}

/** One row per GPU: what it is, the share its replicas reserve, and what the device was doing (all processes). */
function gpuTable(devices) {
  return [el('h2', {}, 'GPUs'), el('table', { id: 'node-gpus' },
    el('tr', {}, ['GPU', 'name', 'reserved', 'utilisation', 'memory used / total'].map(t => el('th', {}, t))),
    devices.map(g => el('tr', { 'data-gpu': g.index, 'data-simulated': String(g.simulated) },
      el('td', {}, 'gpu:' + g.index),
      el('td', {}, g.name, g.simulated ? el('span', { class: 'muted' }, ' (simulated: placement only)') : ''),
      el('td', { class: 'reserved' }, bar(parseFloat(g.reserved) || 0, 1, g.reserved + ' of 1')),
      el('td', { class: 'utilization' }, g.utilization < 0 ? '-' : bar(g.utilization, 1, percent(g.utilization), 'actual')),
      el('td', { class: 'memory' }, g.memoryUsedBytes < 0 ? '- / ' + bytes(g.memoryTotalBytes)
        : bar(g.memoryUsedBytes, g.memoryTotalBytes, bytes(g.memoryUsedBytes) + ' / ' + bytes(g.memoryTotalBytes), 'actual')))))];
}
