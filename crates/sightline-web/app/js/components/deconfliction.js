// De-confliction (R4.6): someone else in the agency watches the same plate,
// state and reason. The adder is told who (here, in the inbox and by email).
import { h } from '../dom.js';

export function deconflictionNotice(items) {
  if (!items || !items.length) return null;
  return h('div', { class: 'notice warn', role: 'status', 'data-testid': 'deconfliction' },
    h('h2', {}, 'Someone else is watching this plate'),
    h('ul', {}, items.map((d) => h('li', {}, `${d.display_name} (${d.username}) has it on the list "${d.list}" for the same reason. Contact them before you act, so your cases do not collide.`))));
}
