// The operator's agencies: every agency with its seats and time zone,
// onboarding a new one with its seat cap, time zone and first manager (who gets a registration key by
// email), and, per agency, its contract end (contract-end.md): start the
// transfer window, see what destroying would remove (counts only), and
// destroy by typing the agency's name back.
import { h, mount, announce } from '../dom.js';
import { field, fieldset, input, submitting } from '../forms.js';
import { get, post, Problem } from '../api.js';
import { timeEl, plural } from '../format.js';
import { confirmAction } from '../components/confirm.js';
import { pageHead, facts } from '../operator.js';

// The United States' zones and UTC, as sightline-core's US_ZONES; the
// server checks whatever is sent against its time zone database.
const ZONES = [
  ['America/New_York', 'Eastern (New York)'],
  ['America/Chicago', 'Central (Chicago)'],
  ['America/Denver', 'Mountain (Denver)'],
  ['America/Phoenix', 'Mountain, no daylight saving (Phoenix)'],
  ['America/Los_Angeles', 'Pacific (Los Angeles)'],
  ['America/Anchorage', 'Alaska (Anchorage)'],
  ['Pacific/Honolulu', 'Hawaii (Honolulu)'],
  ['America/Puerto_Rico', 'Atlantic (Puerto Rico, US Virgin Islands)'],
  ['Pacific/Guam', 'Chamorro (Guam, Northern Mariana Islands)'],
  ['Pacific/Pago_Pago', 'Samoa (American Samoa)'],
  ['America/Indiana/Indianapolis', 'Eastern (Indiana)'],
  ['America/Detroit', 'Eastern (Michigan)'],
  ['UTC', 'UTC'],
];

async function agencies() {
  return (await get('/api/v1/admin/agencies')).agencies;
}

function agencyTable(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'No agencies yet.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'agencies' },
    h('caption', { class: 'visually-hidden' }, 'Agencies'),
    h('thead', {}, h('tr', {}, ['Agency', 'Seats in use', 'Seat cap', 'Time zone', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((a) => h('tr', { 'data-agency': a.name },
      h('th', { scope: 'row' }, h('a', { href: `/operator/agencies/${a.id}` }, a.name)),
      h('td', {}, String(a.seats_used)),
      h('td', {}, String(a.seat_cap)),
      h('td', {}, a.time_zone),
      h('td', {}, h('a', { href: `/operator/agencies/${a.id}#contract-end`, 'aria-label': `Contract end of ${a.name}` }, 'Contract end')))))));
}

function onboardForm(onDone) {
  const name = field('name', 'Agency name', input({ autocomplete: 'off' }), 'As it will appear to its users and on the transparency page.');
  const seats = field('seat_cap', 'Seat cap', input({ type: 'number', min: 1, max: 100000, inputmode: 'numeric' }), 'The most accounts the agency may hold at once, 1 to 100,000.');
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zoneSel = h('select', {}, ZONES.map(([v, l]) => h('option', { value: v }, `${l}: ${v}`)));
  zoneSel.value = ZONES.some(([v]) => v === own) ? own : 'UTC';
  const zone = field('time_zone', 'Time zone', zoneSel, 'Its quarterly reports are reckoned and printed in it.');
  const username = field('username', 'Username', input({ autocomplete: 'off', spellcheck: 'false' }), 'The first manager signs in with this.');
  const full = field('full_name', 'Full name', input({ autocomplete: 'off' }));
  const email = field('email', 'Email', input({ type: 'email', autocomplete: 'off' }), 'Their registration key is sent here.');
  const aor = field('aor', 'Area of responsibility (optional)', input({ autocomplete: 'off' }), 'Leave empty for an agency-wide manager, who sets the agency\'s rules and contacts and approves other managers and auditors. A name makes them manager of that area (created if new).');
  const status = h('div', { role: 'status' });
  // An agency created whose manager was refused: the retry invites only.
  let created = null;
  const form = h('form', { novalidate: true, 'aria-labelledby': 'onboard-h' },
    h('h2', { id: 'onboard-h' }, 'Onboard an agency'),
    status,
    fieldset('agency', 'The agency', [name, seats, zone]),
    fieldset('manager', 'Its first manager', [username, full, email, aor]),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Onboard agency')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      if (!created) {
        created = await post('/api/v1/admin/agencies', { name: name.control.value, seat_cap: Number(seats.control.value || 0), time_zone: zoneSel.value });
        name.control.readOnly = true;
        seats.control.readOnly = true;
        zoneSel.disabled = true;
      }
      try {
        await post(`/api/v1/admin/agencies/${created.id}/managers`, {
          username: username.control.value, full_name: full.control.value, email: email.control.value, aor: aor.control.value.trim() || null,
        });
      } catch (err) {
        mount(status, h('p', { class: 'notice info' }, `${created.name} was created. Correct the manager's details and press Onboard agency again to invite them.`));
        throw err;
      }
      const done = created;
      created = null;
      await onDone(done, email.control.value.trim());
    }, { title: 'The agency was not onboarded' });
  });
  return form;
}

export async function render(main) {
  const list = await agencies();
  const notice = h('div', { role: 'status', 'data-testid': 'onboard-result' });
  const tableBox = h('section', { class: 'panel', 'aria-labelledby': 'agencies-h' }, h('h2', { id: 'agencies-h' }, 'Agencies'), agencyTable(list));
  let form;
  const onDone = async (a, email) => {
    // The table first, so that the notice never stands beside a list without the new agency.
    mount(tableBox, h('h2', { id: 'agencies-h' }, 'Agencies'), agencyTable(await agencies()));
    mount(notice, h('p', { class: 'notice ok', tabindex: '-1' }, `${a.name} is onboarded with ${plural(a.seat_cap, 'seat')}, in ${a.time_zone}. Its first manager's registration key was emailed to ${email}.`));
    notice.firstChild.focus();
    announce(`${a.name} onboarded`);
    // A fresh form for the next agency.
    const next = onboardForm(onDone);
    form.replaceWith(next);
    form = next;
  };
  form = onboardForm(onDone);
  mount(main, h('div', { class: 'wide operator' },
    pageHead('Agencies', 'Agencies, their seats and time zones. You see names and counts, never an agency\'s queries, lists or audit log.'),
    notice, tableBox, h('section', { class: 'panel' }, form)));
}

const STATE_TEXT = {
  transfer_window: 'Transfer window open: the agency is taking its data',
  ready_to_destroy: 'Ready to destroy',
  destroyed: 'Destroyed',
};

function destroyForm(agencyName, onDone) {
  const name = field('confirm_name', 'Agency name, to confirm', input({ autocomplete: 'off', spellcheck: 'false' }),
    `Type ${agencyName} exactly. This cannot be undone.`);
  const form = h('form', { novalidate: true, class: 'destroy-form', 'aria-labelledby': 'destroy-h' },
    h('h3', { id: 'destroy-h' }, 'Destroy the agency\'s data'),
    name,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, `Destroy ${agencyName}'s data`)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const done = await post(`/api/v1/admin/agencies/${form.dataset.agency}/offboarding/destroy`, { confirm_name: name.control.value });
      await onDone(done);
    }, { title: 'Nothing was destroyed' });
  });
  return form;
}

function counts(rows, label, testid) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data counts', 'data-testid': testid },
    h('caption', {}, label),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'How many'))),
    h('tbody', {}, rows.map((r) => h('tr', { 'data-kind': r.kind }, h('th', { scope: 'row' }, r.kind), h('td', {}, r.count.toLocaleString()))))));
}

async function contractEnd(box, agency) {
  let o = null;
  try {
    o = await get(`/api/v1/admin/agencies/${agency.id}/offboarding`);
  } catch (e) {
    if (!(e instanceof Problem && e.code === 'no_offboarding')) throw e;
  }
  const head = h('h2', { id: 'contract-end', tabindex: '-1' }, 'Contract end');
  if (!o) {
    const start = h('button', { type: 'button', class: 'danger' }, 'Start contract end');
    const err = h('p', { class: 'error-text', role: 'alert' });
    start.addEventListener('click', async () => {
      const yes = await confirmAction({
        title: `End ${agency.name}'s contract?`,
        body: h('div', {},
          h('p', {}, `From now on ${agency.name}'s users cannot search or add alert entries.`),
          h('p', {}, 'Its agency-wide managers get 30 days to export their alert lists and audit log, and can confirm sooner that they have them. Then you can destroy its data.')),
        confirmLabel: 'Start contract end',
        danger: true,
      });
      if (!yes) return;
      try {
        await post(`/api/v1/admin/agencies/${agency.id}/offboarding`, {});
      } catch (e) { err.textContent = e.message; return; }
      await contractEnd(box, agency);
      box.querySelector('#contract-end')?.focus();
    });
    mount(box, head, h('p', {}, 'The contract is running. Starting its end opens a 30-day window in which the agency takes its data; nothing is destroyed until you do it here.'),
      h('div', { class: 'actions' }, start), err);
    return;
  }
  const parts = [head,
    facts([
      ['State', h('span', { 'data-testid': 'offboarding-state', 'data-state': o.state }, STATE_TEXT[o.state] || o.state)],
      ['Started', timeEl(o.started_at)],
      ['Window ends', timeEl(o.window_ends_at)],
      ['Agency confirmed it has its data', o.confirmed_at ? timeEl(o.confirmed_at) : 'Not yet'],
      ['Destroyed', o.completed_at ? timeEl(o.completed_at) : null],
    ], 'Contract end')];
  if (o.will_destroy) {
    const total = o.will_destroy.reduce((n, r) => n + r.count, 0);
    parts.push(h('p', {}, `Destroying ${agency.name} removes ${plural(total, 'item')}: every row below, its audit log and signing keys included. You see how many, never what they hold.`),
      counts(o.will_destroy, 'What will be destroyed', 'will-destroy'));
    if (o.state === 'transfer_window') {
      parts.push(h('p', { class: 'notice info' }, 'The agency still has time to take its data. Destruction is refused until it confirms or the window ends.'));
    }
    const form = destroyForm(o.confirm_with, async (done) => {
      mount(box, head, h('p', { class: 'notice ok', tabindex: '-1', 'data-testid': 'destroyed' },
        `${agency.name} was destroyed: ${plural(done.rows, 'row')} and ${plural(done.files, 'file')}. The operator's log keeps the record, without the agency's data.`),
      counts(done.destroyed, 'What was destroyed', 'destroyed-counts'));
      box.querySelector('[data-testid=destroyed]').focus();
      announce(`${agency.name} destroyed`);
    });
    form.dataset.agency = String(agency.id);
    parts.push(form);
  }
  mount(box, ...parts);
}

export async function renderOne(main, { params }) {
  const id = Number(params.id);
  const agency = (await agencies()).find((a) => a.id === id);
  if (!agency) {
    mount(main, h('section', { class: 'panel narrow' }, h('h1', {}, 'No such agency'),
      h('p', {}, 'It may have been destroyed at its contract end.'), h('p', {}, h('a', { href: '/operator/agencies' }, 'All agencies'))));
    return;
  }
  const box = h('section', { class: 'panel', 'aria-labelledby': 'contract-end' });
  await contractEnd(box, agency);
  mount(main, h('div', { class: 'medium operator' },
    h('p', {}, h('a', { href: '/operator/agencies' }, '← All agencies')),
    pageHead(agency.name),
    h('section', { class: 'panel', 'aria-label': 'Seats' }, facts([['Seats in use', String(agency.seats_used)], ['Seat cap', String(agency.seat_cap)]], 'Seats')),
    box));
  if (location.hash === '#contract-end') box.querySelector('#contract-end')?.focus();
}
