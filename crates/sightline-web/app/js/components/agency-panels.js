// Two agency-wide choices on the manager's settings page: whether the
// agency's aggregates appear on the public transparency page (with a
// preview of exactly what it shows), and, once the operator has started the
// contract end, the transfer window with the exports and the confirmation
// that the agency has its data. The API refuses AOR managers both changes;
// the page tells them so instead of offering buttons that fail.
import { h, mount, announce } from '../dom.js';
import { get, api, post, getBlob, Problem } from '../api.js';
import { timeEl } from '../format.js';
import { confirmAction } from './confirm.js';
import { isAgencyWide } from '../manage.js';

const withheld = (n) => (n === null || n === undefined ? 'fewer than 5' : n.toLocaleString('en-US'));

function preview(p) {
  const months = p.months.map((m) => h('tr', {},
    h('th', { scope: 'row' }, m.partial ? `${m.month} (to date)` : m.month),
    h('td', {}, withheld(m.searches)),
    h('td', {}, m.positive_hit_percent === null ? 'withheld' : `${m.positive_hit_percent}%`)));
  return h('div', { class: 'transparency-preview', 'data-testid': 'transparency-preview' },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Users with access'), h('dd', {}, withheld(p.users_with_access)),
      h('dt', {}, 'Active alert-list entries'), h('dd', {}, withheld(p.active_alert_entries)),
      h('dt', {}, 'Audit log checkpoint'), h('dd', {}, p.checkpoint ? `tree size ${p.checkpoint.tree_size}` : 'none signed yet')),
    h('table', { class: 'data' },
      h('caption', {}, 'Searches per month'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Month'), h('th', { scope: 'col' }, 'Searches'), h('th', { scope: 'col' }, 'Found a read'))),
      h('tbody', {}, months)));
}

export async function transparencyPanel(me) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'transparency-h', 'data-testid': 'transparency-panel' });
  const agencyWide = isAgencyWide(me);
  async function draw() {
    const s = await get('/api/v1/agency/transparency');
    const status = h('p', { role: 'status', class: 'small' });
    const toggle = h('button', { type: 'button', class: s.published ? 'secondary' : '' },
      s.published ? 'Stop publishing' : 'Publish on the transparency page');
    toggle.addEventListener('click', async () => {
      toggle.disabled = true;
      try {
        await api('PUT', '/api/v1/agency/transparency', { published: !s.published });
        announce(s.published ? 'No longer published' : 'Published');
        await draw();
      } catch (p) {
        status.textContent = p.message;
        toggle.disabled = false;
      }
    });
    mount(section,
      h('h2', { id: 'transparency-h' }, 'Public transparency page'),
      h('p', {}, s.published
        ? ['Your agency\'s figures are on the public ', h('a', { href: '/transparency' }, 'transparency page'), '.']
        : 'Your agency\'s figures are not published. Publishing shows the public exactly what is below: counts only, never plates, names or case text, and counts under 5 withheld.'),
      h('p', { class: 'muted small' }, 'What the page shows for your agency:'),
      preview(s.preview),
      agencyWide
        ? h('div', { class: 'actions' }, toggle, status)
        : h('p', { class: 'muted' }, 'Only an agency-wide manager can change this.'));
  }
  await draw();
  return section;
}

function save(path, name) {
  return async () => {
    const blob = await getBlob(path);
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
}

/** The contract-end panel, or null when the contract has not ended. */
export async function contractEndPanel(me) {
  let o;
  try {
    o = await get('/api/v1/agency/offboarding', { quiet: true });
  } catch (p) {
    if (p instanceof Problem && p.code === 'no_offboarding') return null;
    throw p;
  }
  const agencyWide = isAgencyWide(me);
  const status = h('p', { role: 'status', class: 'small', 'data-testid': 'contract-end-status' });
  const button = (label, fn) => {
    const b = h('button', { type: 'button', class: 'secondary' }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await fn();
        status.textContent = `${label}: saved. The export is logged.`;
      } catch (p) {
        status.textContent = p.message;
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  const confirm = h('button', { type: 'button' }, 'Confirm we have our data');
  confirm.addEventListener('click', async () => {
    const yes = await confirmAction({
      title: 'Confirm the agency has its data?',
      body: h('p', {}, 'After this the operator may destroy every copy of the agency\'s data in Sightline, its audit log included, before the window ends. It cannot be undone.'),
      confirmLabel: 'Confirm',
    });
    if (!yes) return;
    try {
      await post('/api/v1/agency/offboarding/confirm', {});
      announce('Transfer confirmed');
      mount(section, ...(await contractEndPanel(me)).childNodes);
    } catch (p) {
      status.textContent = p.message;
    }
  });
  const section = h('section', { class: 'panel notice warn', 'aria-labelledby': 'contract-h', 'data-testid': 'contract-end' },
    h('h2', { id: 'contract-h' }, 'Contract end'),
    h('p', {}, 'Your agency\'s contract has ended: searches and new alert entries are closed. Take its data before ',
      timeEl(o.window_ends_at), '; after that, or once you confirm, every copy in Sightline is destroyed.'),
    o.confirmed_at ? h('p', { 'data-testid': 'contract-confirmed' }, 'Transfer confirmed ', timeEl(o.confirmed_at), '.') : null,
    agencyWide
      ? h('div', { class: 'actions' },
        button('Alert lists (JSON)', save('/api/v1/agency/offboarding/alert-lists?format=json', 'alert-lists.json')),
        button('Alert lists (CSV)', save('/api/v1/agency/offboarding/alert-lists?format=csv', 'alert-lists.csv')),
        o.confirmed_at ? null : confirm)
      : h('p', { class: 'muted' }, 'An agency-wide manager takes the alert lists and confirms the transfer.'),
    h('p', { class: 'small muted' }, 'The audit log is exported by the agency\'s auditors (Verify log), readable and verifiable offline.'),
    status);
  return section;
}
