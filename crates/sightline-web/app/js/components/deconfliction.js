// De-confliction (R4.6): someone else in the agency watches the same plate,
// state and reason. They have been emailed; the user is told who.
import { h } from '../dom.js';

export function deconflictionNotice(items) {
  if (!items || !items.length) return null;
  return h('div', { class: 'notice warn', role: 'status', 'data-testid': 'deconfliction' },
    h('h2', {}, 'Someone else is watching this plate'),
    h('ul', {}, items.map((d) => h('li', {}, `${d.display_name} (${d.username}) has it on the list "${d.list}". They have been told you added it; consider contacting them.`))));
}
