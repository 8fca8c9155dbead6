// Forgotten password (R2.2): a security question, then a temporary
// password by email, which must be changed at first use.
import { h, mount } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { post } from '../api.js';

export async function render(main) {
  const user = field('username', 'Username', input({ autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' }));
  const form = h('form', { novalidate: true }, user, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Continue')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      if (!user.control.value.trim()) throw { errors: [{ field: 'username', message: 'Enter your username.' }] };
      const c = await post('/api/v1/auth/recovery', { username: user.control.value.trim() });
      askQuestion(main, c);
    }, { title: 'Recovery could not start' });
  });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Recover your password'),
    h('p', {}, 'Answer one of the security questions you chose at registration. If it is right, a temporary password is emailed to you.'),
    form,
    h('p', { class: 'small' }, h('a', { href: '/signin' }, 'Back to sign in'))));
}

function askQuestion(main, challenge) {
  const answer = field('answer', challenge.question, input({ autocomplete: 'off' }));
  const form = h('form', { novalidate: true }, answer, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Send temporary password')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      if (!answer.control.value.trim()) throw { errors: [{ field: 'answer', message: 'Enter your answer.' }] };
      const r = await post('/api/v1/auth/recovery/answer', { challenge_id: challenge.challenge_id, answer: answer.control.value });
      mount(main, h('section', { class: 'panel narrow' },
        h('h1', {}, 'Check your email'),
        h('p', { role: 'status' }, `${r.detail[0].toUpperCase()}${r.detail.slice(1)}.`),
        h('p', {}, 'Sign in with it; you will be asked to choose a new password at once.'),
        h('p', {}, h('a', { class: 'button', href: '/signin' }, 'Go to sign in'))));
    }, { title: 'That did not work' });
  });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Answer your security question'),
    form,
    h('p', { class: 'small' }, h('a', { href: '/signin' }, 'Back to sign in'))));
}
