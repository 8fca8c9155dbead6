// The operator's data sources: register one (its first ingest key shown
// once), and per source rotate or revoke its keys (a new key shown once),
// register its OpenALPR agent's image service and see its heartbeats, and
// place its cameras on the map. Every change is in the operator's log.
import { h, mount, announce } from '../dom.js';
import { field, input, submitting, showErrors } from '../forms.js';
import { get, post } from '../api.js';
import { jurisdictions, stateInput, stateValue, stateLabel } from '../jurisdictions.js';
import { confirmAction } from '../components/confirm.js';
import { cameraMap } from '../components/camera-map.js';
import { agentPanel } from '../components/agent-panel.js';
import { pageHead, keyOnce } from '../operator.js';
import { stateName } from '../retention.js';

const KINDS = [
  ['toll_road', 'Toll road'],
  ['parking_lot', 'Parking lot'],
  ['repossession', 'Repossession'],
  ['law_enforcement', 'Law enforcement'],
];
const kindName = (k) => (KINDS.find(([v]) => v === k) || [k, k])[1];

async function sources() {
  return (await get('/api/v1/admin/sources')).sources;
}

function sourceTable(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'No sources yet.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'sources' },
    h('caption', { class: 'visually-hidden' }, 'Sources'),
    h('thead', {}, h('tr', {}, ['Source', 'Kind', 'Collects in', 'Place'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((s) => h('tr', { 'data-source': s.name },
      h('th', { scope: 'row' }, h('a', { href: `/operator/sources/${s.id}` }, s.name)),
      h('td', {}, kindName(s.kind)),
      h('td', {}, `${stateName(s.jurisdiction)} (${s.jurisdiction})`),
      h('td', {}, s.place))))));
}

export async function render(main) {
  const [list] = await Promise.all([sources(), jurisdictions()]);
  const name = field('name', 'Name', input({ autocomplete: 'off' }), 'How operators and the agencies\' results name it, e.g. "Delaware toll plaza cameras".');
  const kind = field('kind', 'Kind', h('select', {}, h('option', { value: '' }, 'Choose…'), KINDS.map(([v, t]) => h('option', { value: v }, t))));
  const st = await stateInput('src-state', '');
  const state = field('jurisdiction', 'Collects in (state)', st.input, 'Its collection policy applies to every read. Type a name or USPS code.');
  state.append(st.datalist);
  const place = field('place', 'Place', input({ autocomplete: 'off' }), 'Where it is, in words, e.g. "Wilmington, Delaware".');
  const shown = h('div', {});
  const tableBox = h('section', { class: 'panel', 'aria-labelledby': 'sources-h' }, h('h2', { id: 'sources-h' }, 'Sources'), sourceTable(list));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'register-h' },
    h('h2', { id: 'register-h' }, 'Register a source'),
    h('div', { class: 'search-grid' }, name, kind, state, place),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Register source')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const made = await post('/api/v1/admin/sources', {
        name: name.control.value, kind: kind.control.value, jurisdiction: stateValue(st.input.value), place: place.control.value,
      });
      mount(shown, keyOnce(made.key, `${made.name} is registered. Its ingest key:`),
        h('p', {}, h('a', { href: `/operator/sources/${made.id}` }, `Place ${made.name}'s cameras`)));
      form.reset();
      mount(tableBox, h('h2', { id: 'sources-h' }, 'Sources'), sourceTable(await sources()));
      shown.firstChild.focus();
    }, { title: 'The source was not registered' });
  });
  mount(main, h('div', { class: 'wide operator' },
    pageHead('Sources and cameras', 'The cameras and feeds that send reads. Keys are shown once, when issued.'),
    shown, tableBox, h('section', { class: 'panel' }, form)));
}

function keysPanel(src) {
  const out = h('div', { 'data-testid': 'key-result' });
  const rotate = h('button', { type: 'button' }, 'Rotate key');
  const revoke = h('button', { type: 'button', class: 'danger' }, 'Revoke all keys');
  rotate.addEventListener('click', async () => {
    const yes = await confirmAction({
      title: `Rotate ${src.name}'s key?`,
      body: h('p', {}, 'A new key is issued and every older key stops working at once: the source must be given the new key.'),
      confirmLabel: 'Rotate key',
    });
    if (!yes) return;
    try {
      const { key } = await post(`/api/v1/admin/sources/${src.id}/keys/rotate`, {});
      mount(out, keyOnce(key, 'The new ingest key:'));
      out.firstChild.focus();
    } catch (e) { mount(out, h('p', { class: 'notice error', role: 'alert' }, e.message)); }
  });
  revoke.addEventListener('click', async () => {
    const yes = await confirmAction({
      title: `Revoke every key of ${src.name}?`,
      body: h('p', {}, 'The source can send nothing until you rotate in a new key. Use this when a key is compromised or the source leaves.'),
      confirmLabel: 'Revoke all keys',
      danger: true,
    });
    if (!yes) return;
    try {
      const { revoked } = await post(`/api/v1/admin/sources/${src.id}/keys/revoke`, {});
      mount(out, h('p', { class: 'notice ok', tabindex: '-1', role: 'status' }, revoked === 1 ? 'One key revoked.' : `${revoked} keys revoked.`));
      out.firstChild.focus();
    } catch (e) { mount(out, h('p', { class: 'notice error', role: 'alert' }, e.message)); }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'keys-h' },
    h('h2', { id: 'keys-h' }, 'Ingest keys'),
    h('p', {}, 'Rotating issues a new key and revokes the older ones. Sightline keeps only hashes, so a key cannot be shown again.'),
    h('div', { class: 'actions' }, rotate, revoke), out);
}

function cameraTable(list, onPick) {
  if (!list.length) return h('p', { class: 'muted' }, 'No cameras placed yet.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', 'data-testid': 'cameras' },
    h('caption', { class: 'visually-hidden' }, 'Cameras'),
    h('thead', {}, h('tr', {}, ['Camera', 'Latitude', 'Longitude', 'Nearest address', 'Intersection', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((c) => h('tr', { 'data-camera': c.camera_id },
      h('th', { scope: 'row' }, c.camera_id), h('td', {}, String(c.lat)), h('td', {}, String(c.lon)),
      h('td', {}, c.nearest_address), h('td', {}, c.nearest_intersection),
      h('td', { class: 'actions-cell' }, h('button', { type: 'button', class: 'secondary', 'aria-label': `Move camera ${c.camera_id}`, onclick: () => onPick(c) }, 'Move')))))));
}

export async function renderOne(main, { params }) {
  const id = Number(params.id);
  const src = (await sources()).find((s) => s.id === id);
  if (!src) {
    mount(main, h('section', { class: 'panel narrow' }, h('h1', {}, 'No such source'), h('p', {}, h('a', { href: '/operator/sources' }, 'All sources'))));
    return;
  }
  const all = await jurisdictions();
  const j = all.find((x) => x.code === src.jurisdiction);
  let cameras = (await get(`/api/v1/admin/sources/${id}/cameras`)).cameras;
  const agent = await agentPanel(src);

  const cid = field('camera_id', 'Camera id', input({ autocomplete: 'off', spellcheck: 'false' }), 'As the source names it in its reads (e.g. OpenALPR\'s camera_id). An id already placed is moved.');
  const lat = field('lat', 'Latitude', input({ inputmode: 'decimal', autocomplete: 'off' }), 'Decimal degrees, −90 to 90. Click the map to fill it.');
  const lon = field('lon', 'Longitude', input({ inputmode: 'decimal', autocomplete: 'off' }), 'Decimal degrees, −180 to 180 (west is negative).');
  const addr = field('nearest_address', 'Nearest address', input({ autocomplete: 'off' }), 'Shown with every read of this camera.');
  const cross = field('nearest_intersection', 'Nearest intersection', input({ autocomplete: 'off' }), 'e.g. "Market St & S 7th St".');
  const saved = h('div', { role: 'status' });
  let map;
  const pick = (c) => {
    cid.control.value = c.camera_id;
    lat.control.value = String(c.lat);
    lon.control.value = String(c.lon);
    addr.control.value = c.nearest_address;
    cross.control.value = c.nearest_intersection;
    map.follow();
    cid.control.focus();
  };
  map = cameraMap(cameras, lat.control, lon.control, pick);
  const tableBox = h('div', {}, cameraTable(cameras, pick));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'place-h', class: 'camera-form' },
    h('h2', { id: 'place-h' }, 'Place a camera'),
    saved,
    h('div', { class: 'search-grid' }, cid, lat, lon, addr, cross),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save camera')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // Numbers are checked here: JSON has no way to send a malformed one.
    const bad = [];
    const num = (el, name, max) => {
      const v = Number(el.value.trim());
      if (el.value.trim() === '' || !Number.isFinite(v) || Math.abs(v) > max) bad.push({ field: name, message: `enter the ${name === 'lat' ? 'latitude' : 'longitude'} in decimal degrees`, accepted: `-${max} to ${max}` });
      return v;
    };
    const la = num(lat.control, 'lat', 90);
    const lo = num(lon.control, 'lon', 180);
    if (bad.length) { showErrors(form, bad, { title: 'The camera was not saved' }); return; }
    submitting(form, async () => {
      const c = await post(`/api/v1/admin/sources/${id}/cameras`, {
        camera_id: cid.control.value, lat: la, lon: lo,
        nearest_address: addr.control.value, nearest_intersection: cross.control.value,
      });
      cameras = (await get(`/api/v1/admin/sources/${id}/cameras`)).cameras;
      map.setCameras(cameras);
      mount(tableBox, cameraTable(cameras, pick));
      mount(saved, h('p', { class: 'notice ok' }, `Camera ${c.camera_id} saved at ${c.lat}, ${c.lon}.`));
      announce(`Camera ${c.camera_id} saved`);
    }, { title: 'The camera was not saved', aliases: { location: 'lat' } });
  });
  mount(main, h('div', { class: 'wide operator' },
    h('p', {}, h('a', { href: '/operator/sources' }, '← All sources')),
    pageHead(src.name, `${kindName(src.kind)} · collects in ${j ? stateLabel(j) : src.jurisdiction} · ${src.place}`),
    keysPanel(src),
    agent,
    h('section', { class: 'panel', 'aria-labelledby': 'cams-h' },
      h('h2', { id: 'cams-h' }, 'Cameras'),
      h('div', { class: 'camera-pair' }, map.element, form),
      tableBox)));
}
