// The results map: numbered pins in time order over Sightline's own tiles
// (/tiles, from /api/v1/map/config), with Leaflet for pan and zoom and
// clusters where pins crowd. Two views: the street map framed to fit every
// sighting, and either the operator's aerial layer or, where there is none,
// a regional overview (the same sightings in their state and county).
// Tiles carry no read data; the pins come only from the results in the page.
//
// Keyboard: pins and clusters are buttons in the tab order. Enter or Space
// on a pin selects it and its row; on a cluster it zooms in (or fans the
// pins out where they share one spot) and moves focus to its first pin.
import L from '../vendor/leaflet.js';
import { h } from '../dom.js';
import { get } from '../api.js';

const FALLBACK = { layers: [{ id: 'street', url: '/tiles/street/{z}/{x}/{y}.png', attribution: '', max_zoom: 18 }] };
let config;
/** The layers, fetched once per page load. */
export function mapConfig() {
  config ??= get('/api/v1/map/config', { quiet: true }).catch(() => FALLBACK);
  return config;
}

const esc = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const reduced = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

// A div icon whose element also carries attributes (labels, ids for tests).
const Icon = L.DivIcon.extend({
  createIcon(old) {
    const el = L.DivIcon.prototype.createIcon.call(this, old);
    for (const [k, v] of Object.entries(this.options.attrs || {})) el.setAttribute(k, v);
    return el;
  },
});

// Leaflet 1.9 cancels a tile it no longer wants by pointing it at a data:
// GIF, which `img-src 'self'` refuses (and reports). Removing the src
// cancels the request just as well. These override private methods of the
// pinned Leaflet version; a Leaflet upgrade must recheck them.
export const Tiles = L.TileLayer.extend({
  _abortLoading() {
    for (const [key, t] of Object.entries(this._tiles)) {
      if (t.coords.z === this._tileZoom || t.el.complete) continue;
      t.el.onload = L.Util.falseFn;
      t.el.onerror = L.Util.falseFn;
      t.el.removeAttribute('src');
      L.DomUtil.remove(t.el);
      delete this._tiles[key];
      this.fire('tileabort', { tile: t.el, coords: t.coords });
    }
  },
  _removeTile(key) {
    const t = this._tiles[key];
    if (!t) return undefined;
    t.el.removeAttribute('src');
    return L.GridLayer.prototype._removeTile.call(this, key);
  },
  _tileReady(coords, err, tile) {
    if (!this._map || (tile && !tile.getAttribute('src'))) return undefined;
    return L.GridLayer.prototype._tileReady.call(this, coords, err, tile);
  },
});

/** Frame padding in pixels, and the deepest zoom a fit goes to. */
const PAD = 36, FIT_MAX = 16;

function mark(el, on) {
  el.classList.toggle('selected', on);
  el.setAttribute('aria-pressed', on ? 'true' : 'false');
}

/**
 * `reads` in time order (index 0 is pin 1). `onSelect(readId)` is called
 * when a pin is chosen. Returns {element, select(readId)}.
 */
export function mapView(reads, onSelect) {
  const canvas = h('div', { class: 'map-canvas', 'data-testid': 'results-map', role: 'region', 'aria-label': `Map of ${reads.length} sightings, numbered in time order` });
  const views = h('div', { class: 'map-views', role: 'group', 'aria-label': 'Map view' });
  const element = h('div', { class: 'map-frame' }, views, canvas);
  if (!reads.length) {
    canvas.append(h('p', { class: 'map-note' }, 'No sightings to show'));
    return { element, select() {} };
  }

  const motion = !reduced();
  const map = L.map(canvas, { zoomAnimation: motion, fadeAnimation: false, markerZoomAnimation: motion, maxZoom: 18, minZoom: 3 });
  map.attributionControl.setPrefix('Leaflet');
  const entries = new Map();
  let selected = null;
  let ready = false;

  const group = L.markerClusterGroup({
    maxClusterRadius: 36,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    animate: motion,
    spiderLegPolylineOptions: { className: 'map-spider-leg', weight: 1.5, color: '#1f3a5f', opacity: 0.8 },
    iconCreateFunction(cluster) {
      const nums = cluster.getAllChildMarkers().map((m) => m.options.n).sort((a, b) => a - b);
      const count = nums.length;
      const which = count <= 6 ? nums.join(', ') : `${nums[0]} to ${nums[count - 1]}`;
      return new Icon({
        html: String(count), className: 'map-cluster', iconSize: [38, 38],
        attrs: { 'data-count': String(count), 'aria-label': `${count} sightings (${which}); zoom in to see them` },
      });
    },
  });

  reads.forEach((r, i) => {
    const n = i + 1;
    const label = `Sighting ${n}: ${r.nearest_address}`;
    const marker = L.marker([r.location.lat, r.location.lon], {
      n, keyboard: true, riseOnHover: true, title: label,
      icon: new Icon({ html: String(n), className: 'map-pin', iconSize: [28, 28], attrs: { 'data-read-id': String(r.read_id), 'aria-label': label } }),
    });
    marker.on('add', () => mark(marker.getElement(), r.read_id === selected));
    marker.on('click', () => onSelect(r.read_id));
    entries.set(r.read_id, marker);
    group.addLayer(marker);
  });
  group.addTo(map);
  const points = reads.map((r) => [r.location.lat, r.location.lon]);
  // The path in time order helps with a few sightings; with many it is noise.
  if (points.length > 1 && points.length <= 12) {
    L.polyline(points, { className: 'map-track', interactive: false, weight: 2, dashArray: '4 4', color: '#2a5db0', opacity: 0.7 }).addTo(map);
  }
  const bounds = L.latLngBounds(points);

  // Enter or Space on a pin or cluster acts as a click; after a cluster
  // opens, focus moves to the first of its pins.
  let byKeyboard = false;
  let focusNext = null;
  canvas.addEventListener('keydown', (e) => {
    const el = e.target.closest?.('.map-pin, .map-cluster');
    if (!el || (e.key !== 'Enter' && e.key !== ' ')) return;
    e.preventDefault();
    e.stopPropagation();
    byKeyboard = el.classList.contains('map-cluster');
    el.click();
  });
  group.on('clusterclick', (e) => {
    if (!byKeyboard) return;
    byKeyboard = false;
    focusNext = e.layer.getAllChildMarkers().sort((a, b) => a.options.n - b.options.n)[0];
  });
  const moveFocus = () => {
    // Still clustered after the zoom: the smaller cluster that holds it.
    const el = focusNext && group.getVisibleParent(focusNext)?.getElement();
    if (el) { el.focus(); focusNext = null; }
  };
  map.on('zoomend moveend', () => setTimeout(moveFocus));
  group.on('spiderfied animationend', () => setTimeout(moveFocus));

  // The two views.
  const base = {};
  let current = 'street';
  const buttons = new Map();
  function button(id, text) {
    const b = h('button', { type: 'button', class: 'secondary small', 'aria-pressed': 'false', 'data-view': id, onclick: () => show(id) }, text);
    buttons.set(id, b);
    return b;
  }
  function fit() { map.fitBounds(bounds, { padding: [PAD, PAD], maxZoom: FIT_MAX, animate: false }); }
  function show(view) {
    current = view;
    for (const [id, b] of buttons) b.setAttribute('aria-pressed', id === view ? 'true' : 'false');
    if (!ready) return;
    const layer = view === 'aerial' && base.aerial ? base.aerial : base.street;
    for (const l of Object.values(base)) if (l !== layer && map.hasLayer(l)) map.removeLayer(l);
    if (layer && !map.hasLayer(layer)) layer.addTo(map);
    if (view === 'overview') {
      const fitted = map.getBoundsZoom(bounds, false, L.point(2 * PAD, 2 * PAD));
      map.setView(bounds.getCenter(), Math.max(5, Math.min(fitted - 3, 9)), { animate: false });
    } else {
      fit();
    }
  }

  mapConfig().then((cfg) => {
    for (const l of cfg.layers || []) {
      base[l.id] = new Tiles(l.url, { maxZoom: l.max_zoom || 18, maxNativeZoom: l.max_zoom || 18, attribution: esc(l.attribution || ''), className: `tiles-${l.id}` });
    }
    views.append(button('street', 'Street map'), base.aerial ? button('aerial', 'Aerial') : button('overview', 'Regional overview'));
    show(current);
  });

  // Leaflet measures its container: start once the page has laid it out,
  // and follow it when it is resized (phone rotation, window width).
  const observer = new ResizeObserver(() => {
    if (!canvas.isConnected || !canvas.clientWidth) return;
    map.invalidateSize({ animate: false });
    if (!ready) {
      ready = true;
      show(current);
    }
  });
  observer.observe(canvas);

  return {
    element,
    select(readId) {
      selected = readId;
      for (const [id, m] of entries) {
        const el = m.getElement();
        if (el) mark(el, id === readId);
        m.setZIndexOffset(id === readId ? 1000 : 0);
      }
      const m = entries.get(readId);
      if (m && ready) group.zoomToShowLayer(m, () => { const el = m.getElement(); if (el) mark(el, true); });
    },
  };
}
