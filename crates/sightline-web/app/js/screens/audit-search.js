// The auditor's search of the agency's audit log (R5.3): by user,
// on-behalf-of person, plate and state, reason code, action, outcome and
// time range; newest first, 25 to a page. The search lives in the URL, so
// Back, reload and a shared link show the same search, and every export
// below is of exactly that search. Each search is itself logged
// (`audit.searched`) by the server. The operator's staff get the same
// screen over the operator log (`/operator/log`): its own actions only,
// searched by user, action, outcome and time, never an agency's log.
import { h, mount } from '../dom.js';
import { field, input, showErrors } from '../forms.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { stateInput, stateValue } from '../jurisdictions.js';
import { timeEl, plural } from '../format.js';
import { apiQuery, cleanSearch, actorName, summary, AGENCY_LOG, OPERATOR_LOG } from '../audit-params.js';
import { downloadButtons } from '../components/export-download.js';

const PAGE = 25;

function outcomeTag(outcome) {
  return h('span', { class: `outcome outcome-${outcome}` }, outcome);
}

export const render = (main, ctx) => searchScreen(main, ctx, AGENCY_LOG);
export const renderOperator = (main, ctx) => searchScreen(main, ctx, OPERATOR_LOG);

async function searchScreen(main, { search }, log) {
  const s = cleanSearch(search, log);
  const before = search.get('before');

  const st = await stateInput('audit-state', s.get('state') || '');
  const actions = h('datalist', { id: 'audit-actions' }, log.actions.map((a) => h('option', { value: a })));
  const outcomeSel = h('select', {},
    h('option', { value: '' }, 'Any outcome'),
    ['success', 'refused', 'failed'].map((o) => h('option', { value: o, selected: s.get('outcome') === o }, o)));
  const all = {
    user: field('user', 'User', input({ value: s.get('user') || '', autocomplete: 'off', spellcheck: 'false' }), 'The username of whoever acted.'),
    on_behalf_of: field('on_behalf_of', 'On behalf of', input({ value: s.get('on_behalf_of') || '', autocomplete: 'off' }), 'Part of the name a query was run for.'),
    plate: field('plate', 'Plate', input({ value: s.get('plate') || '', autocomplete: 'off', spellcheck: 'false', class: 'mono' }), 'The whole plate, as on the vehicle.'),
    state: field('state', 'State', st.input, 'With the plate: its state or jurisdiction.'),
    reason_code: field('reason_code', 'Reason code', input({ value: s.get('reason_code') || '', autocomplete: 'off', spellcheck: 'false' }), 'e.g. criminal-investigation'),
    action: field('action', 'Action', input({ value: s.get('action') || '', list: 'audit-actions', autocomplete: 'off', spellcheck: 'false' }), log.actionHint),
    outcome: field('outcome', 'Outcome', outcomeSel),
    from: field('from', 'From', input({ type: 'date', value: s.get('from') || '' }), 'First day, in your time zone.'),
    to: field('to', 'To', input({ type: 'date', value: s.get('to') || '' }), 'Last day, included.'),
  };
  const fields = Object.fromEntries(log.fields.map((name) => [name, all[name]]));
  all.state.append(st.datalist);
  fields.action.append(actions);
  const form = h('form', { novalidate: true, class: 'audit-search', 'aria-label': 'Search the audit log' },
    h('div', { class: 'search-grid' }, Object.values(fields)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Search'),
      h('a', { class: 'button secondary', href: log.base }, 'Clear'),
      h('span', { class: 'small muted' }, `Every search is recorded in the ${log.title.toLowerCase()}.`)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [name, f] of Object.entries(fields)) {
      const v = name === 'state' ? stateValue(f.control.value) : f.control.value.trim();
      if (v) q.set(name, v);
    }
    if (q.get('from') && q.get('to') && q.get('to') < q.get('from')) {
      showErrors(form, [{ field: 'to', message: 'the last day is before the first day' }], { title: 'The search was not run' });
      return;
    }
    navigate(`${log.base}${q.toString() ? `?${q}` : ''}`);
  });

  const head = h('div', { class: 'page-head' }, h('div', {},
    h('h1', {}, log.title),
    h('p', { class: 'muted' }, log.lead)));

  const q = apiQuery(s, log);
  q.set('limit', String(PAGE));
  if (before) q.set('before', before);
  let page;
  try {
    page = await get(`/api/v1/audit/entries?${q}`);
  } catch (e) {
    mount(main, h('div', { class: 'wide' }, head, h('section', { class: 'panel' }, form)));
    if (e.errors) showErrors(form, e.errors, { title: 'The search was not run' });
    else throw e;
    return;
  }

  const withSearch = (path, extra = {}) => {
    const p = new URLSearchParams(s);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return `${path}${p.toString() ? `?${p}` : ''}`;
  };
  const rows = page.entries.map((e) => h('tr', { 'data-seq': e.seq },
    h('td', {}, h('a', { href: withSearch(`${log.base}/entries/${e.seq}`), 'aria-label': `Entry ${e.seq}` }, `#${e.seq}`)),
    h('td', {}, timeEl(e.at)),
    h('td', {}, actorName(e.actor)),
    h('td', { class: 'mono' }, e.action),
    h('td', {}, outcomeTag(e.outcome)),
    h('td', { class: 'note-cell' }, summary(e))));
  const table = page.entries.length
    ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Audit entries' },
      h('table', { class: 'data audit-table', 'data-testid': 'audit-results' },
        h('thead', {}, h('tr', {}, ['Entry', 'Time', 'User', 'Action', 'Outcome', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows)))
    : h('p', { class: 'panel empty', 'data-testid': 'audit-empty' }, 'No entries match this search.');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of results' },
    before ? h('a', { href: withSearch(log.base) }, 'Newest entries') : null,
    page.next_before ? h('a', { href: withSearch(log.base, { before: String(page.next_before) }), rel: 'next' }, 'Older entries') : null);

  const exportQuery = apiQuery(s, log);
  const exportUrl = (format) => `/api/v1/audit/export?format=${format}${exportQuery.toString() ? `&${exportQuery}` : ''}`;
  const exports = downloadButtons([
    { label: 'Excel', format: 'xlsx', url: exportUrl('xlsx'), name: 'sightline-audit.xlsx' },
    { label: 'PDF', format: 'pdf', url: exportUrl('pdf'), name: 'sightline-audit.pdf' },
    { label: 'CSV', format: 'csv', url: exportUrl('csv'), name: 'sightline-audit.csv' },
    { label: 'JSON Lines', format: 'jsonl', url: exportUrl('jsonl'), name: 'sightline-audit.jsonl' },
  ], { label: 'Export this search' });

  const count = page.next_before
    ? `${plural(page.entries.length, 'entry', 'entries')} on this page`
    : plural(page.entries.length, 'entry', 'entries');
  mount(main, h('div', { class: 'wide' },
    head,
    h('section', { class: 'panel' }, form),
    h('section', { class: 'audit-results', 'aria-labelledby': 'audit-results-h' },
      h('div', { class: 'section-head' },
        h('h2', { id: 'audit-results-h' }, before ? `Older entries: ${count}` : `Results: ${count}`)),
      table, pager),
    log.exports ? h('section', { class: 'panel', 'aria-labelledby': 'audit-export-h' },
      h('h2', { id: 'audit-export-h' }, 'Export this search'),
      h('p', { class: 'small muted' }, 'Every entry the search finds (not only this page), with the signed checkpoint it was cut from and each entry\'s leaf hash; Excel, CSV and JSON Lines carry the inclusion proofs too. Exports are recorded in the audit log.'),
      exports) : h('p', { class: 'panel small muted' }, log.exportNote)));
}
