// The manager's users (R2.4–R2.6): every account of the AOR (agency-wide
// managers: all AORs) with its status, training and last sign-in, and what
// the manager may do to each: unlock, disable or enable, send a fresh
// registration key, record training, and terminate. Termination takes
// effect at once (every session of the user ends in the same transaction)
// and the page says how long it took against the 24-business-hour limit.
import { h, mount, announce } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { get, post } from '../api.js';
import { app } from '../state.js';
import { openDialog } from '../dialog.js';
import { timeEl, plural } from '../format.js';
import { accountStatus, statusTag, trainingCell, seatMeter, pageHead } from '../manage.js';

const hours = (n) => `${n.toFixed(1)} business ${n === 1 ? 'hour' : 'hours'}`;

export async function render(main) {
  const notice = h('div', { class: 'status-area', 'data-testid': 'users-notice', role: 'status' });
  const body = h('div', {});
  mount(main, h('div', { class: 'wide' },
    pageHead('Users', 'Everyone with an account in your area of responsibility. Each change is recorded in the audit log.'),
    notice, body));
  const say = (kind, ...text) => mount(notice, h('div', { class: `notice ${kind}` }, ...text));

  async function draw() {
    const list = await get('/api/v1/users');
    const rows = list.users.map((u) => row(u, { say, redraw: draw }));
    mount(body,
      h('section', { class: 'panel' },
        seatMeter(list.seats_used, list.seat_cap),
        h('p', { class: 'small' }, h('a', { href: '/manage/requests' }, 'Add a user through an access request'))),
      h('section', { 'aria-labelledby': 'users-h' },
        h('div', { class: 'section-head' }, h('h2', { id: 'users-h' }, plural(list.users.length, 'account'))),
        h('div', { class: 'table-wrap' },
          h('table', { class: 'data entries users-table', 'data-testid': 'users' },
            h('thead', {}, h('tr', {}, ['Name', 'Role', 'Status', 'Training', 'Last sign-in', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, rows)))));
  }
  await draw();
}

function row(u, ctx) {
  const s = accountStatus(u);
  const self = u.username === app.me.username;
  const act = (label, cls = 'secondary') => h('button', { type: 'button', class: cls, 'aria-label': `${label}: ${u.username}` }, label);
  const buttons = [];
  const simple = (label, path, done) => {
    const b = act(label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await post(`/api/v1/users/${u.id}/${path}`, {});
        await ctx.redraw();
        ctx.say('ok', done);
        announce(done);
      } catch (e) {
        b.disabled = false;
        ctx.say('error', `${label} did not work: ${e.message}`);
      }
    });
    buttons.push(b);
  };
  if (s === 'locked') simple('Unlock', 'unlock', `${u.username} can sign in again.`);
  if (s === 'pending') simple('Send new key', 'registration-key', `A new registration key was emailed to ${u.email}. Earlier keys no longer work.`);
  if (!self && s === 'active') simple('Disable', 'disable', `${u.username} is disabled: their sessions have ended and they cannot sign in.`);
  if (!self && s === 'disabled') simple('Enable', 'enable', `${u.username} is enabled again.`);
  // Nobody records their own training (the API refuses it too).
  if (!self && s !== 'terminated') buttons.push(h('a', { class: 'button secondary', href: `/manage/training?user=${encodeURIComponent(u.username)}`, 'aria-label': `Record training: ${u.username}` }, 'Record training'));
  if (!self && s !== 'terminated') {
    const t = act('Terminate', 'danger');
    t.addEventListener('click', () => terminate(u, ctx));
    buttons.push(t);
  }
  return h('tr', { 'data-user': u.username },
    h('th', { scope: 'row', 'data-label': 'Name' }, h('strong', {}, u.display_name), h('br'), h('span', { class: 'small mono' }, u.username),
      u.aor ? h('span', { class: 'small muted' }, ` · ${u.aor}`) : null),
    h('td', { 'data-label': 'Role' }, u.role.replace('_', ' ')),
    h('td', { 'data-label': 'Status' }, statusTag(u)),
    h('td', { 'data-label': 'Training', 'data-col': 'training' }, trainingCell(u)),
    h('td', { 'data-label': 'Last sign-in', 'data-col': 'last-sign-in' }, u.last_sign_in_at ? timeEl(u.last_sign_in_at) : h('span', { class: 'muted' }, 'Never')),
    h('td', { class: 'actions-cell', 'data-label': 'Actions' }, buttons.length ? h('div', { class: 'cell-actions' }, buttons) : h('span', { class: 'muted small' }, 'None')));
}

function terminate(u, ctx) {
  const reason = field('reason', 'Reason', h('textarea', { rows: 3 }), 'Recorded with the termination, e.g. "Left the agency on 20 November".');
  const when = field('requested_at', 'Requested at (optional)', input({ type: 'datetime-local' }),
    'When the request to end this access reached you, in your time zone. Leave empty for now. The 24 business hours run from then.');
  const form = h('form', { novalidate: true, class: 'terminate-form' },
    h('p', {}, `Terminating ${u.display_name} (${u.username}) ends their access at once: every open session stops on its next request, and the account cannot be used again.`),
    reason, when,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, 'Terminate access')));
  const dlg = openDialog(`Terminate ${u.username}`, form);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const v = when.control.value;
      const done = await post(`/api/v1/users/${u.id}/terminate`, {
        reason: reason.control.value,
        requested_at: v ? new Date(v).toISOString() : undefined,
      });
      dlg.close();
      await ctx.redraw();
      const ok = done.within_24_business_hours;
      ctx.say(ok ? 'ok' : 'warn',
        h('h2', {}, `${u.username}'s access is terminated`),
        h('p', { 'data-testid': 'termination-time' },
          'Requested ', timeEl(done.requested_at), ', done ', timeEl(done.completed_at), '. ',
          h('strong', {}, `Time taken: ${hours(done.elapsed_business_hours)} of the 24 allowed`),
          ok ? ' (within the limit).' : ' (over the limit; the termination report shows it).'));
      announce(`${u.username} terminated`);
    }, { title: 'Access was not terminated' });
  });
  // Focus starts in the reason: the dialog asks for it first.
  reason.control.focus();
}
