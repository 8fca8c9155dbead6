// Training (R2.5): the manager records a completed course with its
// evidence, and reads the training-versus-users report: who holds access
// without current training (the extractor already refuses them every
// query), whose training lapses within 30 days, and who is current. The
// report downloads as Excel or CSV in one click; the download is audited.
import { h, mount, announce } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { get, post } from '../api.js';
import { navigate } from '../router.js';
import { downloadButtons } from '../components/export-download.js';
import { timeEl, plural } from '../format.js';
import { pageHead } from '../manage.js';
import { app } from '../state.js';

let flash = null;

function reportTable(id, title, rows, hint) {
  return h('section', { class: 'panel', 'aria-labelledby': id, 'data-testid': id },
    h('h2', { id }, `${title}: ${rows.length}`),
    hint ? h('p', { class: 'small muted' }, hint) : null,
    rows.length
      ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${title}, table` }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['User', 'Last training', 'Expires'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-user': r.username },
          h('th', { scope: 'row', class: 'mono' }, r.username),
          h('td', {}, r.last_training ? timeEl(r.last_training, { dateOnly: true }) : 'None recorded'),
          h('td', {}, r.expires_at ? timeEl(r.expires_at, { dateOnly: true }) : '—'))))))
      : h('p', { class: 'muted' }, 'Nobody.'));
}

export async function render(main, { search }) {
  const [users, report] = await Promise.all([get('/api/v1/users'), get('/api/v1/reports/training')]);
  const shown = flash;
  flash = null;
  const chosen = search.get('user') || '';
  // Nobody records their own training: the API refuses it, so the list leaves you out.
  const people = users.users.filter((u) => u.status !== 'terminated' && u.username !== app.me?.username);
  const who = h('select', {}, h('option', { value: '' }, 'Choose a user'),
    people.map((u) => h('option', { value: String(u.id), selected: u.username === chosen }, `${u.display_name} (${u.username})`)));
  const f = {
    user: field('user', 'User', who),
    course: field('course', 'Course', input({ autocomplete: 'off' }), 'e.g. Sightline privacy and rules of behavior, 2026.'),
    completed_on: field('completed_on', 'Completed on', input({ type: 'date' }), 'The day on the certificate; not in the future.'),
    evidence: field('evidence', 'Evidence', input({ autocomplete: 'off' }), 'Where the certificate is kept, e.g. LMS certificate 2026-1142.'),
  };
  const form = h('form', { novalidate: true, 'aria-label': 'Record a training completion' },
    h('div', { class: 'search-grid' }, Object.values(f)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Record training'),
      h('span', { class: 'small muted' }, 'Training counts for 12 months from the day it was completed.')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      if (!who.value) throw { errors: [{ field: 'user', message: 'choose whose training this is' }] };
      await post(`/api/v1/users/${who.value}/training`, {
        course: f.course.control.value,
        completed_on: f.completed_on.control.value,
        evidence: f.evidence.control.value,
      });
      const name = people.find((u) => String(u.id) === who.value)?.username;
      flash = h('div', { class: 'notice ok', role: 'status', 'data-testid': 'training-recorded' }, `Training recorded for ${name}.`);
      announce(`Training recorded for ${name}`);
      await navigate('/manage/training', { replace: true });
    }, { title: 'The training was not recorded' });
  });
  const missing = report.missing.length;
  mount(main, h('div', { class: 'wide' },
    pageHead('Training', 'Nobody may use Sightline without training completed in the last 12 months.'),
    shown,
    h('section', { class: 'panel', 'aria-labelledby': 'record-h' }, h('h2', { id: 'record-h' }, 'Record a completion'), form),
    h('section', { class: 'panel', 'aria-labelledby': 'report-h' },
      h('h2', { id: 'report-h' }, 'Training versus users'),
      h('p', { class: missing ? 'notice warn' : 'notice ok', 'data-testid': 'training-summary' },
        missing ? `${plural(missing, 'active user has', 'active users have')} access without current training.` : 'Every active user has current training.'),
      downloadButtons([
        { label: 'Excel', format: 'xlsx', url: '/api/v1/reports/training/export?format=xlsx', name: 'sightline-training.xlsx' },
        { label: 'CSV', format: 'csv', url: '/api/v1/reports/training/export?format=csv', name: 'sightline-training.csv' },
      ], { label: 'Export the training report' })),
    reportTable('training-missing', 'Access without current training', report.missing, 'Active accounts with no training on record, or training over 12 months old. Sightline refuses their queries until training is recorded.'),
    reportTable('training-expiring', 'Lapsing within 30 days', report.expiring_within_30_days),
    reportTable('training-current', 'Current', report.current)));
}
