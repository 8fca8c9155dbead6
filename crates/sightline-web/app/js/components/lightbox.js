// A photo, enlarged in a dialog; the zoom button (or a click on the
// photo) doubles it so a plate crop can be read.
import { h } from '../dom.js';
import { openDialog } from '../dialog.js';

export function openPhoto(url, title) {
  const img = h('img', { class: 'lightbox-img', src: url, alt: title });
  const zoom = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Zoom in');
  const toggle = () => {
    const on = !img.classList.contains('zoomed');
    img.classList.toggle('zoomed', on);
    img.style.transform = on ? 'scale(2)' : '';
    zoom.setAttribute('aria-pressed', String(on));
    zoom.textContent = on ? 'Zoom out' : 'Zoom in';
  };
  zoom.addEventListener('click', toggle);
  img.addEventListener('click', toggle);
  openDialog(title, [h('div', { class: 'lightbox-stage' }, img), h('div', { class: 'actions' }, zoom)]);
}
