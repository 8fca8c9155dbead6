// The rules of behavior (R2.3): a splash at every logon that blocks
// everything until affirmed, and the same text on demand from the header.
import { h, mount } from '../dom.js';
import { get, post } from '../api.js';
import { submitting } from '../forms.js';
import { app } from '../state.js';
import { continueSession } from './signin.js';

function rulesText(r) {
  return h('div', { class: 'rules-text', tabindex: '0', role: 'document', 'aria-label': 'Rules of behavior text' }, r.text);
}

export async function renderSplash(main) {
  const r = await get('/api/v1/rules');
  const form = h('form', { novalidate: true },
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'I affirm'),
      h('span', { class: 'small muted' }, 'Affirming is recorded in your agency\'s audit log.')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      await post('/api/v1/rules/affirm', { version: r.version });
      await continueSession();
    });
  });
  mount(main, h('section', { class: 'panel medium', 'aria-labelledby': 'rules-h' },
    h('h1', { id: 'rules-h' }, 'Rules of behavior'),
    h('p', {}, `Read the rules in force (version ${r.version}) and affirm that you will follow them. You must do this at every sign-in before you can use Sightline.`),
    rulesText(r),
    form));
}

export async function renderRead(main) {
  const r = await get('/api/v1/rules');
  const back = app.me?.next === 'ready' ? h('a', { href: '/' }, 'Back to Sightline') : null;
  mount(main, h('section', { class: 'panel medium' },
    h('h1', {}, 'Rules of behavior'),
    h('p', { class: 'muted' }, `Version ${r.version}${r.published_at ? `, published ${new Date(r.published_at).toLocaleDateString()}` : ''}.${r.affirmed ? ' You affirmed these rules when you signed in.' : ''}`),
    rulesText(r),
    h('p', {}, back)));
}
