// A list's entries as a table (R4): plate and state, reason code, note,
// who is told of a hit, the expiry countdown, and for the owner the
// renew and delete buttons. On narrow screens each row becomes a card
// (CSS only; the cells keep their column names as `data-label`).
import { h } from '../dom.js';
import { countdown } from './expiry.js';

/** A plate as it reads on the vehicle: number and state. */
export function plateTag(plate, state) {
  return h('span', { class: 'plate-tag' },
    h('span', { class: 'plate-no mono' }, plate),
    h('span', { class: 'plate-state' }, state));
}

export function notifyText(e, { mine, groupsById }) {
  switch (e.notify) {
    case 'owner': return mine ? 'Only me' : 'The list owner';
    case 'group': {
      const g = e.group_id != null ? groupsById.get(e.group_id) : null;
      return g ? `Group: ${g.name}` : 'The owner and a group';
    }
    case 'users': return 'The owner and named users';
    case 'agency': return 'Everyone in the agency';
    default: return e.notify;
  }
}

/**
 * `entries` as a table. `caption` names it for screen readers; `onRenew`
 * and `onDelete` (owner only) get the entry.
 */
export function entryTable(entries, { caption, mine, groupsById, onRenew, onDelete }) {
  const head = h('tr', {},
    h('th', { scope: 'col' }, 'Plate'),
    h('th', { scope: 'col' }, 'Reason code'),
    h('th', { scope: 'col' }, 'Note'),
    h('th', { scope: 'col' }, 'Who is told'),
    h('th', { scope: 'col' }, 'Expiry'),
    mine ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')) : null);
  const rows = entries.map((e) => {
    const name = `${e.plate} (${e.state})`;
    return h('tr', { 'data-entry-id': e.id, 'data-plate': e.plate },
      h('th', { scope: 'row', 'data-label': 'Plate' }, plateTag(e.plate, e.state)),
      h('td', { 'data-label': 'Reason code', class: 'reason-cell' }, e.reason_code),
      h('td', { 'data-label': 'Note', class: 'note-cell' }, e.note),
      h('td', { 'data-label': 'Who is told' }, notifyText(e, { mine, groupsById })),
      h('td', { 'data-label': 'Expiry' }, countdown(e.expires_at)),
      mine ? h('td', { class: 'actions-cell' }, h('div', { class: 'cell-actions' },
        h('button', { type: 'button', class: 'secondary', 'aria-label': `Affirm continued need for ${name}`, onclick: () => onRenew(e) }, 'Affirm continued need'),
        h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${name}`, onclick: () => onDelete(e) }, 'Delete'))) : null);
  });
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data entries', 'data-testid': 'entries' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, head),
      h('tbody', {}, rows)));
}
