// Statistics for any time frame (R5.5): searches, positive hits (searches
// that returned at least one read), the hit ratio and alert-list hits, in
// total and by user, AOR, program, reason code and on-behalf-of person.
// The server counts them from the audit log itself and records that the
// statistics were read (`report.statistics`). Each breakdown is a chart and
// the table it draws. Beside them, the quarterly report as PDF and Excel.
import { h, mount } from '../dom.js';
import { field, input, showErrors } from '../forms.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { dayStart, dayAfter, localDate } from '../audit-params.js';
import { barChart } from '../components/bar-chart.js';
import { quarterlyReport } from '../components/quarterly-report.js';

const pct = (r) => `${(r * 100).toFixed(1)}%`;

const BREAKDOWNS = [
  ['by_user', 'By user', 'User'],
  ['by_aor', 'By area of responsibility', 'AOR'],
  ['by_program', 'By program', 'Program'],
  ['by_reason_code', 'By reason code', 'Reason code'],
  ['by_on_behalf_of', 'By whom the search was for', 'On behalf of'],
];

function breakdown(key, title, col, map) {
  const entries = Object.entries(map || {}).sort((a, b) => b[1].searches - a[1].searches || a[0].localeCompare(b[0]));
  const id = `stats-${key}`;
  if (!entries.length) {
    return h('section', { class: 'panel stats-block', 'aria-labelledby': id, 'data-breakdown': key },
      h('h2', { id }, title), h('p', { class: 'muted' }, 'Nothing in this period.'));
  }
  const table = h('table', { class: 'data stats-table', 'data-testid': id },
    h('caption', { class: 'visually-hidden' }, title),
    h('thead', {}, h('tr', {}, [col, 'Searches', 'Positive hits', 'Hit ratio', 'Alert-list hits'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, entries.map(([name, c]) => h('tr', { 'data-key': name },
      h('th', { scope: 'row' }, name),
      h('td', { 'data-col': 'searches' }, String(c.searches)),
      h('td', { 'data-col': 'positive_hits' }, String(c.positive_hits)),
      h('td', { 'data-col': 'hit_ratio' }, c.searches ? pct(c.hit_ratio) : '–'),
      h('td', { 'data-col': 'alert_hits' }, String(c.alert_hits))))));
  const chartRows = entries.slice(0, 12).map(([name, c]) => ({ label: name, values: [c.searches, c.positive_hits, c.alert_hits] }));
  const top = entries[0];
  const chart = barChart(chartRows, [
    { name: 'Searches', cls: 'series-a' }, { name: 'Positive hits', cls: 'series-b' }, { name: 'Alert-list hits', cls: 'series-c' },
  ], `${title}: bar chart of searches, positive hits and alert-list hits. Most searches: ${top[0]} with ${top[1].searches}.`);
  return h('section', { class: 'panel stats-block', 'aria-labelledby': id, 'data-breakdown': key },
    h('h2', { id }, title),
    h('div', { class: 'stats-pair' },
      h('figure', { class: 'chart' }, chart, entries.length > 12 ? h('figcaption', { class: 'small muted' }, 'The 12 with most searches; the table has all.') : null),
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${title}, table` }, table)));
}

export async function render(main, { search }) {
  const today = localDate(new Date());
  const monthAgo = localDate(new Date(Date.now() - 29 * 86_400_000));
  const fromV = search.get('from') || monthAgo;
  const toV = search.get('to') || today;
  const from = field('from', 'From', input({ type: 'date', value: fromV }), 'First day, in your time zone.');
  const to = field('to', 'To', input({ type: 'date', value: toV }), 'Last day, included.');
  const form = h('form', { novalidate: true, class: 'stats-form', 'aria-label': 'Time frame' },
    h('div', { class: 'search-grid' }, from, to),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show statistics'),
      h('span', { class: 'small muted' }, 'Reading statistics is recorded in the audit log.')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = from.control.value;
    const t = to.control.value;
    const errors = [];
    if (!f) errors.push({ field: 'from', message: 'enter the first day' });
    if (!t) errors.push({ field: 'to', message: 'enter the last day' });
    if (f && t && t < f) errors.push({ field: 'to', message: 'the last day is before the first day' });
    if (errors.length) { showErrors(form, errors, { title: 'The statistics were not shown' }); return; }
    navigate(`/audit/statistics?from=${f}&to=${t}`);
  });
  const head = h('div', { class: 'page-head' }, h('div', {},
    h('h1', {}, 'Statistics'),
    h('p', { class: 'muted' }, 'Counted by the server from your agency\'s audit log: query.run (searches), query.results with at least one read (positive hits) and alert.hit.')));

  const quarterly = quarterlyReport();
  let st;
  try {
    st = await get(`/api/v1/reports/statistics?from=${encodeURIComponent(dayStart(fromV))}&to=${encodeURIComponent(dayAfter(toV))}`);
  } catch (e) {
    mount(main, h('div', { class: 'wide' }, head, h('section', { class: 'panel' }, form), quarterly));
    if (e.errors) showErrors(form, e.errors, { title: 'The statistics were not shown' });
    else throw e;
    return;
  }
  const t = st.totals;
  const tile = (key, label, val) => h('div', { class: 'stat-tile', 'data-stat': key }, h('span', { class: 'stat-value' }, val), h('span', { class: 'stat-label' }, label));
  mount(main, h('div', { class: 'wide' },
    head,
    h('section', { class: 'panel' }, form),
    quarterly,
    h('section', { class: 'panel', 'aria-labelledby': 'stats-totals' },
      h('h2', { id: 'stats-totals' }, `Totals, ${fromV} to ${toV}`),
      h('div', { class: 'stat-tiles', 'data-testid': 'stats-totals' },
        tile('searches', 'Searches', String(t.searches)),
        tile('positive_hits', 'Positive hits', String(t.positive_hits)),
        tile('hit_ratio', 'Hit ratio', t.searches ? pct(t.hit_ratio) : '–'),
        tile('alert_hits', 'Alert-list hits', String(t.alert_hits)),
        tile('notifications_sent', 'Notifications sent', String(t.notifications_sent)),
        tile('alert_list_size', 'Alert-list entries active now', String(st.alert_list_size)))),
    BREAKDOWNS.map(([key, title, col]) => breakdown(key, title, col, st[key]))));
}
