// Replay of a logged query (R5.6): the server re-runs it exactly as it ran
// (same plate, state and time frame, against the read store as it stood at
// that moment) and records the replay (`audit.replayed`) before any read
// leaves the store. Every visit to this page is a new, logged replay. The
// photos are not shown: their links belong to the session that ran the
// query.
import { h, mount } from '../dom.js';
import { post } from '../api.js';
import { timeEl, plural, utc } from '../format.js';
import { actorName } from '../audit-params.js';

export async function render(main, { params }) {
  const seq = Number(params.seq);
  let r;
  try {
    r = await post(`/api/v1/audit/entries/${seq}/replay`, {});
  } catch (e) {
    if (e.status !== 404) throw e;
    mount(main, h('section', { class: 'panel narrow' },
      h('h1', {}, 'Nothing to replay'),
      h('p', {}, `Entry #${params.seq} is not a query in your agency's log. Only query entries (query.run) can be replayed.`),
      h('p', {}, h('a', { href: `/audit/entries/${params.seq}` }, 'Open the entry'), ' · ', h('a', { href: '/audit' }, 'Search the log'))));
    return;
  }
  const rows = [...r.results].sort((a, b) => b.captured_at.localeCompare(a.captured_at)).map((x) => h('tr', { 'data-read-id': x.read_id },
    h('td', {}, timeEl(x.captured_at), h('div', { class: 'small muted' }, utc(x.captured_at))),
    h('td', { class: 'mono' }, `${x.plate} (${x.state})`),
    h('td', {}, x.nearest_address, h('div', { class: 'small muted' }, x.nearest_intersection)),
    h('td', { class: 'mono' }, `${x.location.lat.toFixed(6)}, ${x.location.lon.toFixed(6)}`),
    h('td', {}, `${x.source.name} (${x.source.kind_label})`)));
  mount(main, h('div', { class: 'wide' },
    h('div', { class: 'page-head' },
      h('div', {},
        h('p', { class: 'replay-tag', 'aria-hidden': 'true' }, 'Replay'),
        h('h1', {}, `Replay of query #${r.query_id}: ${r.plate} (${r.state}), ${plural(r.result_count, 'sighting')}`)),
      h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: `/audit/entries/${r.query_id}` }, 'Open the query\'s entry'))),
    h('div', { class: 'notice info replay-banner', role: 'note', 'data-testid': 'replay-banner' },
      h('strong', {}, 'This is a replay, not a new query. '),
      'It shows exactly the results the query had when ', actorName(r.ran_by), ' ran it on ', timeEl(r.ran_at),
      ': reads collected later are left out. This replay is itself recorded in the audit log (audit.replayed).'),
    r.results.length
      ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Replayed sightings' },
        h('table', { class: 'data', 'data-testid': 'replay-results' },
          h('thead', {}, h('tr', {}, ['Captured', 'Plate', 'Nearest address', 'GPS', 'Source'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, rows)))
      : h('p', { class: 'panel empty' }, 'The query found no sightings when it ran.')));
}
