// Small DOM and formatting helpers shared by the views.
export function el(tag, attrs, ...children) {
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
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined));
}

export function badge(state) {
  return el('span', { class: 'badge ' + state, 'data-state': state }, state);
}

export function duration(ms) {
  if (!ms || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + (s % 60) + 's';
  const h = Math.floor(m / 60);
  return h + 'h ' + (m % 60) + 'm';
}

export function bytes(n) {
  if (n === null || n === undefined || n < 0) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (n >= 100 || i === 0 ? n.toFixed(0) : n.toFixed(1)) + ' ' + units[i];
}

/** A bar of used against total, with the numbers beside it. */
export function bar(used, total, text, kind) {
  const pct = total > 0 ? Math.min(100, Math.round(100 * used / total)) : 0;
  return el('span', { class: 'meter', title: pct + '%' },
    el('span', { class: 'bar ' + (kind || '') }, el('span', { style: 'width:' + pct + '%' })), text);
}

export function time(ms) {
  return new Date(ms).toLocaleTimeString();
}

export function percent(share) {
  return share === null || share === undefined ? '-' : (share * 100).toFixed(1) + '%';
}
