// A modal built on the native <dialog>: focus moves in, Escape closes, and
// focus returns to whatever opened it.
import { h } from './dom.js';

export function openDialog(title, body, { onClose } = {}) {
  const opener = document.activeElement;
  const close = h('button', { type: 'button', class: 'secondary', 'aria-label': 'Close' }, 'Close');
  const headingId = `dlg-${Math.random().toString(36).slice(2)}`;
  const dlg = h('dialog', { 'aria-labelledby': headingId },
    h('div', { class: 'dialog-head' }, h('h2', { id: headingId }, title), close),
    h('div', { class: 'dialog-body' }, body));
  const done = () => dlg.close();
  close.addEventListener('click', done);
  dlg.addEventListener('close', () => {
    dlg.remove();
    onClose?.();
    if (opener && document.contains(opener)) opener.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  return { dialog: dlg, close: done };
}
