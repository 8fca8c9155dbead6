// The results map: numbered pins in time order over Sightline's own street
// map (/tiles, Web Mercator), framed to fit every sighting, linked both
// ways with the result list. Panning, zooming, clustering and the second
// view are still to come (issue 9).
//
// Keyboard: each pin is a button in the tab order (Enter or Space selects
// it and its row); the SVG has role=group with a label naming the count.
import { s, h } from '../dom.js';

const W = 640, H = 480, PAD = 36;
const TILE = 256;

// Web Mercator, in pixels at zoom `z` (the tiles' own projection).
const mx = (lon, z) => ((lon + 180) / 360) * TILE * 2 ** z;
const my = (lat, z) => {
  const r = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
  return ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * TILE * 2 ** z;
};

// The closest zoom at which every sighting fits the frame, and the frame's
// top-left corner in that zoom's pixels.
function frame(points) {
  const lats = points.map((p) => p.lat), lons = points.map((p) => p.lon);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  let z = 16;
  while (z > 3 && (mx(maxLon, z) - mx(minLon, z) > W - 2 * PAD || my(minLat, z) - my(maxLat, z) > H - 2 * PAD)) z -= 1;
  const cx = (mx(minLon, z) + mx(maxLon, z)) / 2, cy = (my(minLat, z) + my(maxLat, z)) / 2;
  return { z, ox: cx - W / 2, oy: cy - H / 2 };
}

/** Pins closer than this (in map units) are pushed apart. */
const GAP = 30;

const ATTRIBUTION = 'Boundaries: US Census Bureau via us-atlas (ISC) · Streets: Sightline demo';

// Spreads pins that would overlap, a few relaxation passes, kept inside the frame.
function spread(points) {
  const p = points.map(([x, y]) => [x, y]);
  for (let pass = 0; pass < 60; pass++) {
    let moved = false;
    for (let i = 0; i < p.length; i++) {
      for (let j = i + 1; j < p.length; j++) {
        let dx = p[j][0] - p[i][0], dy = p[j][1] - p[i][1];
        let d = Math.hypot(dx, dy);
        if (d >= GAP) continue;
        if (d < 0.01) { dx = Math.cos(j); dy = Math.sin(j); d = 1; }
        const push = (GAP - d) / 2;
        p[i][0] -= (dx / d) * push; p[i][1] -= (dy / d) * push;
        p[j][0] += (dx / d) * push; p[j][1] += (dy / d) * push;
        moved = true;
      }
    }
    for (const q of p) { q[0] = Math.min(Math.max(q[0], 12), W - 12); q[1] = Math.min(Math.max(q[1], 12), H - 12); }
    if (!moved) break;
  }
  return p;
}

/**
 * `reads` in time order (index 0 is pin 1). `onSelect(readId)` is called
 * when a pin is chosen. Returns {element, select(readId)}.
 */
export function mapView(reads, onSelect) {
  const pins = new Map();
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': `Map of ${reads.length} sightings, numbered in time order`, 'data-testid': 'results-map' });
  if (reads.length) {
    const { z, ox, oy } = frame(reads.map((r) => r.location));
    // The base map beneath: Sightline's own tiles, which carry no read data.
    const tiles = s('g', { class: 'map-tiles', 'aria-hidden': 'true' });
    const n = 2 ** z;
    for (let ty = Math.floor(oy / TILE); ty <= Math.floor((oy + H) / TILE); ty++) {
      if (ty < 0 || ty >= n) continue;
      for (let tx = Math.floor(ox / TILE); tx <= Math.floor((ox + W) / TILE); tx++) {
        const wrapped = ((tx % n) + n) % n;
        tiles.append(s('image', { href: `/tiles/street/${z}/${wrapped}/${ty}.png`, x: tx * TILE - ox, y: ty * TILE - oy, width: TILE, height: TILE }));
      }
    }
    svg.append(tiles);
    const pts = reads.map((r) => [mx(r.location.lon, z) - ox, my(r.location.lat, z) - oy]);
    // The path in time order helps with a few sightings; with many it is noise.
    if (pts.length <= 12) svg.append(s('polyline', { class: 'map-track', points: pts.map((p) => p.join(',')).join(' '), 'aria-hidden': 'true' }));
    const placed = spread(pts);
    reads.forEach((r, i) => {
      const [x, y] = placed[i];
      const [tx, ty] = pts[i];
      if (Math.hypot(x - tx, y - ty) > 3) {
        // Moved aside so every pin can be seen and chosen: a leader marks the true spot.
        svg.append(s('line', { class: 'map-leader', x1: tx, y1: ty, x2: x, y2: y, 'aria-hidden': 'true' }),
          s('circle', { class: 'map-spot', cx: tx, cy: ty, r: 2.5, 'aria-hidden': 'true' }));
      }
      const label = `Sighting ${i + 1}: ${r.nearest_address}`;
      const pin = s('g', { class: 'map-pin', tabindex: '0', role: 'button', 'aria-label': label, 'data-read-id': r.read_id, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})` },
        s('title', {}, label),
        s('circle', { r: 13 }),
        s('text', {}, String(i + 1)));
      const choose = () => onSelect(r.read_id);
      pin.addEventListener('click', choose);
      pin.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); } });
      pins.set(r.read_id, pin);
      svg.append(pin);
    });
  }
  const element = h('div', { class: 'map-frame' }, svg,
    h('span', { class: 'map-note' }, reads.length ? ATTRIBUTION : 'No sightings to show'));
  return {
    element,
    select(readId) {
      // Pins keep their place in the tab order (time order); the selected
      // one is marked, not moved, so focus stays where it is.
      for (const [id, pin] of pins) {
        const on = id === readId;
        pin.classList.toggle('selected', on);
        pin.setAttribute('aria-pressed', on ? 'true' : 'false');
      }
    },
  };
}
