// The misread queue (R6.2): each open report with both photos of the read,
// the read as stored and the kind of misread reported, but never the
// agency's query, reason or case. The operator confirms it (the read
// leaves later query results) or finds it correct, with a note the
// reporter receives. Each photo shown is in the operator's log.
import { h, mount, announce } from '../dom.js';
import { field, fieldset, choice, submitting } from '../forms.js';
import { get, post } from '../api.js';
import { timeEl, plural } from '../format.js';
import { openPhoto } from '../components/lightbox.js';
import { pageHead, facts } from '../operator.js';
import { stateName } from '../retention.js';

const KIND = {
  plate_mismatch: 'The plate was read wrongly',
  make_model_mismatch: 'The vehicle is not this make or model',
  other: 'Something else',
};
const OUTCOME = { confirmed: 'Confirmed misread', not_misread: 'Not a misread' };

function photo(reportId, kind, label, plate) {
  const url = `/api/v1/admin/misreads/${reportId}/photos/${kind}`;
  return h('button', { type: 'button', class: `photo-button ${kind}`, 'aria-label': `Enlarge ${label.toLowerCase()}`, onclick: () => openPhoto(url, `${label}, ${plate}`) },
    h('img', { src: url, alt: `${label} of the read of ${plate}`, 'data-photo': kind }));
}

function resolveForm(r, onDone) {
  const outcome = fieldset('outcome', 'Your finding', [
    choice('radio', `outcome-${r.id}`, 'confirmed', 'It is a misread: take the read out of new query results'),
    choice('radio', `outcome-${r.id}`, 'not_misread', 'The read is correct as recorded'),
  ]);
  const note = field('note', 'Note to the reporter', h('textarea', { rows: 3, maxlength: 1000 }), 'Sent with the outcome, by inbox and email. Up to 1,000 characters.');
  const form = h('form', { novalidate: true, class: 'resolve-form', 'aria-label': `Resolve report ${r.id}` },
    outcome, note, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Resolve report')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const chosen = form.querySelector(`input[name="outcome-${r.id}"]:checked`)?.value;
      await post(`/api/v1/admin/misreads/${r.id}/resolve`, { outcome: chosen || '', note: note.control.value });
      await onDone(chosen);
    }, { title: 'The report was not resolved' });
  });
  return form;
}

function card(r, onResolved) {
  const read = r.read;
  const heading = `Report ${r.id}: ${read ? `${read.plate} (${read.state})` : 'read no longer stored'}`;
  const id = `report-${r.id}`;
  return h('article', { class: 'panel misread-card', 'aria-labelledby': id, 'data-report': String(r.id) },
    h('h2', { id }, heading),
    h('p', { class: 'misread-kind' }, h('strong', {}, 'Reported: '), KIND[r.kind] || r.kind),
    h('div', { class: 'misread-pair' },
      read ? h('div', { class: 'photos' }, photo(r.id, 'vehicle', 'Vehicle photo', read.plate), photo(r.id, 'plate', 'Plate photo', read.plate))
        : h('p', { class: 'muted' }, 'Retention has removed this read and its photos.'),
      h('div', {},
        facts([
          r.photo_plate ? ['Photo shows, says the reporter', h('span', { class: 'mono' }, r.photo_plate)] : ['', null],
          ['Reported', timeEl(r.created_at)],
          read ? ['Plate read', `${read.plate} (${stateName(read.state)})`] : ['Read', null],
          read ? ['Captured', timeEl(read.captured_at)] : ['', null],
          read ? ['Source', read.source] : ['', null],
          read ? ['Nearest address', read.nearest_address] : ['', null],
          r.status !== 'open' ? ['Outcome', OUTCOME[r.status] || r.status] : ['', null],
          r.resolved_at ? ['Resolved', timeEl(r.resolved_at)] : ['', null],
        ], `Report ${r.id}`),
        r.status === 'open' ? resolveForm(r, (o) => onResolved(r, o)) : null)));
}

export async function render(main, { search }) {
  const all = search.get('all') === '1';
  const { reports } = await get(`/api/v1/admin/misreads${all ? '?all=true' : ''}`);
  const status = h('div', { role: 'status', 'data-testid': 'misread-status' });
  const list = h('div', { 'data-testid': 'misreads' });
  const draw = (items) => mount(list, items.length
    ? items.map((r) => card(r, async (done, outcome) => {
      const left = items.filter((x) => x.id !== done.id || all);
      mount(status, h('p', { class: 'notice ok', tabindex: '-1' }, `Report ${done.id} resolved: ${OUTCOME[outcome]}. The reporter is told by inbox and email.`));
      draw(all ? (await get('/api/v1/admin/misreads?all=true')).reports : left);
      status.firstChild.focus();
      announce(`Report ${done.id} resolved`);
    }))
    : h('section', { class: 'panel' }, h('p', { class: 'muted' }, all ? 'No misread reports.' : 'No open misread reports.')));
  draw(reports);
  mount(main, h('div', { class: 'wide operator' },
    pageHead('Misread queue', 'Reads that users reported as misread: the read and its photos, and what was reported. The agency\'s query and case are never shown here.'),
    h('p', {}, all
      ? h('a', { href: '/operator/misreads' }, 'Show open reports only')
      : h('a', { href: '/operator/misreads?all=1' }, 'Show resolved reports too')),
    h('p', { class: 'small muted' }, plural(reports.length, all ? 'report' : 'open report')),
    status, list));
}
