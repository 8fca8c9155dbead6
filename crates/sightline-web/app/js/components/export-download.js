// Downloads a file the server builds (audit exports), with a progress bar:
// indeterminate while the server prepares it, then the bytes received of
// the Content-Length. The bytes are read from the stream into memory and
// saved through a blob: link (blob: is not data:, and the CSP does not
// govern downloads). Errors are shown beside the buttons, never saved.
import { h, announce } from '../dom.js';
import { Problem } from '../api.js';

function kib(n) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

function filename(resp, fallback) {
  const m = /filename="([^"]+)"/.exec(resp.headers.get('content-disposition') || '');
  return m ? m[1] : fallback;
}

/** Fetches `url` and saves it, updating `ui` ({progress, status}) as it goes. */
export async function download(url, fallbackName, ui) {
  ui.progress.hidden = false;
  ui.progress.removeAttribute('value');
  ui.status.textContent = 'Preparing the file on the server…';
  ui.status.classList.remove('error-text');
  try {
    let resp;
    try {
      resp = await fetch(url, { credentials: 'same-origin', headers: { Accept: '*/*' } });
    } catch {
      throw new Problem(0, { detail: 'Sightline could not be reached. Check your connection and try again.' });
    }
    if (!resp.ok) {
      const body = await resp.json().catch(() => null);
      throw new Problem(resp.status, body);
    }
    const total = Number(resp.headers.get('content-length')) || 0;
    const chunks = [];
    let got = 0;
    const reader = resp.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (total) {
        ui.progress.max = total;
        ui.progress.value = got;
      }
      ui.status.textContent = total ? `Downloading: ${kib(got)} of ${kib(total)}` : `Downloading: ${kib(got)}`;
    }
    const name = filename(resp, fallbackName);
    const blob = new Blob(chunks, { type: resp.headers.get('content-type') || 'application/octet-stream' });
    const href = URL.createObjectURL(blob);
    const a = h('a', { href, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    ui.progress.max = 1;
    ui.progress.value = 1;
    ui.status.textContent = `Saved ${name} (${kib(got)}). The export is recorded in the audit log.`;
    announce(`Saved ${name}`);
    return name;
  } catch (e) {
    ui.progress.hidden = true;
    ui.status.textContent = `The file was not saved: ${e.message}`;
    ui.status.classList.add('error-text');
    return null;
  }
}

/**
 * A row of buttons, one per `{label, url, name}`, sharing one progress bar
 * and status line. Buttons are disabled while a download runs.
 */
export function downloadButtons(items, { label = 'Download' } = {}) {
  const progress = h('progress', { class: 'export-progress', hidden: true, 'aria-label': `${label} progress` });
  const status = h('p', { class: 'small muted export-status', role: 'status', 'data-testid': 'export-status' });
  const buttons = items.map((it) => h('button', { type: 'button', class: 'secondary', 'data-format': it.format || null }, it.label));
  buttons.forEach((b, i) => b.addEventListener('click', async () => {
    buttons.forEach((x) => { x.disabled = true; });
    try {
      await download(typeof items[i].url === 'function' ? items[i].url() : items[i].url, items[i].name, { progress, status });
    } finally {
      buttons.forEach((x) => { x.disabled = false; });
    }
  }));
  return h('div', { class: 'export-box' }, h('div', { class: 'actions', role: 'group', 'aria-label': label }, buttons), progress, status);
}
