// "Report misread" (R3.9): plate or make/model mismatch to the operator's
// queue. The report names the read, never the query. The operator sees
// the kind and, for a plate read wrongly, the plate as the photo shows it;
// the note stays in the agency's own audit log.
import { h, mount } from '../dom.js';
import { fieldset, field, choice, submitting } from '../forms.js';
import { post } from '../api.js';
import { openDialog } from '../dialog.js';

export function reportMisread(q, r, n) {
  const kinds = fieldset('kind', 'What is wrong?', [h('div', { class: 'choices' },
    choice('radio', 'kind', 'plate_mismatch', 'The plate was read wrongly'),
    choice('radio', 'kind', 'make_model_mismatch', 'The vehicle is not this make or model'))]);
  const photoPlate = field('photo_plate', 'Plate as the photo shows it (optional)', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'mono' }),
    'With a plate read wrongly: the whole plate you read in the photos, e.g. ABC128. The operator sees it beside the photos.');
  const note = field('note', 'Note for your agency\'s audit log (optional)', h('textarea', { rows: 3, maxlength: 1000 }),
    'Kept in your agency\'s audit log with the report. The operator never sees it, so leave case details here, not above.');
  const body = h('div');
  const form = h('form', { novalidate: true }, kinds, photoPlate, note, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Send report')));
  const dlg = openDialog(`Report a misread: sighting ${n}`, body);
  mount(body, form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const kind = form.querySelector('input[name=kind]:checked')?.value || null;
      const res = await post(`/api/v1/queries/${q.query_id}/reads/${r.read_id}/misread`, {
        kind, photo_plate: photoPlate.control.value.trim() || null, note: note.control.value.trim() || null,
      });
      mount(body, h('div', { class: 'notice ok', role: 'status', tabindex: '-1', 'data-testid': 'misread-filed' },
        `Report #${res.report_id} sent to the operator's misread queue. You will hear back in your inbox.`),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: dlg.close }, 'Done')));
      body.querySelector('[data-testid=misread-filed]')?.focus();
    }, { title: 'The report was not sent' });
  });
}
