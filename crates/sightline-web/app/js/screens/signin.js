// Sign in: username and password, then whatever the session still owes.
import { h, mount } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { post } from '../api.js';
import { app } from '../state.js';
import { navigate } from '../router.js';
import { refreshMe } from '../main.js';
import { forgetKeys } from '../device-store.js';

/** A same-origin path to go to, or the start page. */
function safeTarget(path) {
  if (!path) return '/';
  try {
    const u = new URL(path, location.origin);
    return u.origin === location.origin && !u.pathname.startsWith('/signin') ? u.pathname + u.search : '/';
  } catch {
    return '/';
  }
}

/** Where a session goes after each step. */
export async function continueSession(next) {
  const me = await refreshMe();
  if (!me) return navigate('/signin', { replace: true });
  const stage = me.next;
  if (stage === 'ready') {
    const target = safeTarget(app.nextPath);
    app.nextPath = null;
    return navigate(target, { replace: true });
  }
  return navigate({ mfa_enroll: '/signin/enroll', mfa_verify: '/signin/verify', rules: '/splash', password_change: '/password', training_required: '/training' }[stage] || next || '/', { replace: true });
}

const WORDS = {
  account_locked: 'This account is locked after five failed sign-ins. Wait 10 minutes, or ask your agency manager to unlock it.',
  rate_limited: 'Too many sign-in attempts from here. Wait a minute, then try again.',
};

export async function render(main) {
  // A page left open may hold someone's stale session: ask the server.
  const me = app.me ? await refreshMe() : null;
  if (me?.next === 'ready') return navigate('/', { replace: true });
  const user = field('username', 'Username', input({ autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true }));
  const pass = field('password', 'Password', input({ type: 'password', autocomplete: 'current-password', required: true }));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'signin-h' },
    user, pass,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const errors = [];
      if (!user.control.value.trim()) errors.push({ field: 'username', message: 'Enter your username.' });
      if (!pass.control.value) errors.push({ field: 'password', message: 'Enter your password.' });
      if (errors.length) throw { errors };
      try {
        const r = await post('/api/v1/auth/login', { username: user.control.value.trim(), password: pass.control.value, session: 'cookie' }, { quiet: true });
        // Nothing of an earlier user may carry over into this session.
        forgetKeys();
        pass.control.value = '';
        app.signinNotice = null;
        await continueSession(r.next);
      } catch (e) {
        if (WORDS[e.code]) throw { errors: [{ field: 'password', message: WORDS[e.code] }] };
        throw e;
      }
    }, { title: 'You could not be signed in' });
  });
  const notice = app.signinNotice ? h('div', { class: 'notice info', role: 'status' }, app.signinNotice) : null;
  mount(main, h('div', { class: 'narrow' },
    notice,
    h('section', { class: 'panel' },
      h('h1', { id: 'signin-h' }, 'Sign in to Sightline'),
      h('p', { class: 'muted' }, 'Every query you run names its purpose and is written to your agency\'s audit log.'),
      form,
      h('p', { class: 'small' }, h('a', { href: '/recover' }, 'Forgot your password?'), ' · ', h('a', { href: '/register' }, 'Register with a key from your manager')))));
}
