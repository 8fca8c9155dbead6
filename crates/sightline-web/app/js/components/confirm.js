// A yes/no question in the native modal dialog: `await confirmAction({…})`
// is true only when the person pressed the confirming button. Escape, the
// Close button and Cancel all answer no; focus returns to the opener.
import { h } from '../dom.js';
import { openDialog } from '../dialog.js';

export function confirmAction({ title, body, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h('button', { type: 'button', class: danger ? 'danger' : null, 'data-testid': 'confirm-yes' }, confirmLabel);
    // Focus starts on Cancel: pressing Enter at once changes nothing.
    const no = h('button', { type: 'button', class: 'secondary', autofocus: true }, 'Cancel');
    const dlg = openDialog(title, h('div', { class: 'confirm' }, body, h('div', { class: 'actions' }, yes, no)), {
      onClose: () => resolve(answer),
    });
    dlg.dialog.classList.add('confirm-dialog');
    yes.addEventListener('click', () => { answer = true; dlg.close(); });
    no.addEventListener('click', () => dlg.close());
  });
}
