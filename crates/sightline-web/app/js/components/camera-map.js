// Placing a source's cameras on Sightline's own tiles (Leaflet, as the
// results map). The source's cameras are pins; the camera being placed is
// a draggable pin of its own. Click the map to put it there, or drag it;
// the latitude and longitude fields follow, and typing in them moves it,
// so a keyboard user places a camera by its coordinates alone.
//
// Keyboard: each placed camera is a button in the tab order; Enter or
// Space on it picks it for moving (`onPick`). The draft pin is keyboard
// reachable too; arrow keys pan the map as Leaflet's own keyboard handler does.
import L from '../vendor/leaflet.js';
import { h } from '../dom.js';
import { Tiles, mapConfig } from './map-view.js';

const esc = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const Icon = L.DivIcon.extend({
  createIcon(old) {
    const el = L.DivIcon.prototype.createIcon.call(this, old);
    for (const [k, v] of Object.entries(this.options.attrs || {})) el.setAttribute(k, v);
    return el;
  },
});

/** Six decimals: about 10 cm, as precise as a camera's position needs. */
export const round6 = (x) => Math.round(x * 1e6) / 1e6;

/**
 * `cameras`: [{camera_id, lat, lon, nearest_address}]; `latInput` and
 * `lonInput` are the form's fields. Returns {element, setCameras(list)}.
 */
export function cameraMap(cameras, latInput, lonInput, onPick) {
  const canvas = h('div', { class: 'map-canvas camera-canvas', 'data-testid': 'camera-map', role: 'region',
    'aria-label': 'Map of the source\'s cameras. Click the map or drag the new camera\'s pin to place it; or type its latitude and longitude.' });
  const element = h('div', { class: 'map-frame' }, canvas);
  const map = L.map(canvas, { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, maxZoom: 18, minZoom: 3 });
  map.attributionControl.setPrefix('Leaflet');
  const layer = L.layerGroup().addTo(map);
  let draft = null;
  let ready = false;
  let list = cameras;

  function draw() {
    layer.clearLayers();
    for (const c of list) {
      const label = `Camera ${c.camera_id}, ${c.nearest_address}`;
      const m = L.marker([c.lat, c.lon], {
        keyboard: true, title: label,
        icon: new Icon({ html: '', className: 'camera-pin', iconSize: [22, 22], attrs: { 'aria-label': label, 'data-camera': c.camera_id } }),
      });
      m.on('click', () => onPick(c));
      layer.addLayer(m);
    }
  }

  function fields() {
    const lat = Number(latInput.value);
    const lon = Number(lonInput.value);
    return latInput.value.trim() && lonInput.value.trim() && Number.isFinite(lat) && Number.isFinite(lon)
      && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
  }

  function setFields(ll) {
    latInput.value = String(round6(ll.lat));
    lonInput.value = String(round6(ll.lng));
    latInput.dispatchEvent(new Event('change', { bubbles: true }));
  }

  function placeDraft(ll, pan) {
    if (!draft) {
      draft = L.marker(ll, {
        draggable: true, keyboard: true, title: 'The camera being placed',
        icon: new Icon({ html: '', className: 'camera-pin draft', iconSize: [26, 26], attrs: { 'aria-label': 'The camera being placed', 'data-testid': 'draft-pin' } }),
      }).addTo(map);
      draft.on('dragend', () => setFields(draft.getLatLng()));
    } else {
      draft.setLatLng(ll);
    }
    if (pan && ready) map.panTo(ll, { animate: false });
  }

  map.on('click', (e) => { setFields(e.latlng); placeDraft(e.latlng, false); });
  for (const el of [latInput, lonInput]) {
    el.addEventListener('input', () => { const p = fields(); if (p) placeDraft(p, true); });
  }

  function frame() {
    const p = fields();
    if (list.length) {
      const b = L.latLngBounds(list.map((c) => [c.lat, c.lon]));
      if (p) b.extend(p);
      map.fitBounds(b, { padding: [40, 40], maxZoom: 14, animate: false });
    } else if (p) {
      map.setView(p, 13, { animate: false });
    } else {
      map.setView([39.5, -98.35], 4, { animate: false });
    }
  }

  draw();
  mapConfig().then((cfg) => {
    const street = (cfg.layers || []).find((l) => l.id === 'street') || (cfg.layers || [])[0];
    if (street) new Tiles(street.url, { maxZoom: street.max_zoom || 18, maxNativeZoom: street.max_zoom || 18, attribution: esc(street.attribution || ''), className: 'tiles-street' }).addTo(map);
  });
  const observer = new ResizeObserver(() => {
    if (!canvas.isConnected || !canvas.clientWidth) return;
    map.invalidateSize({ animate: false });
    if (!ready) { ready = true; frame(); }
  });
  observer.observe(canvas);

  return {
    element,
    setCameras(next) { list = next; draw(); },
    /** Moves the draft pin to the fields' position (after a pick). */
    follow() { const p = fields(); if (p) placeDraft(p, true); },
  };
}
