// Alert lists (R4, R3.10): your lists and the lists whose entries notify
// you, your groups (case teams), and one list's entries with their expiry
// countdowns. The owner adds plates one at a time or as a CSV file,
// searches the list for a plate, renews an entry by affirming a continued
// operational need, and deletes entries. When someone else in the agency
// already watches the same plate for the same reason, the de-confliction
// notice names them.
import { h, mount, announce } from '../dom.js';
import { field, input, submitting, clearErrors } from '../forms.js';
import { get, post, Problem } from '../api.js';
import { app, isInvestigator } from '../state.js';
import { navigate } from '../router.js';
import { plural, fmtDate } from '../format.js';
import { deconflictionNotice } from '../components/deconfliction.js';
import { entryTable } from '../components/entry-table.js';
import { entryForm } from '../components/entry-form.js';
import { uploadForm } from '../components/csv-upload.js';
import { groupList, groupForm } from '../components/alert-groups.js';
import { renewEntry, deleteEntry } from '../components/entry-actions.js';
import { sawServerTime, SOON_DAYS, GRACE_DAYS } from '../components/expiry.js';

// A message to show once on the next drawing (after creating a list or group).
let flash = null;

const isMine = (l) => l.owner === app.me.username;

function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: 'status' }, ...children);
}

export async function render(main, { params }) {
  const [{ lists }, { groups }] = await Promise.all([get('/api/v1/alert-lists'), get('/api/v1/alert-groups')]);
  const id = params.id !== undefined ? Number(params.id) : null;
  const list = id !== null ? lists.find((l) => l.id === id) : null;
  const shown = flash;
  flash = null;

  const side = h('aside', { class: 'alerts-side', 'aria-label': 'Lists and groups' });
  const drawSide = (all) => mount(side, listsPanel(all, id), groupsPanel(groups));
  drawSide(lists);

  let content;
  let head;
  if (id === null) {
    head = h('div', { class: 'page-head' }, h('h1', {}, 'Alert lists'));
    content = intro(lists);
  } else if (!list) {
    head = h('div', { class: 'page-head' }, h('div', {}, h('a', { class: 'eyebrow', href: '/alerts' }, 'Alert lists'), h('h1', {}, 'List not found')));
    content = h('section', { class: 'panel' }, h('p', {}, 'There is no such list, or it is not one you can see. Choose one of your lists.'));
  } else {
    const mine = isMine(list);
    head = h('div', { class: 'page-head' },
      h('div', {},
        h('a', { class: 'eyebrow', href: '/alerts' }, 'Alert lists'),
        h('h1', {}, list.name),
        h('p', { class: 'muted list-meta', 'data-testid': 'list-meta' }, mine ? 'Your list' : `${list.owner}'s list`, ` · ${plural(list.entries, 'plate')}`)));
    content = await listView(list, groups, async () => {
      const fresh = (await get('/api/v1/alert-lists')).lists;
      drawSide(fresh);
      const l = fresh.find((x) => x.id === list.id);
      if (l) head.querySelector('[data-testid=list-meta]').lastChild.textContent = ` · ${plural(l.entries, 'plate')}`;
    }, shown);
  }
  mount(main, h('div', { class: 'alerts-page' },
    head,
    list ? null : shown,
    h('div', { class: `two-col${list ? ' list-open' : ''}` }, side, content)));
}

function listsPanel(lists, selected) {
  const own = lists.filter(isMine);
  const shared = lists.filter((l) => !isMine(l));
  const link = (l) => h('li', {}, h('a', { href: `/alerts/${l.id}`, 'aria-current': l.id === selected ? 'page' : null },
    h('span', { class: 'list-name' }, l.name, isMine(l) ? null : h('span', { class: 'small muted owner' }, ` · ${l.owner}`)),
    h('span', { class: 'count' }, String(l.entries), h('span', { class: 'visually-hidden' }, l.entries === 1 ? ' plate' : ' plates'))));
  return h('section', { class: 'panel side-panel', 'aria-labelledby': 'lists-h' },
    h('h2', { id: 'lists-h' }, 'Your lists'),
    own.length ? h('ul', { class: 'side-list', 'data-testid': 'my-lists' }, own.map(link)) : h('p', { class: 'muted small' }, 'No lists yet.'),
    shared.length ? [h('h3', {}, 'Shared with you'), h('p', { class: 'small muted' }, 'Lists whose plates notify you or your groups.'), h('ul', { class: 'side-list' }, shared.map(link))] : null,
    isInvestigator() ? newListForm() : h('p', { class: 'small muted' }, 'Only investigators keep alert lists.'));
}

function newListForm() {
  const name = field('name', 'New list', input({ autocomplete: 'off' }), 'A name you will recognise, e.g. the case.');
  const form = h('form', { novalidate: true, class: 'new-list', 'aria-label': 'Create a list' }, name,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create list')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      let created;
      try {
        created = await post('/api/v1/alert-lists', { name: name.control.value.trim() || null });
      } catch (e) {
        if (e?.code === 'list_exists') throw { errors: [{ field: 'name', message: e.message }] };
        throw e;
      }
      flash = notice('ok', `List "${created.name}" created. Add plates one at a time or upload a CSV file.`);
      announce(`List ${created.name} created`);
      await navigate(`/alerts/${created.id}`);
    }, { title: 'The list was not created' });
  });
  return form;
}

function groupsPanel(groups) {
  return h('section', { class: 'panel side-panel', 'aria-labelledby': 'groups-h' },
    h('h2', { id: 'groups-h' }, 'Groups'),
    h('p', { class: 'small muted' }, 'Case teams that a plate\'s hits can notify.'),
    groupList(groups),
    isInvestigator() ? h('details', { class: 'new-group' }, h('summary', {}, 'Create a group'), groupForm(async (g) => {
      flash = notice('ok', `Group "${g.name}" created: ${g.members.join(', ')}.`);
      await navigate(location.pathname, { replace: true });
    })) : null);
}

function intro(lists) {
  return h('section', { class: 'panel intro' },
    h('h2', {}, lists.length ? 'Choose a list' : 'Watch a plate'),
    h('p', {}, 'A plate on one of your lists alerts you, in your inbox and by email, whenever a camera reads it.'),
    h('ul', {},
      h('li', {}, 'Each plate carries a reason code and a note naming the case it belongs to.'),
      h('li', {}, `An entry lasts 365 days. ${SOON_DAYS} days before it ends you are asked to affirm a continued need, or delete it.`),
      h('li', {}, `At expiry it stops matching; for one more week it can still be renewed, then it is removed (${GRACE_DAYS}-day grace).`),
      h('li', {}, 'If someone else in your agency watches the same plate for the same reason, you are both told who, so you can de-conflict.')),
    lists.length ? null : h('p', {}, isInvestigator() ? 'Create your first list under "New list".' : ''));
}

async function listView(list, groups, refreshSide, shown) {
  const mine = isMine(list);
  const groupsById = new Map(groups.map((g) => [g.id, g]));
  const status = h('div', { class: 'status-area' }, shown);
  const holder = h('div', { 'data-testid': 'entries-holder' });
  const searchStatus = h('div', { 'aria-live': 'polite' });
  let filter = null;

  const say = (...nodes) => { mount(status, ...nodes); status.scrollIntoView?.({ block: 'nearest' }); };

  async function load() {
    const q = filter ? `?plate=${encodeURIComponent(filter)}` : '';
    const { entries } = await get(`/api/v1/alert-lists/${list.id}/entries${q}`);
    for (const e of entries) sawServerTime(e.valid_from);
    entries.sort((a, b) => a.expires_at.localeCompare(b.expires_at) || a.plate.localeCompare(b.plate));
    return entries;
  }

  function draw(entries) {
    if (!entries.length) {
      mount(holder, filter
        ? h('p', { class: 'empty muted', 'data-testid': 'no-match' }, `${filter} is not on this list.`)
        : h('p', { class: 'empty muted', 'data-testid': 'no-entries' }, mine ? 'No plates on this list yet. Add one below, or upload a CSV file.' : 'No plates on this list.'));
    } else {
      mount(holder, entryTable(entries, {
        caption: filter ? `Entries for ${filter}` : `Plates on ${list.name}`,
        mine, groupsById, onRenew: renew, onDelete: remove,
      }));
    }
    mount(searchStatus, filter
      ? h('p', { class: 'small', 'data-testid': 'search-status' }, entries.length ? `${plural(entries.length, 'entry', 'entries')} for ${filter}. ` : '', showAll)
      : null);
  }

  async function refresh({ clearFilter = false } = {}) {
    if (clearFilter) { filter = null; search.control.value = ''; }
    draw(await load());
    await refreshSide();
  }

  async function renew(e) {
    try {
      const r = await renewEntry(list.id, e);
      if (!r) return;
      await refresh();
      say(notice('ok', `${r.plate} (${r.state}) renewed: it now expires on ${fmtDate(r.expires_at)}. Your affirmation is in the audit log.`));
      announce(`${r.plate} renewed`);
    } catch (err) {
      say(notice('error', `${e.plate} (${e.state}) was not renewed: ${err.message}.`,
        err instanceof Problem && err.status === 404 ? ' It is past its renewal week, or no longer on the list.' : ''));
    }
  }

  async function remove(e) {
    try {
      if (!await deleteEntry(list.id, e)) return;
      await refresh();
      say(notice('ok', `${e.plate} (${e.state}) deleted from the list.`));
      announce(`${e.plate} deleted`);
    } catch (err) {
      say(notice('error', `${e.plate} (${e.state}) was not deleted: ${err.message}.`));
    }
  }

  // Searching the list for one plate.
  const search = field('plate', 'Find a plate on this list', input({ type: 'search', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', class: 'mono' }));
  const showAll = h('button', { type: 'button', class: 'link', onclick: () => { clearErrors(searchForm); refresh({ clearFilter: true }); search.control.focus(); } }, 'Show all plates');
  const searchForm = h('form', { novalidate: true, role: 'search', class: 'list-search', 'aria-label': 'Search this list' },
    search, h('button', { type: 'submit', class: 'secondary' }, 'Search'));
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(searchForm, async () => {
      filter = search.control.value.trim().toUpperCase() || null;
      draw(await load());
    }, { title: 'The list was not searched' });
  });

  draw(await load());

  const entriesPanel = h('section', { class: 'panel', 'aria-labelledby': 'entries-h' },
    h('div', { class: 'section-head' }, h('h2', { id: 'entries-h' }, 'Plates'), searchForm),
    searchStatus,
    holder,
    h('p', { class: 'small muted legend' }, `Entries run 365 days from when they were added or last renewed; the countdown turns amber ${SOON_DAYS} days before. An expired entry stops matching at once and can be renewed for ${GRACE_DAYS} more days, then it is removed.`));

  if (!mine) {
    return h('div', { class: 'list-main' }, status, entriesPanel,
      notice('info', `This list belongs to ${list.owner}. You see it because its plates notify you or your group; only ${list.owner} can change it.`));
  }

  const added = async (res) => {
    const e = res.entry;
    await refresh({ clearFilter: true });
    say(notice('ok', h('span', { 'data-testid': 'entry-added' }, `${e.plate} (${e.state}) is on the list until ${fmtDate(e.expires_at)}. New reads of it will alert ${e.notify === 'owner' ? 'you' : 'you and the others told'}.`)),
      deconflictionNotice(res.deconfliction));
    announce(`${e.plate} added`);
  };
  const uploaded = async (res, name) => {
    await refresh({ clearFilter: true });
    say(notice('ok', h('span', { 'data-testid': 'upload-added' }, `${plural(res.added, 'plate')} from ${name} added to the list.`)),
      deconflictionNotice(res.deconfliction));
    announce(`${res.added} plates added`);
  };
  return h('div', { class: 'list-main' },
    status,
    entriesPanel,
    h('div', { class: 'form-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'add-h' }, h('h2', { id: 'add-h' }, 'Add a plate'), await entryForm(list, groups, added)),
      h('section', { class: 'panel', 'aria-labelledby': 'upload-h' }, h('h2', { id: 'upload-h' }, 'Upload a CSV file'), uploadForm(list, uploaded))));
}
