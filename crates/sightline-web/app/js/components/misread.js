// "Report misread" (R3.9): plate or make/model mismatch, with a note, to
// the operator's queue. The report names the read, never the query.
import { h, mount } from '../dom.js';
import { fieldset, field, choice, submitting } from '../forms.js';
import { post } from '../api.js';
import { openDialog } from '../dialog.js';

export function reportMisread(q, r, n) {
  const kinds = fieldset('kind', 'What is wrong?', [h('div', { class: 'choices' },
    choice('radio', 'kind', 'plate_mismatch', 'The plate was read wrongly'),
    choice('radio', 'kind', 'make_model_mismatch', 'The vehicle is not this make or model'))]);
  const note = field('note', 'Note for the operator', h('textarea', { rows: 3 }), 'What you see in the photos, e.g. "plate reads ABC128".');
  const body = h('div');
  const form = h('form', { novalidate: true }, kinds, note, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Send report')));
  const dlg = openDialog(`Report a misread: sighting ${n}`, body);
  mount(body, form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const kind = form.querySelector('input[name=kind]:checked')?.value || null;
      const res = await post(`/api/v1/queries/${q.query_id}/reads/${r.read_id}/misread`, { kind, note: note.control.value.trim() || null });
      mount(body, h('div', { class: 'notice ok', role: 'status', tabindex: '-1', 'data-testid': 'misread-filed' },
        `Report #${res.report_id} sent to the operator's misread queue. You will hear back in your inbox.`),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: dlg.close }, 'Done')));
      body.querySelector('[data-testid=misread-filed]')?.focus();
    }, { title: 'The report was not sent' });
  });
}
