// Boot: purge what the device may not keep, find out who is signed in and
// what their session still owes (second factor, rules of behavior, …),
// then route. Every screen past sign-in waits for `me.next === 'ready'`.
import { onSessionProblem, get } from './api.js';
import { app, resetSession } from './state.js';
import { route, onRender, start, navigate, match } from './router.js';
import { mount, h } from './dom.js';
import { drawHeader, startBadgePolling } from './shell.js';
import { purgeExpired, forgetKeys } from './device-store.js';
import { registerServiceWorker } from './pwa.js';
import * as signin from './screens/signin.js';
import * as mfa from './screens/mfa.js';
import * as rules from './screens/rules.js';
import * as password from './screens/password.js';
import * as recovery from './screens/recovery.js';
import * as register from './screens/register.js';
import * as query from './screens/query.js';
import * as results from './screens/results.js';
import * as recent from './screens/recent.js';
import * as alerts from './screens/alerts.js';
import * as inbox from './screens/inbox.js';
import * as home from './screens/home.js';
import * as readLink from './screens/read-link.js';
import * as transparency from './screens/transparency.js';
import * as opAgencies from './screens/operator-agencies.js';
import * as opSources from './screens/operator-sources.js';
import * as opPolicies from './screens/operator-policies.js';
import * as opMisreads from './screens/operator-misreads.js';
import * as auditSearch from './screens/audit-search.js';
import * as auditEntry from './screens/audit-entry.js';
import * as auditReplay from './screens/audit-replay.js';
import * as auditStats from './screens/audit-stats.js';
import * as auditVerify from './screens/audit-verify-log.js';
import * as manageUsers from './screens/manage-users.js';
import * as manageRequests from './screens/manage-requests.js';
import * as manageTraining from './screens/manage-training.js';
import * as manageUsage from './screens/manage-usage.js';
import * as manageSettings from './screens/manage-settings.js';
import * as manageOversight from './screens/manage-oversight.js';
import * as reviews from './screens/reviews.js';

// Public screens: reachable signed out.
route('/signin', signin.render, { public: true });
route('/recover', recovery.render, { public: true });
route('/register', register.render, { public: true });
route('/transparency', transparency.render, { public: true });
// Session stages.
route('/signin/enroll', mfa.renderEnroll, { stage: 'mfa_enroll' });
route('/signin/verify', mfa.renderVerify, { stage: 'mfa_verify' });
route('/splash', rules.renderSplash, { stage: 'rules' });
route('/password', password.render, { stage: 'password_change', alsoReady: true });
route('/training', home.renderTraining, { stage: 'training_required' });
// The app.
route('/', home.render);
// Plate queries are the investigator's; other roles get a refusal page.
const INVESTIGATOR = { roles: ['investigator'] };
route('/query', query.render, INVESTIGATOR);
route('/results', results.render, INVESTIGATOR);
route('/recent', recent.render, INVESTIGATOR);
route('/alerts', alerts.render);
route('/alerts/:id', alerts.render);
route('/inbox', inbox.render);
route('/reads/:id', readLink.render);
route('/rules', rules.renderRead, { anyStage: true });
// The operator's console (operator-console.md). Agency roles get a refusal page.
const OPERATOR = { roles: ['operator_admin'] };
route('/operator/agencies', opAgencies.render, OPERATOR);
route('/operator/agencies/:id', opAgencies.renderOne, OPERATOR);
route('/operator/sources', opSources.render, OPERATOR);
route('/operator/sources/:id', opSources.renderOne, OPERATOR);
route('/operator/policies', opPolicies.render, OPERATOR);
route('/operator/misreads', opMisreads.render, OPERATOR);
route('/operator/log', auditSearch.renderOperator, OPERATOR);
route('/operator/log/entries/:seq', auditEntry.renderOperator, OPERATOR);
// The auditor console. Other roles get a refusal page; the API refuses them anyway.
const AUDITOR = { roles: ['auditor'] };
route('/audit', auditSearch.render, AUDITOR);
route('/audit/entries/:seq', auditEntry.render, AUDITOR);
route('/audit/replay/:seq', auditReplay.render, AUDITOR);
route('/audit/statistics', auditStats.render, AUDITOR);
route('/audit/verify', auditVerify.render, AUDITOR);
route('/audit/reviews', reviews.render, AUDITOR);
// The agency manager's console (manager-console.md).
const MANAGER = { roles: ['agency_manager'] };
route('/manage/users', manageUsers.render, MANAGER);
route('/manage/requests', manageRequests.render, MANAGER);
route('/manage/requests/:id', manageRequests.renderOne, MANAGER);
route('/manage/training', manageTraining.render, MANAGER);
route('/manage/usage', manageUsage.render, MANAGER);
route('/manage/settings', manageSettings.render, MANAGER);
route('/manage/oversight', manageOversight.render, MANAGER);
route('/manage/reviews', reviews.render, MANAGER);

const ROLE_NAMES = { auditor: 'auditors', agency_manager: 'agency managers', investigator: 'investigators', operator_admin: 'the operator' };

const STAGE_PATH = {
  mfa_enroll: '/signin/enroll',
  mfa_verify: '/signin/verify',
  rules: '/splash',
  password_change: '/password',
  training_required: '/training',
};

/** Re-reads who is signed in; null when nobody is. */
export async function refreshMe() {
  try {
    app.me = await get('/api/v1/me', { quiet: true });
  } catch {
    app.me = null;
  }
  return app.me;
}

let generation = 0;

async function draw(path, search) {
  // A newer navigation wins: a slow screen must not draw over a later one.
  generation += 1;
  const mine = generation;
  await purgeExpired();
  const r = match(path);
  const main = document.getElementById('main');
  if (!r) {
    drawHeader();
    mount(main, h('div', { class: 'panel narrow' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/' }, 'Go to the start page'))));
    return;
  }
  if (!r.public && !app.me) await refreshMe();
  if (!r.public) {
    if (!app.me) {
      app.nextPath = path + (search.toString() ? `?${search}` : '');
      return navigate('/signin', { replace: true });
    }
    const stage = app.me.next || 'ready';
    if (stage !== 'ready' && !r.anyStage && r.stage !== stage) return navigate(STAGE_PATH[stage] || '/signin', { replace: true });
    if (stage === 'ready' && r.stage && !r.alsoReady) return navigate('/', { replace: true });
  }
  if (mine !== generation) return;
  drawHeader();
  document.title = 'Sightline';
  // Each navigation draws into a container of its own: when a newer one
  // replaces it, a slow screen finishing late draws into a detached node.
  const target = h('div', { class: 'screen' });
  main.replaceChildren(target);
  // Agency pages (alert lists, inbox, a read's link) are refused to the operator, who belongs to no agency.
  if (!r.roles && !r.public && app.me?.role === 'operator_admin' && /^\/(alerts|inbox|reads)(\/|$)/.test(path)) r.roles = ['investigator', 'auditor', 'agency_manager'];
  const refused = r.roles && !r.roles.includes(app.me?.role);
  try {
    if (refused) {
      mount(target, h('section', { class: 'panel narrow', 'data-testid': 'role-refused' },
        h('h1', {}, 'Not available to you'),
        h('p', {}, `This page is for ${r.roles.map((x) => ROLE_NAMES[x] || x).join(' and ')}. Your account cannot open it.`),
        h('p', {}, h('a', { href: '/' }, 'Go to the start page'))));
    } else {
      await r.screen(target, { params: r.params, search });
    }
  } catch (e) {
    if (mine !== generation) return;
    mount(target, h('section', { class: 'panel narrow' }, h('h1', {}, 'Something went wrong'),
      h('p', { class: 'notice error' }, e?.message || String(e)),
      h('p', {}, h('a', { href: '/' }, 'Go to the start page'))));
  }
  if (mine !== generation) return;
  if (document.activeElement === document.body || !main.contains(document.activeElement)) {
    const heading = main.querySelector('h1');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
    document.title = `${heading?.textContent || 'Sightline'} · Sightline`;
  }
}

onSessionProblem(async (p) => {
  if (p.code === 'unauthenticated') {
    resetSession();
    forgetKeys();
    app.signinNotice = 'Your session has ended (30 minutes without activity, or you were signed out). Sign in again to continue.';
    await navigate('/signin', { replace: true });
  } else {
    await refreshMe();
    const stage = app.me?.next;
    if (stage && STAGE_PATH[stage]) await navigate(STAGE_PATH[stage], { replace: true });
  }
});

// Every app start and every return to the app purges expired device data.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') purgeExpired();
});

// The screen locks after 30 minutes without input, as the session does on
// the server: results, photos and case text leave the page. Measured with
// the monotonic clock, so a changed device clock neither hastens nor delays it.
const IDLE_MS = 30 * 60 * 1000;
let lastInput = performance.now();
for (const ev of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) {
  document.addEventListener(ev, () => { lastInput = performance.now(); }, { passive: true, capture: true });
}
setInterval(async () => {
  if (!app.me || performance.now() - lastInput < IDLE_MS) return;
  resetSession();
  forgetKeys();
  app.signinNotice = 'Sightline locked after 30 minutes without activity. Sign in again to continue.';
  await navigate('/signin', { replace: true });
}, 15_000);

onRender(draw);
registerServiceWorker();
start().then(() => startBadgePolling());
