// The inbox (R4.5, R4.7): hits on plates of your alert lists, renewal
// prompts and de-confliction notices, newest first. Unread ones are marked
// and become read once shown on screen (or opened), and the header badge
// follows. A hit is a lead, not a result: its photos and the full record
// come only through a query, so "Run a logged query for this plate" opens
// the query form with plate, state and reason code filled in, for the
// investigator to give the case reference and time frame that get logged.
// A renewal prompt can be answered right here; a de-confliction notice
// names the other user to contact.
import { h, mount, announce } from '../dom.js';
import { get, post } from '../api.js';
import { app } from '../state.js';
import { navigate } from '../router.js';
import { drawHeader } from '../shell.js';
import { timeEl, fmtDate, plural } from '../format.js';
import { plateTag } from '../components/entry-table.js';
import { renewEntry, deleteEntry } from '../components/entry-actions.js';
import { countdown, sawServerTime } from '../components/expiry.js';

const KINDS = {
  hit: { label: 'Hit', cls: 'hit' },
  expiry_prompt: { label: 'Renewal due', cls: 'prompt' },
  deconfliction: { label: 'De-confliction', cls: 'deconf' },
};

/** "Key: value" lines of a notification body, and the rest as paragraphs. */
function parseBody(body) {
  const facts = [];
  const paras = [];
  for (const block of body.replace(/\r/g, '').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l.trim());
    const kv = lines.map((l) => /^([A-Z][A-Za-z ]{1,20}): (.+)$/.exec(l));
    if (lines.length && kv.every(Boolean)) kv.forEach((m) => facts.push([m[1], m[2]]));
    else if (lines.length) paras.push(lines.join(' '));
  }
  return { facts, paras };
}

// Marking read: each unread item shown on screen is queued, and the queue
// is sent shortly after (or at once, before leaving for the query form).
function readMarker() {
  const pending = new Set();
  const done = new Set();
  let timer = null;
  async function flush() {
    clearTimeout(timer);
    timer = null;
    const ids = [...pending];
    pending.clear();
    if (!ids.length) return;
    await Promise.all(ids.map((id) => post(`/api/v1/notifications/${id}/read`, {}).then(() => done.add(id)).catch(() => {})));
    try {
      app.unread = (await get('/api/v1/notifications/unread')).unread;
    } catch {
      app.unread = Math.max(0, app.unread - ids.length);
    }
    drawHeader();
  }
  const queue = (id) => {
    if (done.has(id) || pending.has(id)) return;
    pending.add(id);
    if (!timer) timer = setTimeout(flush, 300);
  };
  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver((seen) => {
      for (const s of seen) {
        if (s.isIntersecting) {
          queue(Number(s.target.dataset.notificationId));
          observer.unobserve(s.target);
        }
      }
    }, { threshold: 0.3 })
    : null;
  return {
    watch: (el, id) => (observer ? observer.observe(el) : queue(id)),
    open: async (id) => { queue(id); await flush(); },
  };
}

// Where each entry of a renewal prompt lives: entry id → {list, entry}.
async function locateEntries(prompts) {
  const found = new Map();
  if (!prompts.length) return found;
  const { lists } = await get('/api/v1/alert-lists');
  const mine = lists.filter((l) => l.owner === app.me.username);
  const plates = [...new Set(prompts.map((n) => n.plate).filter(Boolean))];
  await Promise.all(mine.flatMap((l) => plates.map(async (p) => {
    const { entries } = await get(`/api/v1/alert-lists/${l.id}/entries?plate=${encodeURIComponent(p)}`);
    for (const e of entries) found.set(e.id, { list: l, entry: e });
  })));
  return found;
}

export async function render(main) {
  const { notifications, unread } = await get('/api/v1/notifications');
  for (const n of notifications) sawServerTime(n.created_at);
  app.unread = unread;
  drawHeader();
  const located = await locateEntries(notifications.filter((n) => n.kind === 'expiry_prompt'));
  const marker = readMarker();

  const items = notifications.map((n) => item(n, located, marker));
  const intro = unread
    ? `${plural(unread, 'unread notification')}. Notifications are marked read once you have seen them here.`
    : 'Everything here has been read.';
  mount(main, h('div', { class: 'medium' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Inbox')),
    notifications.length
      ? [h('p', { class: 'muted', 'data-testid': 'inbox-summary' }, intro),
        h('ol', { class: 'inbox-list', 'aria-label': 'Notifications, newest first' }, items)]
      : h('section', { class: 'panel empty', 'data-testid': 'inbox-empty' },
        h('h2', {}, 'No notifications'),
        h('p', {}, 'Hits on the plates of your alert lists, renewal prompts and de-confliction notices appear here, and are emailed to you too.'))));
  for (const el of items) if (el.classList.contains('unread')) marker.watch(el, Number(el.dataset.notificationId));
}

function item(n, located, marker) {
  const kind = KINDS[n.kind] || { label: n.kind, cls: 'other' };
  const unread = !n.read_at;
  const headId = `n-${n.id}-h`;
  const { facts, paras } = parseBody(n.body);
  const head = h('div', { class: 'inbox-head' },
    h('span', { class: `tag ${kind.cls}` }, kind.label),
    unread ? h('span', { class: 'tag new' }, 'New') : null,
    h('span', { class: 'meta' }, timeEl(n.created_at)));
  let title = n.subject.replace(/^Sightline( alert| de-confliction)?:\s*/i, '');
  title = title.charAt(0).toUpperCase() + title.slice(1);
  const hitPlate = n.kind === 'hit' && n.plate && n.state;
  if (hitPlate) title = [plateTag(n.plate, n.state), ' was read'];
  let body;
  if (n.kind === 'hit') body = hitBody(n, facts, paras, marker);
  else if (n.kind === 'expiry_prompt') body = promptBody(n, paras, located.get(n.entry_id));
  else if (n.kind === 'deconfliction') body = deconflictionBody(n, paras);
  else body = paras.map((p) => h('p', {}, p));
  return h('li', { class: `panel inbox-item ${kind.cls}${unread ? ' unread' : ''}`, 'data-notification-id': n.id, 'data-kind': n.kind },
    head,
    h('h2', { id: headId, class: `inbox-title${hitPlate ? ' hit-title' : ''}` }, unread ? h('span', { class: 'visually-hidden' }, 'Unread: ') : null, title),
    body);
}

const FACT_ORDER = ['Time', 'Place', 'Source', 'Reason code', 'Note'];

function hitBody(n, facts, paras, marker) {
  const byKey = new Map(facts);
  const shown = FACT_ORDER.filter((k) => byKey.has(k));
  const plate = n.plate || byKey.get('Plate');
  const state = n.state || byKey.get('State');
  const reason = n.reason_code || byKey.get('Reason code');
  const run = async () => {
    await marker.open(n.id);
    app.prefill = { plate, state, reason_code: reason };
    await navigate('/query');
  };
  return [
    paras.filter((p) => !/^Photos are not sent/.test(p)).map((p) => h('p', {}, p)),
    shown.length ? h('dl', { class: 'facts' }, shown.flatMap((k) => [
      h('dt', {}, k === 'Time' ? 'Read at' : k),
      h('dd', {}, k === 'Time' && !Number.isNaN(Date.parse(byKey.get(k))) ? timeEl(byKey.get(k)) : byKey.get(k)),
    ])) : null,
    h('p', { class: 'small muted' }, 'Photos and the full record come only through a query, logged with your case reference and time frame like any other.'),
    plate && state ? h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: run }, 'Run a logged query for this plate')) : null,
  ];
}

function promptBody(n, paras, where) {
  const area = h('div', { class: 'prompt-actions' });
  const draw = () => {
    if (!where) {
      mount(area, h('p', { class: 'muted' }, 'This entry is no longer on your lists.'));
      return;
    }
    const { list, entry } = where;
    // Renewed since this prompt was written (a renewal starts a new period).
    const renewed = Date.parse(entry.valid_from) >= Date.parse(n.created_at);
    mount(area,
      h('p', {}, `On your list `, h('a', { href: `/alerts/${list.id}` }, list.name), ': ', countdown(entry.expires_at)),
      renewed
        ? h('div', { class: 'notice ok', role: 'status', 'data-testid': 'renewed' }, `Renewed: it now expires on ${fmtDate(entry.expires_at)}.`)
        : h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: renew }, 'Affirm continued need'),
          h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete entry')));
  };
  const fail = (what, err) => area.append(h('div', { class: 'notice error', role: 'status' }, `The entry was not ${what}: ${err.message}.`));
  async function renew() {
    try {
      const r = await renewEntry(where.list.id, where.entry);
      if (!r) return;
      where = { list: where.list, entry: r };
      draw();
      announce(`${r.plate} renewed`);
    } catch (err) { fail('renewed', err); }
  }
  async function remove() {
    try {
      if (!await deleteEntry(where.list.id, where.entry)) return;
      where = null;
      mount(area, h('div', { class: 'notice ok', role: 'status', 'data-testid': 'deleted' }, 'Deleted from the list.'));
      announce('Entry deleted');
    } catch (err) { fail('deleted', err); }
  }
  draw();
  return [paras.map((p) => h('p', {}, p)), area];
}

function deconflictionBody(n, paras) {
  const text = paras.join(' ');
  const m = /of (.+?) \(user ([^,]+), ([^)\s]+)\)/.exec(text);
  const list = /alert list "([^"]+)"/.exec(text)?.[1];
  return [
    m ? h('dl', { class: 'facts other-user', 'data-testid': 'other-user' },
      h('dt', {}, 'Also watched by'), h('dd', {}, h('strong', {}, m[1]), ` (${m[2]})`),
      h('dt', {}, 'Email'), h('dd', {}, h('a', { href: `mailto:${m[3]}` }, m[3])),
      list ? [h('dt', {}, 'On their list'), h('dd', {}, list)] : null) : null,
    paras.map((p) => h('p', {}, p)),
  ];
}
