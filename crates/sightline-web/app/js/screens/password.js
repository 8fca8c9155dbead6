// Choosing a new password: forced after a temporary one, or by choice.
import { h, mount } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { post } from '../api.js';
import { app } from '../state.js';
import { continueSession } from './signin.js';

export const PASSWORD_HINT = '12 to 128 characters. Not a common or breached password, and not your username. A few unrelated words make a good one.';

export async function render(main) {
  const forced = app.me?.next === 'password_change';
  const current = field('current_password', forced ? 'Temporary password' : 'Current password', input({ type: 'password', autocomplete: 'current-password' }));
  const next = field('new_password', 'New password', input({ type: 'password', autocomplete: 'new-password' }), PASSWORD_HINT);
  const again = field('confirm', 'New password again', input({ type: 'password', autocomplete: 'new-password' }));
  const form = h('form', { novalidate: true }, current, next, again, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Change password')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      if (next.control.value !== again.control.value) throw { errors: [{ field: 'confirm', message: 'The two new passwords do not match.' }] };
      await post('/api/v1/auth/password', { current_password: current.control.value, new_password: next.control.value });
      await continueSession();
    }, { title: 'Your password was not changed' });
  });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Choose a new password'),
    forced ? h('p', { class: 'notice warn' }, 'You signed in with a temporary password. Choose your own before you continue.') : null,
    form));
}
