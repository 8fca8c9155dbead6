// The header: brand, the main navigation (once the session is ready), the
// unread-notification badge, the rules-of-behavior link and sign-out.
import { h, mount } from './dom.js';
import { app, isInvestigator, isAuditor, isManager } from './state.js';
import { currentPath, navigate } from './router.js';
import { get, post } from './api.js';
import { clearDevice } from './device-store.js';
import { installHint } from './pwa.js';

function navLink(href, label, extra, isHere) {
  const here = isHere ? isHere(currentPath() || '') : currentPath() === href || (href !== '/' && currentPath()?.startsWith(`${href}/`));
  return h('a', { href, 'aria-current': here ? 'page' : null }, label, extra);
}

export async function signOut() {
  try { await post('/api/v1/auth/logout', {}, { quiet: true }); } catch { /* already gone */ }
  await clearDevice();
  app.me = null;
  app.lastQuery = null;
  app.unread = 0;
  app.signinNotice = 'You have signed out.';
  await navigate('/signin');
}

export function drawHeader() {
  const bar = document.getElementById('topbar');
  const me = app.me;
  const ready = me && me.next === 'ready';
  const brand = h('a', { class: 'brand', href: ready ? '/' : '/signin' },
    h('img', { src: '/icons/icon.svg', alt: '', width: 28, height: 28 }), 'Sightline');
  const items = [];
  if (ready) {
    if (isInvestigator()) {
      items.push(navLink('/query', 'Query'), navLink('/recent', 'Recent'));
    }
    if (isAuditor()) {
      items.push(
        navLink('/audit', 'Audit log', null, (p) => p === '/audit' || /^\/audit\/(entries|replay)\//.test(p)),
        navLink('/audit/statistics', 'Statistics'),
        navLink('/audit/verify', 'Verify log'),
        navLink('/audit/reviews', 'Reviews'));
    }
    if (me.role === 'operator_admin') {
      items.push(
        navLink('/operator/agencies', 'Agencies'),
        navLink('/operator/sources', 'Sources'),
        navLink('/operator/policies', 'Policies'),
        navLink('/operator/misreads', 'Misreads'),
        navLink('/operator/log', 'Log'));
    }
    if (isManager()) {
      items.push(
        navLink('/manage/users', 'Users'),
        navLink('/manage/requests', 'Requests'),
        navLink('/manage/training', 'Training'),
        navLink('/manage/usage', 'Usage'),
        navLink('/manage/reviews', 'Reviews'),
        navLink('/manage/oversight', 'Oversight'),
        navLink('/manage/settings', 'Settings'));
    }
    // Managers' menu is their console; alert lists stay reachable by URL.
    if (me.agency_id && !isManager()) {
      items.push(navLink('/alerts', 'Alert lists'));
      const badge = app.unread > 0 ? h('span', { class: 'badge', id: 'unread-badge' }, String(app.unread)) : null;
      const label = app.unread > 0 ? h('span', { class: 'visually-hidden' }, `, ${app.unread} unread`) : null;
      items.push(navLink('/inbox', 'Inbox', [badge, label]));
    }
  }
  const user = me
    ? h('div', { class: 'user-menu' },
      h('a', { class: 'linkish', href: '/rules' }, 'Rules of behavior'),
      h('span', { class: 'who' }, me.display_name || me.username),
      h('button', { type: 'button', class: 'linkish', onclick: signOut }, 'Sign out'))
    : null;
  mount(bar, h('div', { class: 'topbar-inner' },
    brand,
    items.length ? h('nav', { class: 'nav', 'aria-label': 'Main' }, items) : h('span', { class: 'nav' }),
    user));
  const hint = ready ? installHint() : null;
  document.getElementById('install-hint')?.remove();
  if (hint) bar.after(hint);
}

async function pollUnread() {
  if (!app.me || app.me.next !== 'ready' || !app.me.agency_id || document.visibilityState !== 'visible') return;
  try {
    const r = await get('/api/v1/notifications/unread', { background: true });
    if (r && r.unread !== app.unread) {
      app.unread = r.unread;
      drawHeader();
    }
  } catch { /* next poll */ }
}

/** Polls the unread count every 30 s while the app is visible. */
export function startBadgePolling() {
  pollUnread();
  setInterval(pollUnread, 30_000);
  document.addEventListener('visibilitychange', pollUnread);
}

export { pollUnread };
