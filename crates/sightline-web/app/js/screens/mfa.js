// The second factor: first-time enrolment (QR code drawn here from the
// server's module matrix, the secret in text, recovery codes shown once),
// and later sign-ins with a code or a recovery code.
import { h, s, mount } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { post } from '../api.js';
import { continueSession } from './signin.js';

function qrSvg(qr) {
  const n = qr.size;
  const quiet = 4;
  const dim = n + quiet * 2;
  const path = [];
  qr.rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) if (row[x] === '1') path.push(`M${x + quiet} ${y + quiet}h1v1h-1z`);
  });
  return s('svg', { class: 'qr', viewBox: `0 0 ${dim} ${dim}`, role: 'img', 'aria-label': 'QR code for your authenticator app', 'shape-rendering': 'crispEdges' },
    s('rect', { width: dim, height: dim, fill: '#fff' }),
    s('path', { d: path.join(''), fill: '#000' }));
}

function codeField() {
  return field('code', 'Six-digit code', input({ class: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]*', maxlength: 6 }), 'The code your authenticator app shows now.');
}

export async function renderEnroll(main) {
  let enrolment;
  try {
    enrolment = await post('/api/v1/auth/mfa/enroll', {});
  } catch (e) {
    mount(main, h('div', { class: 'panel narrow' }, h('h1', {}, 'Set up your authenticator'), h('p', { class: 'notice error' }, e.message)));
    return;
  }
  const code = codeField();
  const form = h('form', { novalidate: true }, code, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Confirm')));
  const grouped = enrolment.secret.replace(/(.{4})/g, '$1 ').trim();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const r = await post('/api/v1/auth/mfa/confirm', { code: code.control.value.trim() });
      showRecoveryCodes(main, r.recovery_codes);
    }, { title: 'That code did not work' });
  });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Set up your authenticator app'),
    h('p', {}, 'Sightline needs a second factor at every sign-in. Scan this code with an authenticator app (any app that supports time-based codes).'),
    enrolment.qr ? qrSvg(enrolment.qr) : null,
    h('p', { class: 'small muted' }, 'Or type this key into the app:'),
    h('p', { class: 'secret mono', 'data-testid': 'totp-secret' }, grouped),
    form));
}

function showRecoveryCodes(main, codes) {
  const ack = h('input', { type: 'checkbox', id: 'codes-saved' });
  const go = h('button', { type: 'button', disabled: true, onclick: () => continueSession() }, 'Continue');
  ack.addEventListener('change', () => { go.disabled = !ack.checked; });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Save your recovery codes'),
    h('p', {}, 'Each code signs you in once if you lose your phone. They are shown this one time only: write them down or store them in a password manager.'),
    h('ul', { class: 'codes mono', 'aria-label': 'Recovery codes' }, codes.map((c) => h('li', {}, c))),
    h('div', { class: 'choice' }, ack, h('label', { for: 'codes-saved' }, 'I have saved these codes somewhere safe')),
    h('div', { class: 'actions' }, go)));
}

export async function renderVerify(main) {
  let useRecovery = false;
  const code = codeField();
  const recovery = field('recovery_code', 'Recovery code', input({ autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }), 'One of the codes you saved when you set up your authenticator.');
  recovery.classList.add('hidden');
  const toggle = h('button', { type: 'button', class: 'link' }, 'Use a recovery code instead');
  toggle.addEventListener('click', () => {
    useRecovery = !useRecovery;
    code.classList.toggle('hidden', useRecovery);
    recovery.classList.toggle('hidden', !useRecovery);
    toggle.textContent = useRecovery ? 'Use a code from the app instead' : 'Use a recovery code instead';
    (useRecovery ? recovery : code).control.focus();
  });
  const form = h('form', { novalidate: true }, code, recovery,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Verify'), toggle));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const body = useRecovery ? { recovery_code: recovery.control.value.trim() } : { code: code.control.value.trim() };
      try {
        await post('/api/v1/auth/mfa/verify', body, { quiet: true });
      } catch (err) {
        if (err.code === 'account_locked') throw { errors: [{ field: useRecovery ? 'recovery_code' : 'code', message: 'This account is locked after five failed attempts. Wait 10 minutes, or ask your agency manager to unlock it.' }] };
        if (!err.field || err.field === 'code' || err.field === 'recovery_code') err.errors = err.errors.map((x) => ({ ...x, field: useRecovery ? 'recovery_code' : 'code' }));
        throw err;
      }
      await continueSession();
    }, { title: 'That code did not work' });
  });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Enter your authenticator code'),
    form));
}
