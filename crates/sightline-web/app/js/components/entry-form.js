// "Add a plate" to a list (R4.2): plate, state, one of the owner's reason
// codes, a note naming the case, and who is told of a hit: the owner, the
// owner and a group (case team), or the whole agency. The server checks
// every field; its errors appear beside them.
import { h } from '../dom.js';
import { field, fieldset, choice, input, submitting } from '../forms.js';
import { post } from '../api.js';
import { app } from '../state.js';
import { stateInput, stateValue } from '../jurisdictions.js';
import { sawServerNow } from './expiry.js';

/** The form; `onAdded(response)` gets `{entry, deconfliction}`. */
export async function entryForm(list, groups, onAdded) {
  const reasons = app.me.reason_codes || [];
  const plate = field('plate', 'Plate', input({ autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', class: 'mono' }), 'Exactly as on the plate; no wildcards or partial plates.');
  const st = await stateInput('entry-state');
  const state = field('state', 'State or jurisdiction', st.input, 'Type a name or a two-letter code.');
  state.append(st.datalist);
  const reasonSel = h('select', {}, h('option', { value: '' }, 'Choose a reason'),
    reasons.map((r) => h('option', { value: r.code }, r.label === r.code ? r.code : `${r.label} (${r.code})`)));
  if (reasons.length === 1) reasonSel.value = reasons[0].code;
  const reason = field('reason_code', 'Reason code', reasonSel, 'The purpose the plate is watched for; a hit is a lead for this purpose only.');
  const note = field('note', 'Note', h('textarea', { rows: 2 }), 'Name the case: for example the subject\'s name and the case number.');

  const groupSel = h('select', { id: 'entry-group' }, groups.map((g) => h('option', { value: g.name }, g.name)));
  const groupPick = h('div', { class: 'group-pick hidden' }, h('label', { for: 'entry-group' }, 'Group'), groupSel);
  const scopes = [
    choice('radio', 'notify-scope', 'owner', 'Only me', { checked: true }),
    choice('radio', 'notify-scope', 'group', 'Me and a group (case team)', { disabled: groups.length === 0 }),
    choice('radio', 'notify-scope', 'agency', 'Everyone in my agency'),
  ];
  const notify = fieldset('notify', 'Who is told of a hit?', [h('div', { class: 'choices' }, scopes), groupPick],
    groups.length ? 'Everyone told gets an inbox notice and an email.' : 'Everyone told gets an inbox notice and an email. To tell a case team, create a group first.');

  const form = h('form', { novalidate: true, 'aria-label': `Add a plate to ${list.name}` },
    h('div', { class: 'row' }, plate, state), reason, note, notify,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add to list')));
  const scope = () => form.querySelector('input[name="notify-scope"]:checked')?.value || 'owner';
  form.addEventListener('change', () => groupPick.classList.toggle('hidden', scope() !== 'group'));

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const s = scope();
      const added = await post(`/api/v1/alert-lists/${list.id}/entries`, {
        plate: plate.control.value.trim() || null,
        state: stateValue(st.input.value) || null,
        reason_code: reasonSel.value || null,
        note: note.control.value.trim() || null,
        notify: s === 'group' ? { scope: s, group: groupSel.value || null } : { scope: s },
      });
      sawServerNow(added.entry.valid_from);
      plate.control.value = '';
      note.control.value = '';
      await onAdded(added);
    }, { title: 'The plate was not added' });
  });
  return form;
}
