// Recent queries (R3.10): your own and your groups' members', each
// re-openable. Re-opening fills the form; running it is a new logged query.
import { h, mount } from '../dom.js';
import { get } from '../api.js';
import { app } from '../state.js';
import { navigate } from '../router.js';
import { timeEl, fmtDate } from '../format.js';

const DAY = 86_400_000;

export async function render(main, { search }) {
  const scope = search.get('scope') === 'mine' ? 'mine' : 'groups';
  const url = scope === 'groups' ? '/api/v1/queries?include=groups&limit=50' : '/api/v1/queries?limit=50';
  const { queries } = await get(url);
  const tabs = h('div', { class: 'actions', role: 'group', 'aria-label': 'Whose queries' },
    h('a', { class: `button ${scope === 'groups' ? '' : 'secondary'}`, href: '/recent', 'aria-current': scope === 'groups' ? 'page' : null }, 'Mine and my groups\''),
    h('a', { class: `button ${scope === 'mine' ? '' : 'secondary'}`, href: '/recent?scope=mine', 'aria-current': scope === 'mine' ? 'page' : null }, 'Only mine'));
  const mine = (q) => !q.username || q.username === app.me.username;
  const items = queries.map((q) => {
    const span = Math.round((Date.parse(q.timeframe.end) - Date.parse(q.timeframe.start)) / DAY);
    const reopen = () => {
      app.prefill = { plate: q.plate, state: q.state, reason_code: q.reason_code, case_reference: q.case_reference, on_behalf_of: q.on_behalf_of, days: span };
      navigate('/query');
    };
    return h('li', { class: 'panel', 'data-query-id': q.query_id },
      h('div', {},
        h('strong', { class: 'mono' }, `${q.plate} (${q.state})`), ' · ', q.reason_code,
        h('div', { class: 'small muted' }, 'Run ', timeEl(q.at), mine(q) ? ' by you' : ` by ${q.display_name || q.username}`,
          ` · ${fmtDate(q.timeframe.start)} to ${fmtDate(q.timeframe.end)} · query #${q.query_id}`),
        h('div', { class: 'small' }, `Case: ${q.case_reference}${q.on_behalf_of ? ` · on behalf of ${q.on_behalf_of}` : ''}`)),
      h('button', { type: 'button', class: 'secondary', onclick: reopen }, 'Run again', h('span', { class: 'visually-hidden' }, `: ${q.plate} (${q.state})`)));
  });
  mount(main, h('div', { class: 'medium' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Recent queries'), tabs),
    h('p', { class: 'muted' }, 'Running a query again opens the form filled in; it runs as a new query, logged like any other.'),
    items.length ? h('ul', { class: 'recent-list' }, items) : h('p', { class: 'panel empty' }, 'No queries yet.')));
}
