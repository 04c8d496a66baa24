// Time-series charts drawn by uPlot (loaded by index.html from the head's jar): y axes scale to the
// data and carry their unit, and the legend shows the values under the cursor.
import { el } from './dom.js';

const uPlot = globalThis.uPlot;
/** The head keeps 15 minutes; the charts show the last `windowMs` of it (the operator picks). */
export const HISTORY_MS = 15 * 60 * 1000;
const WINDOWS = [[60 * 1000, '1 min'], [5 * 60 * 1000, '5 min'], [HISTORY_MS, '15 min']];
let windowMs = 5 * 60 * 1000;

/** Units: how an axis tick and a hover value read. */
export const UNITS = {
  rps: { label: 'req/s', format: v => fixed(v) + ' /s' },
  ms: { label: 'ms', format: v => v >= 1000 ? fixed(v / 1000) + ' s' : fixed(v) + ' ms' },
  count: { label: 'requests per batch', format: v => fixed(v) },
};

function fixed(v) {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The smallest "round" number (1, 2, 2.5, 5 times a power of ten) at or above v. */
export function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A card with a chart of `series` ({key, label, color}) in `unit` (a key of UNITS). Call update()
 * with the traffic points; the chart is made on the first update, when the card has its width.
 */
export function chartCard(id, title, series, unit) {
  const plot = el('div', { class: 'plot' });
  const card = el('div', { class: 'card chart', id, 'data-points': '0', 'data-max': '0', 'data-ymax': '0', 'data-peak': '0' },
    el('b', {}, title), plot);
  card.chart = { series, unit: UNITS[unit], plot, uplot: null, now: Date.now(), visible: [], max: 0 };
  return card;
}

function options(chart, width) {
  const format = chart.unit.format;
  return {
    width, height: 200,
    scales: {
      x: { time: true, range: () => [(chart.now - windowMs) / 1000, chart.now / 1000] },
      y: { range: (u, min, max) => [0, niceCeil((max || 0) * 1.1)] },
    },
    axes: [
      { stroke: '#6b7385', grid: { stroke: '#eef0f3' } },
      { stroke: '#6b7385', grid: { stroke: '#eef0f3' }, size: 64, label: chart.unit.label, labelSize: 18,
        values: (u, ticks) => ticks.map(format) },
    ],
    series: [{ value: (u, v) => v === null ? '-' : new Date(v * 1000).toLocaleTimeString() }]
      .concat(chart.series.map(s => ({ label: s.label, stroke: s.color, width: 2, points: { size: 4 },
        value: (u, v) => v === null || v === undefined ? '-' : format(v) }))),
    legend: { live: true },
    // uPlot draws after the current task: what the chart shows is written down once it is drawn.
    hooks: { draw: [u => describe(chart, u)] },
  };
}

/** What the chart shows, for people reading the page and for the browser test. */
function describe(chart, u) {
  const card = chart.plot.parentElement;
  if (!card) return;
  const yMax = u.scales.y.max || 0;
  card.dataset.points = String(chart.visible.length);
  card.dataset.max = String(chart.max);
  card.dataset.ymax = String(yMax);
  card.dataset.peak = yMax > 0 ? (chart.max / yMax).toFixed(3) : '0';
  const last = chart.visible.length ? chart.visible[chart.visible.length - 1] : null;
  card.dataset.last = last ? chart.series.map(s => s.key + '=' + (last[s.key] === null || last[s.key] === undefined ? '-'
    : Number(last[s.key]).toFixed(2))).join(' ') : '';
}

/** Redraws the chart with `points` (oldest first) over the window up to `now` (ms). */
export function updateChart(card, points, now) {
  const chart = card.chart;
  chart.now = now;
  chart.points = points;
  const visible = points.filter(p => p.atMillis >= now - windowMs);
  const data = [visible.map(p => p.atMillis / 1000)]
    .concat(chart.series.map(s => visible.map(p => p[s.key] === undefined ? null : p[s.key])));
  let max = 0;
  for (const column of data.slice(1)) for (const v of column) if (v !== null && v > max) max = v;
  chart.visible = visible;
  chart.max = max;
  const width = Math.max(320, chart.plot.clientWidth || 600);
  if (!chart.uplot) chart.uplot = new uPlot(options(chart, width), data, chart.plot);
  else {
    if (chart.uplot.width !== width) chart.uplot.setSize({ width, height: 200 });
    chart.uplot.setData(data);
  }
}

/** The charts every traffic view shows: throughput and errors, latency, where the time went, batch size. */
export const TRAFFIC_CHARTS = [
  { id: 'throughput', title: 'Throughput', unit: 'rps', series: [
    { key: 'rps', label: 'answers', color: '#1f6feb' },
    { key: 'errorRps', label: 'errors (4xx, 5xx)', color: '#d97706' },
    { key: 'serverErrorRps', label: '5xx', color: '#c62828' }] },
  { id: 'latency', title: 'Latency', unit: 'ms', series: [
    { key: 'p50Ms', label: 'p50', color: '#1a7f37' }, { key: 'p99Ms', label: 'p99', color: '#8250df' }] },
  { id: 'split', title: 'Queue wait vs compute (mean per request)', unit: 'ms', series: [
    { key: 'queueWaitMs', label: 'queue wait', color: '#d97706' }, { key: 'computeMs', label: 'compute', color: '#1f6feb' }] },
  { id: 'batch', title: 'Batch size', unit: 'count', series: [
    { key: 'batchSize', label: 'mean batch', color: '#0969da' }] },
];

export function trafficCharts(prefix) {
  const picker = el('select', { class: 'chart-window', onchange: e => {
    windowMs = Number(e.target.value);
    document.querySelectorAll('select.chart-window').forEach(s => { s.value = String(windowMs); });
    document.querySelectorAll('.card.chart').forEach(card => { if (card.chart.points) updateChart(card, card.chart.points, card.chart.now); });
  } }, WINDOWS.map(([ms, label]) => el('option', { value: String(ms) }, 'last ' + label)));
  picker.value = String(windowMs);
  return el('div', {}, el('div', { class: 'charts-bar muted' }, 'show ', picker),
    el('div', { class: 'charts' }, TRAFFIC_CHARTS.map(c => chartCard(prefix + c.id, c.title, c.series, c.unit))));
}

export function updateTrafficCharts(prefix, points, now) {
  for (const c of TRAFFIC_CHARTS) {
    const card = document.getElementById(prefix + c.id);
    if (card) updateChart(card, points, now);
  }
}
