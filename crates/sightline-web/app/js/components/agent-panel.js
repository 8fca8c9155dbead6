// A source's OpenALPR / Rekor agent, on the operator's source page
// (issue 17): the image service Sightline fetches photos from when a
// message carries none, the agent's last heartbeat and camera streams, and
// the reads waiting for their photos. The password is never shown: the API
// only says whether one is stored. Saving replaces the stored credentials.
import { h, mount, announce } from '../dom.js';
import { field, input, submitting } from '../forms.js';
import { api, get } from '../api.js';
import { confirmAction } from './confirm.js';
import { facts } from '../operator.js';
import { timeEl, plural } from '../format.js';

function healthView(status) {
  const hb = status.health;
  if (!hb) {
    return h('p', { class: 'muted', 'data-testid': 'agent-health' },
      'No heartbeat yet. Agents send one about every minute to the same address as their reads.');
  }
  const silent = hb.silent_since
    ? h('p', { class: 'notice warn', role: 'status' },
      `Silent: no heartbeat for more than ${status.silent_after_minutes} minutes (noticed `, timeEl(hb.silent_since), '). The operator log has the notice.')
    : null;
  const streams = hb.streams.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'agent-streams' },
      h('caption', { class: 'visually-hidden' }, 'Camera streams'),
      h('thead', {}, h('tr', {}, ['Camera', 'Name', 'Streaming', 'Frames per second'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, hb.streams.map((s) => h('tr', {},
        h('th', { scope: 'row' }, s.camera_id),
        h('td', {}, s.camera_name || ''),
        h('td', {}, s.is_streaming ? 'Yes' : 'No'),
        h('td', {}, s.fps === null || s.fps === undefined ? '' : String(s.fps)))))))
    : h('p', { class: 'muted' }, 'The heartbeat listed no camera streams.');
  return h('div', { 'data-testid': 'agent-health' },
    silent,
    facts([
      ['Last heartbeat', timeEl(hb.last_seen_at)],
      ['Agent host', hb.hostname],
      ['Agent id', hb.agent_uid],
    ], 'Agent health'),
    streams);
}

/** The panel for source `src`; loads its agent status itself. */
export async function agentPanel(src) {
  const path = `/api/v1/admin/sources/${src.id}/agent`;
  let status = await get(path);
  const url = field('base_url', 'Image service address', input({ autocomplete: 'off', spellcheck: 'false', inputmode: 'url' }),
    'The agent\'s web service: http://, its host and port (8355 by default), nothing else. Sightline fetches photos only from here.');
  const user = field('username', 'User name (optional)', input({ autocomplete: 'off', spellcheck: 'false' }), 'If the agent\'s web service asks for HTTP Basic credentials.');
  const pass = field('password', 'Password (optional)', input({ type: 'password', autocomplete: 'new-password' }), 'Never shown again. Saving replaces the stored credentials; leave both empty for none.');
  const current = h('div', {});
  const health = h('div', {});
  const note = h('div', { role: 'status' });
  const remove = h('button', { type: 'button', class: 'danger' }, 'Remove image service');
  const draw = () => {
    const s = status.service;
    mount(current, s
      ? facts([
        ['Image service', h('span', { class: 'mono', 'data-testid': 'agent-url' }, s.base_url)],
        ['Credentials', s.username ? `${s.username}${s.has_password ? ', password stored' : ''}` : 'None'],
        ['Waiting for photos', plural(status.pending_photos, 'read')],
      ], 'Agent image service')
      : h('p', { class: 'muted' }, 'No image service registered: messages from this source must carry both photos (vehicle_crop_jpeg or overview_jpeg, and the plate crop).'));
    remove.hidden = !s;
    if (s) { url.control.value = s.base_url; user.control.value = s.username || ''; }
    mount(health, healthView(status));
  };
  const form = h('form', { novalidate: true, 'aria-labelledby': 'agent-form-h' },
    h('h3', { id: 'agent-form-h' }, 'Register the image service'),
    h('div', { class: 'search-grid' }, url, user, pass),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save image service'), remove));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      status = await api('PUT', path, {
        base_url: url.control.value,
        username: user.control.value || null,
        password: pass.control.value || null,
      });
      pass.control.value = '';
      draw();
      mount(note, h('p', { class: 'notice ok' }, `Image service saved: ${status.service.base_url}.`));
      announce('Image service saved');
    }, { title: 'The image service was not saved' });
  });
  remove.addEventListener('click', async () => {
    const yes = await confirmAction({
      title: `Remove ${src.name}'s image service?`,
      body: h('p', {}, 'Messages without photos will then be refused, and reads still waiting for photos are refused at their next try.'),
      confirmLabel: 'Remove image service',
      danger: true,
    });
    if (!yes) return;
    try {
      status = await api('DELETE', path);
      form.reset();
      draw();
      mount(note, h('p', { class: 'notice ok' }, 'Image service removed.'));
    } catch (err) { mount(note, h('p', { class: 'notice error', role: 'alert' }, err.message)); }
  });
  draw();
  return h('section', { class: 'panel', 'aria-labelledby': 'agent-h', 'data-testid': 'agent-panel' },
    h('h2', { id: 'agent-h' }, 'OpenALPR / Rekor agent'),
    h('p', {}, 'Stock agents send plate data without photos. Sightline then fetches the full frame and a crop of the plate from the agent\'s image service, and keeps the read out of every query until both are stored.'),
    current, note, form,
    h('h3', {}, 'Heartbeats'),
    health);
}
