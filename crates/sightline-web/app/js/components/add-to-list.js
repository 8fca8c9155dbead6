// "Add plate to an alert list" from a query (R4.2): the entry carries the
// query's plate, state, reason code and case reference (`from_query`).
import { h, mount } from '../dom.js';
import { field, fieldset, choice, input, submitting } from '../forms.js';
import { get, post } from '../api.js';
import { openDialog } from '../dialog.js';
import { deconflictionNotice } from './deconfliction.js';

export async function addToList(q) {
  const body = h('div', {}, h('p', {}, 'Loading your lists…'));
  const dlg = openDialog(`Add ${q.plate} (${q.state}) to an alert list`, body);
  let lists;
  try {
    ({ lists } = await get('/api/v1/alert-lists'));
  } catch (e) {
    mount(body, h('p', { class: 'notice error', role: 'status' }, `Your lists could not be loaded: ${e.message}`));
    return;
  }
  const mine = lists.filter((l) => l.mine !== false);
  const select = h('select', {}, mine.map((l) => h('option', { value: l.id }, `${l.name} (${l.entries} plates)`)), h('option', { value: 'new' }, 'A new list…'));
  const listField = field('list', 'List', select);
  const newName = field('name', 'Name of the new list', input({}));
  newName.classList.toggle('hidden', mine.length > 0);
  if (!mine.length) select.value = 'new';
  select.addEventListener('change', () => newName.classList.toggle('hidden', select.value !== 'new'));
  const note = field('note', 'Note', h('textarea', { rows: 2 }), `Optional: the query's case reference is recorded ("${q.case_reference}").`);
  const scope = fieldset('notify', 'Who is told of a hit?', [h('div', { class: 'choices' },
    choice('radio', 'scope', 'owner', 'Only me', { checked: true }),
    choice('radio', 'scope', 'agency', 'Everyone in my agency'))]);
  const form = h('form', { novalidate: true },
    h('p', {}, `Reason code ${q.reason_code} and case reference come from query #${q.query_id}.`),
    listField, newName, note, scope,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add to list')));
  mount(body, form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      let listId = select.value;
      if (listId === 'new') {
        const created = await post('/api/v1/alert-lists', { name: newName.control.value.trim() || null });
        listId = created.id;
        // If adding the plate fails below, a retry uses this list, not another new one.
        select.prepend(h('option', { value: created.id }, `${created.name} (0 plates)`));
        select.value = String(created.id);
        newName.classList.add('hidden');
      }
      const added = await post(`/api/v1/alert-lists/${listId}/entries`, {
        from_query: q.query_id,
        note: note.control.value.trim() || null,
        notify: { scope: form.querySelector('input[name=scope]:checked')?.value || 'owner' },
      });
      mount(body,
        h('div', { class: 'notice ok', role: 'status', tabindex: '-1', 'data-testid': 'entry-added' },
          `${added.entry.plate} (${added.entry.state}) is on the list until ${new Date(added.entry.expires_at).toLocaleDateString()}. New reads of it will alert you.`),
        deconflictionNotice(added.deconfliction),
        h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: `/alerts/${listId}`, onclick: () => dlg.close() }, 'Open the list'), h('button', { type: 'button', onclick: dlg.close }, 'Done')));
      body.querySelector('[data-testid=entry-added]')?.focus();
    }, { title: 'The plate was not added' });
  });
}
