// Groups (case teams) an entry can notify: the ones you belong to, and a
// form to create one with its members named by username. The creator is
// always a member; members must belong to the same agency.
import { h } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { post } from '../api.js';

export function groupList(groups) {
  if (!groups.length) return h('p', { class: 'muted small' }, 'You are in no group yet.');
  return h('ul', { class: 'group-list', 'data-testid': 'groups' }, groups.map((g) => h('li', {},
    h('strong', {}, g.name),
    h('span', { class: 'small muted' }, `${g.members.length} ${g.members.length === 1 ? 'member' : 'members'}: ${g.members.join(', ')}`))));
}

/** The form; `onCreated(group)` gets the new group. */
export function groupForm(onCreated) {
  const name = field('name', 'Group name', input({ autocomplete: 'off' }), 'For example the case team\'s name.');
  const members = field('members', 'Members', input({ autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' }), 'Usernames of people in your agency, separated by commas. You are a member already.');
  const form = h('form', { novalidate: true, 'aria-label': 'Create a group' }, name, members,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Create group')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const usernames = members.control.value.split(/[,;\s]+/).map((u) => u.trim()).filter(Boolean);
    const aliases = Object.fromEntries(usernames.map((_, i) => [`members[${i}]`, 'members']));
    submitting(form, async () => {
      try {
        const g = await post('/api/v1/alert-groups', { name: name.control.value.trim() || null, members: usernames });
        await onCreated(g);
      } catch (e) {
        if (e?.code === 'group_exists') throw { errors: [{ field: 'name', message: e.message }] };
        throw e;
      }
    }, { title: 'The group was not created', aliases });
  });
  return form;
}
