// #/config: the conf.ini in force, an editor, a dry run that shows the plan and the text diff, and
// an apply that needs the admin token.
import { el, fill } from '../dom.js';
import { lineDiff } from '../diff.js';
import * as api from '../api.js';

let applied = null; // the conf.ini in force: {path, text, generation}

export async function config(view, gen, current) {
  const body = await api.read('/api/config');
  if (gen !== current()) return;
  applied = body;
  if (!document.getElementById('config-edit')) {
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
    answer = await api.api('/api/apply', { method: 'POST', headers, body: JSON.stringify({ path: applied.path, text, dryRun }) });
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
