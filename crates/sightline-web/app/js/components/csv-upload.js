// Uploading a CSV of plates to a list (R4.2): the file goes to the server
// as it is (text/csv), all or nothing. When any row is wrong the server
// stores none of them and names every bad row and field
// (`rows[17].plate`); they are listed here as "Row 17: plate — …" so the
// file can be fixed and sent again.
import { h } from '../dom.js';
import { field, showErrors, submitting } from '../forms.js';
import { api } from '../api.js';
import { plural } from '../format.js';
import { sawServerNow } from './expiry.js';

export const MAX_ROWS = 2500;
const MAX_BYTES = 4 * 1024 * 1024;
const SHOWN = 200;
const FIELD_NAMES = { plate: 'plate', state: 'state', reason_code: 'reason code', note: 'note', notify: 'notify' };

/** Data rows in `text` as the server counts them: non-blank lines, less a header. */
export function countRows(text) {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = lines.length > 0 && /^\s*"?plate/i.test(lines[0]);
  return lines.length - (header ? 1 : 0);
}

/** {row, field, text} for a violation named `rows[N].field`, else null. */
export function rowError(e) {
  const m = /^rows\[(\d+)\](?:\.(\w+))?$/.exec(e.field || '');
  if (!m) return null;
  let text = (e.message || e.code || '').replace(/^row \d+:\s*/i, '');
  text = text.charAt(0).toUpperCase() + text.slice(1);
  if (e.accepted) text += ` Accepted: ${e.accepted}.`;
  return { row: Number(m[1]), field: m[2] ? (FIELD_NAMES[m[2]] || m[2]) : null, text };
}

function showRowErrors(form, errors) {
  const items = errors.map(rowError).filter(Boolean).sort((a, b) => a.row - b.row);
  const rows = new Set(items.map((i) => i.row)).size;
  const summary = showErrors(form, [{ field: 'file', message: `${plural(rows, 'row has', 'rows have')} problems: correct them and upload the whole file again.` }],
    { title: 'Nothing from this file was added' });
  // The row-by-row list goes under the summary's link to the file field.
  summary.append(
    h('p', {}, 'The list is unchanged. The rows at fault:'),
    h('ul', { class: 'row-errors', 'data-testid': 'row-errors' },
      items.slice(0, SHOWN).map((i) => h('li', {}, h('strong', {}, `Row ${i.row}`), `: ${i.field ? `${i.field} — ` : ''}${i.text}`))));
  if (items.length > SHOWN) summary.append(h('p', {}, `…and ${items.length - SHOWN} more.`));
}

/** The form; `onUploaded(response, fileName)` gets `{added, entries, deconfliction}`. */
export function uploadForm(list, onUploaded) {
  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const fileField = field('file', 'CSV file', file, `At most ${MAX_ROWS.toLocaleString()} rows. If any row is wrong, nothing from the file is added.`);
  const format = h('div', { class: 'csv-format' },
    h('p', { class: 'small' }, 'Columns, in this order: plate, state, reason code, note, and optionally who is told (owner, agency or group:NAME). A header row is optional.'),
    h('p', { class: 'small example-label' }, 'For example:'),
    h('pre', { class: 'mono small' }, 'plate,state,reason_code,note,notify\nABC123,PA,criminal-investigation,Case 2026-114\nXKD4471,NJ,criminal-investigation,Case 2026-114,agency'));
  const form = h('form', { novalidate: true, 'aria-label': `Upload plates to ${list.name}` },
    format, fileField,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Upload file')));

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      const f = file.files?.[0];
      if (!f) throw { errors: [{ field: 'file', message: 'Choose a CSV file to upload.' }] };
      if (f.size > MAX_BYTES) throw { errors: [{ field: 'file', message: 'The file is larger than 4 MB.', accepted: `at most ${MAX_ROWS.toLocaleString()} rows` }] };
      const text = await f.text();
      const n = countRows(text);
      if (n > MAX_ROWS) throw { errors: [{ field: 'file', code: 'upload_too_large', message: `The file has ${n.toLocaleString()} rows.`, accepted: `at most ${MAX_ROWS.toLocaleString()} rows, plus an optional header` }] };
      let res;
      try {
        res = await api('POST', `/api/v1/alert-lists/${list.id}/uploads`, text, { contentType: 'text/csv' });
      } catch (e) {
        if (e?.errors?.some((x) => rowError(x))) { showRowErrors(form, e.errors); return; }
        throw e;
      }
      if (res.entries?.[0]) sawServerNow(res.entries[0].valid_from);
      file.value = '';
      await onUploaded(res, f.name);
    }, { title: 'The file was not uploaded', aliases: { body: 'file', entries: 'file' } });
  });
  return form;
}
