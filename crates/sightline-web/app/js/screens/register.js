// Registration with the key an agency manager sent (R2.2): a password and
// three security questions with answers.
import { h, mount } from '../dom.js';
import { field, fieldset, input, submitting } from '../forms.js';
import { get, post } from '../api.js';
import { PASSWORD_HINT } from './password.js';

export async function render(main) {
  const { questions } = await get('/api/v1/auth/security-questions');
  const key = field('registration_key', 'Registration key', input({ autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }), 'From the email your agency manager sent.');
  const pass = field('password', 'Choose a password', input({ type: 'password', autocomplete: 'new-password' }), PASSWORD_HINT);
  const pairs = [0, 1, 2].map((i) => {
    const sel = h('select', {}, h('option', { value: '' }, 'Choose a question'), questions.map((q) => h('option', { value: q }, q)));
    const q = field(`security_answers[${i}].question`, `Security question ${i + 1}`, sel);
    const a = field(`security_answers[${i}].answer`, `Answer ${i + 1}`, input({ autocomplete: 'off' }));
    return { q, a };
  });
  const form = h('form', { novalidate: true }, key, pass,
    fieldset('security_answers', 'Security questions', pairs.flatMap((p) => [p.q, p.a]), 'Choose three different questions. You answer one of them if you ever forget your password.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Register')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/auth/register', {
        registration_key: key.control.value.trim(),
        password: pass.control.value,
        security_answers: pairs.map((p) => ({ question: p.q.control.value, answer: p.a.control.value })),
      });
      mount(main, h('section', { class: 'panel narrow' },
        h('h1', {}, 'You are registered'),
        h('p', { role: 'status' }, 'Sign in with your username and the password you chose. You will then set up your authenticator app.'),
        h('p', {}, h('a', { class: 'button', href: '/signin' }, 'Go to sign in'))));
    }, { title: 'Registration did not go through' });
  });
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Register'),
    form,
    h('p', { class: 'small' }, h('a', { href: '/signin' }, 'Back to sign in'))));
}
