// #/ : the cluster at a glance — health per deployment (judged by the head), cluster-wide traffic,
// nodes with what they use beside what is reserved, and the latest events.
import { el, fill, badge, bar, bytes, percent } from '../dom.js';
import { trafficCharts, updateTrafficCharts } from '../charts.js';
import { eventTable } from './events.js';
import * as api from '../api.js';

export async function overview(view, gen, current) {
  const [report, traffic, events] = await Promise.all([api.status(), api.traffic(), api.events({ limit: 15 })]);
  if (gen !== current()) return;
  if (!document.getElementById('cluster-throughput')) {
    fill(view,
      el('div', { class: 'card summary', id: 'summary' }),
      el('h2', {}, 'Deployments'), el('table', { id: 'deployments' }),
      el('h2', {}, 'Cluster traffic (all deployments)'), trafficCharts('cluster-'),
      el('h2', {}, 'Nodes'), el('table', { id: 'nodes' }),
      el('div', { id: 'problems-box' }),
      el('h2', {}, 'Latest events ', el('a', { href: '#/events', class: 'small' }, 'all')), el('div', { id: 'overview-events' }));
  }
  fill(document.getElementById('summary'),
    el('span', {}, 'controller leader: ', el('b', { id: 'leader' }, report.leader)),
    el('span', {}, 'generation ', el('b', {}, report.generation)),
    el('span', {}, badge(report.converged ? 'CONVERGED' : 'CONVERGING'), ' ', report.converged ? 'the cluster runs what was applied' : 'converging'));
  fill(document.getElementById('deployments'),
    el('tr', {}, ['deployment', 'route', 'replicas ready / desired', 'state', 'answers/s', '5xx (30 s)', 'why'].map(h => el('th', {}, h))),
    report.deployments.map(d => el('tr', { id: 'deployment-' + d.name, 'data-deployment': d.name, 'data-state': d.health.state },
      el('td', {}, el('a', { href: '#/deployment/' + encodeURIComponent(d.name) }, d.name)),
      el('td', {}, d.methods.join(',') + ' ' + d.route),
      el('td', { class: 'num' }, d.ready + ' / ' + d.desired, autoscaleNote(report, d.name)),
      el('td', {}, badge(d.health.state)),
      el('td', { class: 'num rps' }, latestRate((traffic.deployments || {})[d.name])),
      el('td', { class: 'num error-rate' }, percent(d.health.errorRate)),
      el('td', { class: d.health.state === 'FAILING' || d.health.state === 'DEGRADED' ? 'error' : 'muted' }, d.health.reason))));
  updateTrafficCharts('cluster-', traffic.cluster || [], traffic.now);
  fill(document.getElementById('nodes'), nodeHeader(), report.nodes.map(n => nodeRow(n, report.leader)));
  fill(document.getElementById('problems-box'),
    report.problems.length ? el('h2', {}, 'Not converged yet because') : null,
    report.problems.length ? el('ul', { id: 'problems' }, report.problems.map(p => el('li', {}, p))) : null);
  fill(document.getElementById('overview-events'), eventTable('events', events.events));
}

export function nodeHeader() {
  return el('tr', {}, ['node', 'ingress', 'CPU reserved / capacity', 'CPU used (process)', 'heap used / max', 'RSS', 'GPU reserved', 'role']
    .map(h => el('th', {}, h)));
}

export function nodeRow(n, leader) {
  const u = n.usage;
  return el('tr', { 'data-node': n.id },
    el('td', {}, el('a', { href: '#/node/' + encodeURIComponent(n.id) }, n.id)), el('td', {}, n.ingress),
    el('td', {}, bar(parseFloat(n.cpuUsed) || 0, parseFloat(n.cpu) || 0, n.cpuUsed + ' / ' + n.cpu)),
    el('td', { class: 'cpu-actual' }, u ? bar(u.cpuCores, parseFloat(n.cpu) || u.machineCores,
      u.cpuCores.toFixed(2) + ' cores (' + percent(u.cpuCores / u.machineCores) + ' of ' + u.machineCores + ')', 'actual') : '-'),
    el('td', { class: 'heap' }, u ? bar(u.heapUsedBytes, u.heapMaxBytes, bytes(u.heapUsedBytes) + ' / ' + bytes(u.heapMaxBytes), 'actual') : '-'),
    el('td', { class: 'num' }, u ? bytes(u.rssBytes) : '-'),
    el('td', {}, n.gpuUsed + ' / ' + n.gpus, (n.devices || []).some(g => g.simulated) ? el('span', { class: 'muted' }, ' simulated') : ''),
    el('td', {}, n.head ? (n.id === leader ? 'head (leader)' : 'head') : 'worker'));
}

/** The answers per second of a deployment's latest traffic point. */
function latestRate(points) {
  const last = points && points.length ? points[points.length - 1] : null;
  return last ? last.rps.toFixed(1) : '-';
}

/** " (autoscaled 1..8)" after the replica count of an autoscaled deployment. */
export function autoscaleNote(report, name) {
  const a = (report.autoscaling || []).find(x => x.deployment === name);
  return a ? el('span', { class: 'muted', title: a.reason }, ' (autoscaled ' + a.min + '..' + a.max + ')') : '';
}
