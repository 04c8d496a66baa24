import { el } from './dom.js';

/** A line diff (longest common subsequence) as +/- rows; small files only, which conf.ini is. */
export function lineDiff(before, after) {
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
