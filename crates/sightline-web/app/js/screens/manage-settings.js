// The agency's settings: its security contacts (who gets incident
// notices), its rules of behavior, whether it publishes on the public
// transparency page, and, once its contract has ended, the transfer. The
// rules of behavior: Publishing a new version of the rules makes every session,
// the manager's own included, affirm it before its next action: the
// server's ConsentedUser extractor refuses any other version.
import { h, mount, announce } from '../dom.js';
import { field, submitting } from '../forms.js';
import { get, api, post } from '../api.js';
import { navigate } from '../router.js';
import { refreshMe } from '../main.js';
import { confirmAction } from '../components/confirm.js';
import { timeEl } from '../format.js';
import { pageHead, isAgencyWide } from '../manage.js';
import { app } from '../state.js';
import { transparencyPanel, contractEndPanel } from '../components/agency-panels.js';

export async function render(main) {
  const [contacts, rules, ended, published] = await Promise.all([
    get('/api/v1/security-contacts'), get('/api/v1/rules'), contractEndPanel(app.me), transparencyPanel(app.me)]);
  mount(main, h('div', { class: 'wide' },
    pageHead('Agency settings', 'Who hears about security incidents, the rules every user affirms at sign-in, and what the public may see.'),
    ended,
    contactsPanel(contacts.emails, contacts.professional_responsibility || [], isAgencyWide(app.me)),
    rulesPanel(rules, isAgencyWide(app.me)),
    published));
}

const WIDE_ONLY = 'Only an agency-wide manager can change this.';

function contactsPanel(emails, pr, agencyWide) {
  if (!agencyWide) {
    return h('section', { class: 'panel', 'aria-labelledby': 'contacts-h' }, h('h2', { id: 'contacts-h' }, 'Security contacts'),
      h('p', {}, 'Sightline\'s incident notices for your agency go to:'),
      h('ul', { 'data-testid': 'contacts-list' }, emails.map((e) => h('li', {}, e))),
      h('p', {}, 'Questioned queries also go to the professional-responsibility office:'),
      h('ul', { 'data-testid': 'pr-contacts-list' }, pr.map((e) => h('li', {}, e))),
      h('p', { class: 'muted' }, WIDE_ONLY));
  }
  const prBox = h('textarea', { rows: 3, spellcheck: 'false' });
  prBox.value = pr.join('\n');
  const prList = field('professional_responsibility', 'Professional-responsibility contacts', prBox, 'One email address a line, up to 20. When a reviewer questions a query, they are told with the security contacts.');
  const box = h('textarea', { rows: 4, spellcheck: 'false' });
  box.value = emails.join('\n');
  const list = field('emails', 'Security contacts', box, 'One email address a line, 1 to 20. They get Sightline\'s incident notices for your agency.');
  const status = h('p', { role: 'status', class: 'small', 'data-testid': 'contacts-status' });
  const form = h('form', { novalidate: true }, list, prList,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save contacts')), status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    status.textContent = '';
    const entered = box.value.split('\n').map((x) => x.trim()).filter(Boolean);
    const enteredPr = prBox.value.split('\n').map((x) => x.trim()).filter(Boolean);
    submitting(form, async () => {
      let saved;
      try {
        saved = await api('PUT', '/api/v1/security-contacts', { emails: entered, professional_responsibility: enteredPr });
      } catch (err) {
        // emails[2] → the box, naming the line.
        if (err.errors) {
          throw { errors: err.errors.map((x) => {
            const m = /^(emails|professional_responsibility)\[(\d+)\]$/.exec(x.field || '');
            const lines = m?.[1] === 'emails' ? entered : enteredPr;
            return m ? { ...x, field: m[1], message: `line ${Number(m[2]) + 1} (${lines[Number(m[2])]}) is ${x.message}` } : x;
          }) };
        }
        throw err;
      }
      box.value = saved.emails.join('\n');
      prBox.value = (saved.professional_responsibility || []).join('\n');
      status.textContent = `Saved: ${saved.emails.length} ${saved.emails.length === 1 ? 'contact' : 'contacts'}.`;
      announce('Contacts saved');
    }, { title: 'The contacts were not saved' });
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'contacts-h' }, h('h2', { id: 'contacts-h' }, 'Security contacts'), form);
}

function rulesPanel(rules, agencyWide) {
  const text = h('textarea', { rows: 12 });
  text.value = rules.text;
  const next = rules.version + 1;
  const f = field('text', `Version ${next}`, text, 'Edit the text, then publish. Every user, you included, must affirm the new version before doing anything else in Sightline.');
  const form = h('form', { novalidate: true, 'aria-label': 'Publish new rules' }, f,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, `Publish version ${next}`)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const yes = await confirmAction({
      title: `Publish version ${next}?`,
      body: h('p', {}, 'Every signed-in user is asked to affirm it at their next action, and everyone at their next sign-in. You will affirm it straight away.'),
      confirmLabel: 'Publish',
    });
    if (!yes) return;
    await submitting(form, async () => {
      await post('/api/v1/rules', { text: text.value });
      announce(`Rules version ${next} published`);
      await refreshMe();
      await navigate('/splash', { replace: true });
    }, { title: 'The rules were not published' });
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'rules-h' },
    h('h2', { id: 'rules-h' }, 'Rules of behavior'),
    h('p', { class: 'muted', 'data-testid': 'rules-version' }, `In force: version ${rules.version}`,
      rules.published_at ? [', published ', timeEl(rules.published_at)] : ' (Sightline\'s default text)', '.'),
    h('details', {}, h('summary', {}, `Read version ${rules.version}`), h('div', { class: 'rules-text', tabindex: '0', role: 'document', 'aria-label': 'Rules in force' }, rules.text)),
    agencyWide ? [h('h3', {}, 'Publish a new version'), form] : h('p', { class: 'muted' }, WIDE_ONLY));
}
