// The start page: investigators go straight to the query form; other roles
// see what the web app offers them.
import { h, mount } from '../dom.js';
import { app, isInvestigator, isAuditor, isManager } from '../state.js';
import { navigate } from '../router.js';

export async function render(main) {
  if (isInvestigator()) return navigate('/query', { replace: true });
  if (isAuditor()) return navigate('/audit', { replace: true });
  if (app.me.role === 'operator_admin') return navigate('/operator/agencies', { replace: true });
  if (isManager()) return navigate('/manage/users', { replace: true });
  const role = { agency_manager: 'agency manager', auditor: 'auditor', operator_admin: 'operator' }[app.me.role] || app.me.role;
  mount(main, h('section', { class: 'panel medium' },
    h('h1', {}, `Signed in as ${role}`),
    h('p', {}, 'Plate queries are for investigators. The management, audit and operator consoles are served through the API for now (see /openapi.json).'),
    app.me.agency_id ? h('p', {}, h('a', { href: '/alerts' }, 'Alert lists'), ' · ', h('a', { href: '/inbox' }, 'Inbox')) : null));
}

export async function renderTraining(main) {
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Training needed'),
    h('p', {}, 'Your Sightline training is missing or more than 12 months old. Ask your agency manager to record your completed course; you can use Sightline again as soon as they do.')));
}
