// `/reads/{id}`: where a hit email's link lands. A read is never shown
// outside a purpose-bound query, so this finds the hit in the inbox and
// opens the query form with its plate, state and reason; the user adds the
// case reference and time frame, and the query is logged like any other.
import { h, mount } from '../dom.js';
import { get, post } from '../api.js';
import { app } from '../state.js';
import { navigate } from '../router.js';

export async function render(main, { params }) {
  const readId = Number(params.id);
  const { notifications } = await get('/api/v1/notifications');
  const hit = notifications.find((n) => n.kind === 'hit' && n.read_id === readId);
  if (hit && app.me.role === 'investigator') {
    if (!hit.read_at) await post(`/api/v1/notifications/${hit.id}/read`, {}).catch(() => {});
    app.prefill = { plate: hit.plate, state: hit.state, reason_code: hit.reason_code };
    return navigate('/query', { replace: true });
  }
  mount(main, h('section', { class: 'panel narrow' },
    h('h1', {}, 'Alert hit'),
    h('p', {}, hit
      ? 'Reads are shown only in the results of a logged query, which investigators run.'
      : 'This hit is not in your inbox. It may have been for someone else, or the list entry has since been removed.'),
    h('p', {}, h('a', { href: '/inbox' }, 'Go to your inbox'))));
}
