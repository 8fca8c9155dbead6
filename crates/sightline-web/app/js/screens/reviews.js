// Supervisor review (issue 16, docs/oversight.md), in the auditor's and the
// manager's consoles: the queue of sampled and flagged queries of the
// reviewer's scope (their AOR's users, or the whole agency), each shown
// as it was logged (never a new search), and the report: unreviewed items
// by age, coverage per AOR, outcomes. A reviewer marks a query justified
// or questioned, with a note; a questioned query opens an incident and
// its notice goes to the professional-responsibility and security contacts.
import { h, mount, announce } from '../dom.js';
import { field, fieldset, choice, submitting } from '../forms.js';
import { get, post } from '../api.js';
import { timeEl } from '../format.js';
import { pageHead } from '../manage.js';

const STATUSES = [['pending', 'Waiting for review'], ['questioned', 'Questioned'], ['justified', 'Justified'], ['all', 'All']];

export async function render(main, { search }) {
  const status = STATUSES.some(([s]) => s === search?.get('status')) ? search.get('status') : 'pending';
  const [queue, report] = await Promise.all([
    get(`/api/v1/reviews?status=${encodeURIComponent(status)}`), get('/api/v1/reviews/report')]);
  const body = h('div');
  const draw = (items) => mount(body, items.length
    ? h('ol', { class: 'review-list', 'data-testid': 'review-queue' }, items.map((i) => itemCard(i, () => render(main, { search }))))
    : h('p', { class: 'muted', 'data-testid': 'review-empty' }, status === 'pending' ? 'Nothing is waiting for review.' : 'No items.'));
  draw(queue.items);
  const filter = h('nav', { class: 'filters', 'aria-label': 'Review status' },
    STATUSES.map(([s, label]) => h('a', { href: `?status=${s}`, 'aria-current': s === status ? 'page' : null }, label)));
  mount(main, h('div', { class: 'wide' },
    pageHead('Reviews', `Queries sampled at random or flagged for review: ${report.scope === 'agency' ? 'the whole agency' : `AOR ${report.scope}`}.`),
    reportPanel(report),
    h('section', { class: 'panel', 'aria-labelledby': 'queue-h' }, h('h2', { id: 'queue-h' }, 'Queue'), filter, body)));
}

function reportPanel(r) {
  return h('section', { class: 'panel', 'aria-labelledby': 'report-h', 'data-testid': 'review-report' },
    h('h2', { id: 'report-h' }, 'Report'),
    h('div', { class: 'manage-pair' },
      h('div', {},
        h('h3', {}, 'Waiting, by age'),
        h('table', { class: 'data', 'data-testid': 'review-ages' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Age'), h('th', { scope: 'col' }, 'Items'))),
          h('tbody', {}, r.unreviewed_by_age.map((b) => h('tr', { 'data-bucket': b.bucket }, h('td', {}, b.label), h('td', {}, String(b.count))))))),
      h('div', {},
        h('h3', {}, 'Outcomes'),
        h('dl', { class: 'facts', 'data-testid': 'review-outcomes' },
          h('dt', {}, 'Waiting'), h('dd', {}, String(r.outcomes.pending)),
          h('dt', {}, 'Justified'), h('dd', {}, String(r.outcomes.justified)),
          h('dt', {}, 'Questioned'), h('dd', {}, String(r.outcomes.questioned)),
          h('dt', {}, 'Sampled'), h('dd', {}, String(r.sampled)),
          h('dt', {}, 'Flagged'), h('dd', {}, String(r.flagged))))),
    h('h3', {}, 'Coverage by AOR'),
    h('table', { class: 'data', 'data-testid': 'review-coverage' },
      h('thead', {}, h('tr', {}, ['AOR', 'Queued', 'Reviewed', 'Coverage'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, r.coverage.length
        ? r.coverage.map((c) => h('tr', {}, h('td', {}, c.aor), h('td', {}, String(c.queued)), h('td', {}, String(c.reviewed)), h('td', {}, `${c.percent} %`)))
        : h('tr', {}, h('td', { colspan: 4 }, 'Nothing queued yet.')))));
}

function itemCard(i, reload) {
  const q = i.query;
  const why = [
    i.sampled ? h('li', {}, h('span', { class: 'tag other' }, 'Random sample')) : null,
    i.flags.map((f) => h('li', { 'data-rule': f.rule }, h('span', { class: 'tag prompt' }, f.rule.replace(/_/g, ' ')), ' ', f.explanation)),
  ];
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, 'User'), h('dd', {}, `${i.display_name} (${i.username})${i.aor ? `, AOR ${i.aor}` : ''}`),
    h('dt', {}, 'Ran'), h('dd', {}, timeEl(q.at)),
    h('dt', {}, 'Plate'), h('dd', { class: 'mono' }, `${q.plate} (${q.state})`),
    h('dt', {}, 'Reason'), h('dd', {}, `${q.reason_code}${q.program ? `, ${q.program}` : ''}`),
    h('dt', {}, 'Case reference'), h('dd', { 'data-testid': 'review-case' }, q.case_reference),
    h('dt', {}, 'For'), h('dd', {}, q.on_behalf_of || 'Themselves'),
    h('dt', {}, 'Time frame'), h('dd', {}, timeEl(q.from, { dateOnly: true }), ' to ', timeEl(q.to, { dateOnly: true })));
  const decided = i.status !== 'pending'
    ? h('p', { class: `notice ${i.status === 'questioned' ? 'warn' : 'ok'}`, 'data-testid': 'review-outcome' },
      `${i.status === 'questioned' ? 'Questioned' : 'Justified'} by ${i.reviewer || 'a reviewer'}`, i.reviewed_at ? [' on ', timeEl(i.reviewed_at)] : '', '. ',
      i.note ? `Note: ${i.note}` : '', i.incident_id ? ` Incident ${i.incident_id} was opened.` : '')
    : decisionForm(i, reload);
  return h('li', { class: 'panel review-item', 'data-review': String(i.id), 'data-testid': 'review-item' },
    h('h3', {}, `Query ${i.query_id}`, ' ', h('span', { class: 'muted small' }, 'queued ', timeEl(i.queued_at))),
    h('ul', { class: 'review-why' }, why),
    facts, decided);
}

function decisionForm(i, reload) {
  const justified = choice('radio', `outcome-${i.id}`, 'justified', 'Justified');
  const questioned = choice('radio', `outcome-${i.id}`, 'questioned', 'Questioned: suspected unauthorized use');
  const outcome = fieldset('outcome', 'Your finding', [h('div', { class: 'choices' }, justified, questioned)],
    'Questioned opens an incident and notifies your professional-responsibility office and security contacts.');
  const note = field('note', 'Note', h('textarea', { rows: 3 }), 'Why: kept sealed in the audit log.');
  const form = h('form', { novalidate: true, 'aria-label': `Review query ${i.query_id}` }, outcome, note,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Record review')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const chosen = form.querySelector(`input[name="outcome-${i.id}"]:checked`)?.value || null;
      const r = await post(`/api/v1/reviews/${i.id}`, { outcome: chosen, note: note.control.value });
      announce(r.outcome === 'questioned' ? `Questioned. Incident ${r.incident_id} opened; notice sent to ${r.notified.length} contacts.` : 'Marked justified.');
      await reload();
    }, { title: 'The review was not recorded' });
  });
  return form;
}
