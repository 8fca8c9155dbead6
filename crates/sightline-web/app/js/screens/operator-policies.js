// Jurisdiction collection policies: for every state, whether reads
// collected there are accepted and how long they are kept. A change is
// made in a dialog (collection allowed, retention in a unit of your
// choice), written to the operator's log with the old and new values,
// and applied at the next ingest; a shorter retention reaches stored
// reads at the retention loop's next run.
import { h, mount, announce } from '../dom.js';
import { field, input, choice, submitting } from '../forms.js';
import { get, api } from '../api.js';
import { openDialog } from '../dialog.js';
import { pageHead } from '../operator.js';
import { stateName, retentionText, wholeUnits, UNITS } from '../retention.js';

function editDialog(p, max, onSaved) {
  const [n, unit] = wholeUnits(p.retention_seconds || 86_400);
  const allowed = choice('checkbox', 'collection_allowed', 'yes', 'Accept reads collected here', { checked: p.collection_allowed });
  const amount = field('retention_seconds', 'Keep reads for', input({ type: 'number', min: 1, inputmode: 'numeric', value: String(n) }),
    `At least a minute, at most ${retentionText(max)}.`);
  const unitSel = field('unit', 'Unit', h('select', {}, UNITS.map(([k, label]) => h('option', { value: k, selected: k === unit }, label))));
  const form = h('form', { novalidate: true, class: 'policy-form' },
    h('div', { class: 'field', 'data-field': 'collection_allowed' }, allowed),
    h('div', { class: 'retention-row' }, amount, unitSel),
    h('p', { class: 'small muted' }, 'The change is recorded in the operator\'s log with the old and new values.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save policy')));
  const dlg = openDialog(`${stateName(p.state)} (${p.state})`, form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const size = UNITS.find(([k]) => k === unitSel.control.value)[2];
      const secs = Math.round(Number(amount.control.value || 0) * size);
      const next = await api('PUT', `/api/v1/admin/collection-policies/${p.state}`, {
        collection_allowed: allowed.querySelector('input').checked, retention_seconds: secs,
      });
      dlg.close();
      onSaved(next);
    }, { title: 'The policy was not changed' });
  });
  amount.control.focus();
}

function row(p, max, onSaved) {
  const name = stateName(p.state);
  return h('tr', { 'data-state': p.state },
    h('th', { scope: 'row' }, `${name} (${p.state})`),
    h('td', { 'data-col': 'collection' }, p.collection_allowed ? 'Allowed' : 'Not allowed'),
    h('td', { 'data-col': 'retention' }, p.collection_allowed ? retentionText(p.retention_seconds) : '—'),
    h('td', { class: 'actions-cell' }, h('button', {
      type: 'button', class: 'secondary', 'aria-label': `Change ${name}'s policy`,
      onclick: () => editDialog(p, max, onSaved),
    }, 'Change')));
}

export async function render(main) {
  const { policies, max_retention_seconds: max } = await get('/api/v1/admin/collection-policies');
  const status = h('div', { role: 'status', 'data-testid': 'policy-status' });
  const body = h('tbody', {});
  const byState = new Map(policies.map((p) => [p.state, p]));
  const draw = () => mount(body, [...byState.values()].map((p) => row(p, max, (next) => {
    byState.set(next.state, next);
    draw();
    mount(status, h('p', { class: 'notice ok' }, `${stateName(next.state)}: ${next.collection_allowed ? `reads kept ${retentionText(next.retention_seconds)}` : 'reads not collected'}. Recorded in the operator's log.`));
    announce(`${stateName(next.state)} policy saved`);
    body.querySelector(`tr[data-state="${next.state}"] button`)?.focus();
  })));
  draw();
  mount(main, h('div', { class: 'medium operator' },
    pageHead('Collection policies', 'Where reads may be collected and how long each state lets them be kept. Applied at ingest; every change is in the operator\'s log.'),
    status,
    h('section', { class: 'panel' }, h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'policies' },
      h('caption', { class: 'visually-hidden' }, 'Collection policy by state'),
      h('thead', {}, h('tr', {}, ['State', 'Collection', 'Reads kept', ''].map((c) => h('th', { scope: 'col' }, c)))),
      body)))));
}
