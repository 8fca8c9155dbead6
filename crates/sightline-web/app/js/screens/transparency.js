// The public transparency page (transparency.md): no sign-in. For every
// agency that publishes: users with access, searches per month over 12
// months with the share that found a read (a chart and its table),
// active alert-list entries, searches by reason code, and its audit log's
// latest signed checkpoint with the key to check it; then every state's
// collection and retention policy. Aggregates only: the server withholds
// counts from 1 to 4 (`null`), shown here as "fewer than 5".
import { h, mount } from '../dom.js';
import { get } from '../api.js';
import { timeEl } from '../format.js';
import { barChart } from '../components/bar-chart.js';
import { stateName, retentionText } from '../retention.js';

const FEW = 'fewer than 5';
const count = (n) => (n === null || n === undefined ? FEW : n.toLocaleString());
const MONTHS = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthName = (ym) => MONTHS.format(new Date(`${ym}-01T00:00:00Z`));

function tile(key, label, value) {
  return h('div', { class: 'stat-tile', 'data-stat': key }, h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
}

function monthsBlock(a, slug) {
  const id = `${slug}-months`;
  const rows = a.months.map((m) => ({ label: `${monthName(m.month)}${m.partial ? ' (so far)' : ''}${m.searches === null ? ' (<5)' : ''}`, values: [m.searches ?? 0] }));
  const shown = a.months.filter((m) => m.searches !== null);
  const total = shown.reduce((n, m) => n + m.searches, 0);
  const chart = barChart(rows, [{ name: 'Searches', cls: 'series-a' }],
    `${a.agency}: searches per month, last 12 months. ${total.toLocaleString()} searches in the months with 5 or more; months with fewer than 5 are drawn as 0 and marked in the table.`);
  const table = h('table', { class: 'data', 'data-testid': `${slug}-months-table` },
    h('caption', { class: 'visually-hidden' }, `${a.agency}: searches per month`),
    h('thead', {}, h('tr', {}, ['Month', 'Searches', 'Found at least one read'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, a.months.map((m) => h('tr', { 'data-month': m.month },
      h('th', { scope: 'row' }, `${monthName(m.month)}${m.partial ? ' (so far)' : ''}`),
      h('td', { 'data-col': 'searches' }, count(m.searches)),
      h('td', { 'data-col': 'hit_share' }, m.positive_hit_percent === null ? (m.searches === 0 ? '–' : 'withheld') : `${m.positive_hit_percent.toFixed(1)}%`)))));
  return h('section', { class: 'stats-block', 'aria-labelledby': id },
    h('h3', { id }, 'Searches per month'),
    h('div', { class: 'stats-pair' },
      h('figure', { class: 'chart' }, chart),
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${a.agency}: searches per month, table` }, table)),
    h('p', { class: 'small muted' }, 'A month\'s share is withheld unless its searches, those that found a read and those that did not are each 5 or more, so that no small count can be worked out from it.'));
}

function reasonsBlock(a, slug) {
  const id = `${slug}-reasons`;
  const body = a.reason_codes.length
    ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${a.agency}: searches by reason code, table` }, h('table', { class: 'data', 'data-testid': `${slug}-reasons-table` },
      h('caption', { class: 'visually-hidden' }, `${a.agency}: searches by reason code`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason code'), h('th', { scope: 'col' }, 'Searches, 12 months'))),
      h('tbody', {}, a.reason_codes.map((r) => h('tr', { 'data-reason': r.reason_code }, h('th', { scope: 'row' }, r.reason_code), h('td', {}, count(r.searches)))))))
    : h('p', { class: 'muted' }, 'No searches in these months.');
  return h('section', { class: 'stats-block', 'aria-labelledby': id }, h('h3', { id }, 'Searches by reason code'), body);
}

function checkpointBlock(a, slug) {
  const id = `${slug}-checkpoint`;
  const c = a.checkpoint;
  if (!c) return h('section', { 'aria-labelledby': id }, h('h3', { id }, 'Audit log checkpoint'), h('p', { class: 'muted' }, 'No signed checkpoint yet.'));
  return h('section', { class: 'checkpoint', 'aria-labelledby': id, 'data-testid': `${slug}-checkpoint` },
    h('h3', { id }, 'Audit log checkpoint'),
    h('p', {}, 'Every search and change is recorded in an append-only log whose entries are hashed into a Merkle tree. The agency\'s log signs its tree\'s size and root. Keep this checkpoint: any later one must extend it (ask the log for a consistency proof), so entries can be added but never altered or removed unnoticed.'),
    h('dl', { class: 'op-facts', 'aria-label': `${a.agency}: checkpoint` },
      h('dt', {}, 'Log'), h('dd', {}, c.log),
      h('dt', {}, 'Entries (tree size)'), h('dd', { 'data-testid': `${slug}-tree-size` }, c.tree_size.toLocaleString()),
      h('dt', {}, 'Root hash'), h('dd', { class: 'wrap mono' }, c.root_hash),
      h('dt', {}, 'Signed'), h('dd', {}, timeEl(c.signed_at))),
    h('h4', {}, 'Signed note'),
    h('pre', { class: 'command', 'data-testid': `${slug}-note`, tabindex: '0', 'aria-label': 'Signed note' }, c.note),
    h('h4', {}, 'Verifier key'),
    h('pre', { class: 'command', 'data-testid': `${slug}-vkey`, tabindex: '0', 'aria-label': 'Verifier key' }, c.vkey),
    h('p', { class: 'small muted' }, 'The note is in the C2SP signed-note format; the key is its Ed25519 verifier key (name+hash+key).'));
}

function agencyBlock(a, i) {
  const slug = `agency-${i + 1}`;
  return h('section', { class: 'panel transparency-agency', 'aria-labelledby': slug, 'data-agency': a.agency },
    h('h2', { id: slug }, a.agency),
    h('p', { class: 'small muted' }, 'Figures computed ', timeEl(a.computed_at), ' from the agency\'s audit log; refreshed every 15 minutes.'),
    h('div', { class: 'stat-tiles' },
      tile('users_with_access', 'Users with access', count(a.users_with_access)),
      tile('active_alert_entries', 'Alert-list entries active now', count(a.active_alert_entries))),
    monthsBlock(a, slug), reasonsBlock(a, slug), checkpointBlock(a, slug));
}

function retentionBlock(list) {
  return h('section', { class: 'panel', 'aria-labelledby': 'retention-h' },
    h('h2', { id: 'retention-h' }, 'Retention by state'),
    h('p', {}, 'Reads are collected only where the state allows it, and deleted when that state\'s limit is reached.'),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Retention by state, table' }, h('table', { class: 'data', 'data-testid': 'retention' },
      h('caption', { class: 'visually-hidden' }, 'Collection and retention by state'),
      h('thead', {}, h('tr', {}, ['State', 'Collection', 'Reads kept'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, list.map((p) => h('tr', { 'data-state': p.state },
        h('th', { scope: 'row' }, `${stateName(p.state)} (${p.state})`),
        h('td', {}, p.collection_allowed ? 'Allowed' : 'Not allowed'),
        h('td', {}, p.collection_allowed ? retentionText(p.retention_seconds) : '—')))))));
}

export async function render(main) {
  const page = await get('/api/v1/transparency', { quiet: true });
  mount(main, h('div', { class: 'wide transparency' },
    h('div', { class: 'page-head' }, h('div', {},
      h('h1', {}, 'Transparency'),
      h('p', { class: 'muted' }, `How agencies use Sightline, in aggregate, for the agencies that choose to publish it. No plates, names or case details: counts only, and any count from 1 to ${page.suppressed_below - 1} is shown as "${FEW}".`))),
    page.agencies.length ? page.agencies.map(agencyBlock) : h('section', { class: 'panel' }, h('p', {}, 'No agency publishes its figures yet.')),
    retentionBlock(page.retention)));
}
