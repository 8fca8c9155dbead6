// Results (R3.4): the list and the map side by side (stacked on phones),
// linked both ways. Each read shows both photos, time in local time with
// UTC on hover, nearest address and intersection, copyable GPS, the
// source, and the camera's vehicle analysis where it sent one. The results exist only in this page's memory: a reload does not
// bring them back; re-running is a new, logged query.
import { h, mount, announce } from '../dom.js';
import { app } from '../state.js';
import { navigate } from '../router.js';
import { timeEl, plural, fmtDate, utc } from '../format.js';
import { mapView } from '../components/map-view.js';
import { openPhoto } from '../components/lightbox.js';
import { reportMisread } from '../components/misread.js';
import { addToList } from '../components/add-to-list.js';
import { printReportButton } from '../components/print-report.js';

export async function render(main) {
  const q = app.lastQuery;
  if (!q) {
    mount(main, h('section', { class: 'panel narrow' },
      h('h1', {}, 'No results to show'),
      h('p', {}, 'Results are kept only while the page is open. Run the query again from your recent queries; it will be logged as a new query.'),
      h('p', {}, h('a', { class: 'button', href: '/recent' }, 'Recent queries'), ' ', h('a', { class: 'button secondary', href: '/query' }, 'New query'))));
    return;
  }
  // Pins are numbered oldest first; the list can be sorted either way.
  const chrono = [...q.results].sort((a, b) => a.captured_at.localeCompare(b.captured_at));
  const number = new Map(chrono.map((r, i) => [r.read_id, i + 1]));
  let order = 'newest';
  let kind = '';
  let selected = null;
  const cards = new Map();
  const map = mapView(chrono, (id) => select(id, { scroll: true }));

  function select(id, { scroll = false } = {}) {
    selected = id;
    for (const [rid, card] of cards) card.classList.toggle('selected', rid === id);
    map.select(id);
    const card = cards.get(id);
    if (card && scroll) card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    if (card) announce(`Sighting ${number.get(id)} selected`);
  }

  const kinds = [...new Map(q.results.map((r) => [r.source.kind, r.source.kind_label])).entries()];
  const list = h('ol', { class: 'read-list', 'aria-label': 'Sightings', 'data-testid': 'read-list' });
  function drawList() {
    const rows = (order === 'newest' ? [...chrono].reverse() : chrono).filter((r) => !kind || r.source.kind === kind);
    cards.clear();
    mount(list, rows.map((r) => {
      const card = readCard(q, r, number.get(r.read_id), () => select(r.read_id));
      cards.set(r.read_id, card);
      return card;
    }));
    if (!rows.length && q.results.length) list.append(h('li', { class: 'panel empty' }, 'No sightings from this kind of source.'));
    if (selected) select(selected);
  }

  const sortSel = h('select', { id: 'sort' }, h('option', { value: 'newest' }, 'Newest first'), h('option', { value: 'oldest' }, 'Oldest first'));
  sortSel.addEventListener('change', () => { order = sortSel.value; drawList(); });
  const kindSel = h('select', { id: 'kind' }, h('option', { value: '' }, 'All sources'), kinds.map(([k, label]) => h('option', { value: k }, label)));
  kindSel.addEventListener('change', () => { kind = kindSel.value; drawList(); });

  const who = q.on_behalf_of ? `on behalf of ${q.on_behalf_of}` : 'for yourself';
  const banner = h('div', { class: 'notice info logged-banner', role: 'status', 'data-testid': 'logged-banner' },
    h('div', {},
      h('strong', {}, 'This query is logged in your agency\'s audit log.'),
      h('span', {}, `Audit reference: query #${q.query_id}. Reason ${q.reason_code}, case reference "${q.case_reference}", ${who}.`)));

  const head = h('div', { class: 'page-head' },
    h('div', {},
      h('h1', {}, `${q.plate} (${q.state}): ${plural(q.result_count, 'sighting')}`),
      h('p', { class: 'muted' }, `${fmtDate(q.timeframe.start)} to ${fmtDate(q.timeframe.end)}`)),
    h('div', { class: 'actions' }, q.results.length ? printReportButton(q) : null, h('a', { class: 'button secondary', href: '/query' }, 'New query')));

  if (!q.results.length) {
    mount(main, head, banner, h('section', { class: 'panel empty', 'data-testid': 'no-results' },
      h('h2', {}, 'No sightings'),
      h('p', {}, `No reads of ${q.plate} (${q.state}) were collected between ${fmtDate(q.timeframe.start)} and ${fmtDate(q.timeframe.end)}.`)));
    return;
  }
  drawList();
  mount(main, head, banner,
    q.truncated ? h('div', { class: 'notice warn' }, 'Only the first results are shown. Narrow the time frame to see the rest.') : null,
    h('div', { class: 'results-layout' },
      h('section', { 'aria-label': 'Sighting list' },
        h('div', { class: 'toolbar' },
          h('div', { class: 'field' }, h('label', { for: 'sort' }, 'Sort by time'), sortSel),
          h('div', { class: 'field' }, h('label', { for: 'kind' }, 'Source kind'), kindSel)),
        list),
      h('section', { class: 'results-map', 'aria-label': 'Map' }, map.element)));
}

function copyButton(text) {
  const b = h('button', { type: 'button', class: 'secondary' }, 'Copy', h('span', { class: 'visually-hidden' }, ` coordinates ${text}`));
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      b.firstChild.textContent = 'Copied';
      announce('Coordinates copied');
    } catch {
      b.firstChild.textContent = 'Select and copy';
    }
    setTimeout(() => { b.firstChild.textContent = 'Copy'; }, 2000);
  });
  return b;
}

// The camera's own vehicle analysis, where it sent one: a help to confirm
// the read against the photos, never something a query can search by.
const VEHICLE = [['model', 'Make and model'], ['make', 'Make'], ['color', 'Colour'], ['body_type', 'Body'], ['year', 'Year']];
function vehicleFacts(v) {
  if (!v) return null;
  const guess = (g) => `${g.name.replace(/_+/g, ' ')} (${Math.round(g.confidence)}%)`;
  const parts = VEHICLE
    .filter(([k]) => v[k] && !(k === 'make' && v.model))
    .map(([k, label]) => `${label}: ${guess(v[k])}`);
  if (!parts.length) return null;
  return [h('dt', {}, 'Vehicle'),
    h('dd', { 'data-testid': 'vehicle-attrs' }, parts.join(' · '),
      h('span', { class: 'small muted' }, ' (the camera\'s analysis, with its confidence)'))];
}

function readCard(q, r, n, onSelect) {
  const coords = `${r.location.lat.toFixed(6)}, ${r.location.lon.toFixed(6)}`;
  const photo = (kind, label, url) => {
    const img = h('img', { src: url, alt: `${label} of ${r.plate}, sighting ${n}`, loading: 'lazy', 'data-photo': kind });
    return h('button', { type: 'button', class: `photo-button ${kind}`, 'aria-label': `Enlarge ${label.toLowerCase()}`, onclick: () => openPhoto(url, `${label}, sighting ${n}`) }, img);
  };
  return h('li', { class: 'read-card', 'data-read-id': r.read_id },
    h('div', { class: 'read-head' },
      h('span', { class: 'pin-no', 'aria-hidden': 'true' }, String(n)),
      h('button', { type: 'button', class: 'read-title', onclick: onSelect },
        h('span', { class: 'visually-hidden' }, `Sighting ${n}, show on map: `),
        timeEl(r.captured_at), h('span', { class: 'muted small' }, ` · ${r.source.kind_label}`)),
      h('span', { class: 'small muted utc' }, utc(r.captured_at))),
    h('div', { class: 'photos' }, photo('vehicle', 'Vehicle photo', r.photos.vehicle), photo('plate', 'Plate photo', r.photos.plate)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Plate'), h('dd', { class: 'mono' }, `${r.plate} (${r.state})`),
      h('dt', {}, 'Nearest address'), h('dd', {}, r.nearest_address),
      h('dt', {}, 'Intersection'), h('dd', {}, r.nearest_intersection),
      h('dt', {}, 'GPS'), h('dd', {}, h('span', { class: 'coords' }, h('span', { class: 'mono' }, coords), copyButton(coords))),
      h('dt', {}, 'Source'), h('dd', {}, `${r.source.name} (${r.source.kind_label})`),
      vehicleFacts(r.vehicle)),
    h('div', { class: 'card-actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => reportMisread(q, r, n) }, 'Report misread'),
      h('button', { type: 'button', class: 'secondary', onclick: () => addToList(q) }, 'Add plate to an alert list')));
}

export { navigate };
