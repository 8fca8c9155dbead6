// Usage reports for the manager's AOR (R5.5): searches, positive hits and
// alert-list activity (hits on listed plates, plates added) per user and
// per reason code, over any range of days; Excel and PDF downloads of the
// same figures. The server counts them from the audit log, limited to the
// users the manager manages, and records every reading and download.
// Below the period, the quarterly report as PDF and Excel (the same as the
// auditors', limited to the manager's AOR when they have one).
import { h, mount } from '../dom.js';
import { field, input, showErrors } from '../forms.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { dayStart, dayAfter, localDate } from '../audit-params.js';
import { barChart } from '../components/bar-chart.js';
import { downloadButtons } from '../components/export-download.js';
import { quarterlyReport } from '../components/quarterly-report.js';
import { app } from '../state.js';
import { pageHead } from '../manage.js';

const BREAKDOWNS = [['by_user', 'By user', 'User'], ['by_reason_code', 'By reason code', 'Reason code'], ['by_program', 'By program', 'Program']];
const COLS = [['searches', 'Searches'], ['positive_hits', 'Positive hits'], ['alert_hits', 'Alert-list hits'], ['alert_entries_added', 'Plates added to alert lists']];

function breakdown(key, title, col, map) {
  const id = `usage-${key}`;
  const entries = Object.entries(map || {}).sort((a, b) => b[1].searches - a[1].searches || a[0].localeCompare(b[0]));
  if (!entries.length) {
    return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), h('p', { class: 'muted' }, 'Nothing in this period.'));
  }
  const chart = barChart(entries.slice(0, 12).map(([name, c]) => ({ label: name, values: [c.searches, c.alert_hits, c.alert_entries_added] })),
    [{ name: 'Searches', cls: 'series-a' }, { name: 'Alert-list hits', cls: 'series-b' }, { name: 'Plates listed', cls: 'series-c' }],
    `${title}: bar chart of searches, alert-list hits and plates added to lists. Most searches: ${entries[0][0]} with ${entries[0][1].searches}.`);
  return h('section', { class: 'panel', 'aria-labelledby': id },
    h('h2', { id }, title),
    h('div', { class: 'stats-pair' },
      h('figure', { class: 'chart' }, chart),
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${title}, table` },
        h('table', { class: 'data stats-table', 'data-testid': id },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, col), COLS.map(([, l]) => h('th', { scope: 'col' }, l)))),
          h('tbody', {}, entries.map(([name, c]) => h('tr', { 'data-key': name },
            h('th', { scope: 'row' }, name), COLS.map(([k]) => h('td', { 'data-col': k }, String(c[k] ?? 0))))))))));
}

export async function render(main, { search }) {
  const fromV = search.get('from') || localDate(new Date(Date.now() - 29 * 86_400_000));
  const toV = search.get('to') || localDate(new Date());
  const from = field('from', 'From', input({ type: 'date', value: fromV }), 'First day, in your time zone.');
  const to = field('to', 'To', input({ type: 'date', value: toV }), 'Last day, included.');
  const form = h('form', { novalidate: true, 'aria-label': 'Time frame' },
    h('div', { class: 'search-grid' }, from, to),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show usage'),
      h('span', { class: 'small muted' }, 'Reading and exporting usage is recorded in the audit log.')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = from.control.value;
    const t = to.control.value;
    const errors = [];
    if (!f) errors.push({ field: 'from', message: 'enter the first day' });
    if (!t) errors.push({ field: 'to', message: 'enter the last day' });
    if (f && t && t < f) errors.push({ field: 'to', message: 'the last day is before the first day' });
    if (errors.length) { showErrors(form, errors, { title: 'The usage was not shown' }); return; }
    navigate(`/manage/usage?from=${f}&to=${t}`);
  });
  const head = pageHead('Usage', 'Searches and alert-list activity of the users you manage, counted by the server from the audit log.');
  const range = `from=${encodeURIComponent(dayStart(fromV))}&to=${encodeURIComponent(dayAfter(toV))}`;
  const quarterly = quarterlyReport({
    note: app.me?.aor_id ? 'It counts the users of your area of responsibility, as these figures do, and its cover says so.' : 'It counts the whole agency.',
  });
  let st;
  try {
    st = await get(`/api/v1/reports/statistics?${range}`);
  } catch (e) {
    mount(main, h('div', { class: 'wide' }, head, h('section', { class: 'panel' }, form), quarterly));
    if (e.errors) showErrors(form, e.errors, { title: 'The usage was not shown' });
    else throw e;
    return;
  }
  const t = st.totals;
  const tile = (key, label, val) => h('div', { class: 'stat-tile', 'data-stat': key }, h('span', { class: 'stat-value' }, String(val)), h('span', { class: 'stat-label' }, label));
  mount(main, h('div', { class: 'wide' },
    head,
    h('section', { class: 'panel' }, form),
    h('section', { class: 'panel', 'aria-labelledby': 'usage-totals' },
      h('h2', { id: 'usage-totals' }, `Totals, ${fromV} to ${toV}`),
      h('div', { class: 'stat-tiles', 'data-testid': 'usage-totals' },
        tile('searches', 'Searches', t.searches),
        tile('positive_hits', 'Positive hits', t.positive_hits),
        tile('alert_hits', 'Alert-list hits', t.alert_hits),
        tile('alert_entries_added', 'Plates added to alert lists', t.alert_entries_added ?? 0)),
      h('h3', {}, 'Download these figures'),
      downloadButtons([
        { label: 'Excel', format: 'xlsx', url: `/api/v1/reports/statistics/export?format=xlsx&${range}`, name: 'sightline-usage.xlsx' },
        { label: 'PDF', format: 'pdf', url: `/api/v1/reports/statistics/export?format=pdf&${range}`, name: 'sightline-usage.pdf' },
      ], { label: 'Export usage' })),
    BREAKDOWNS.map(([key, title, col]) => breakdown(key, title, col, st[key])),
    quarterly));
}
