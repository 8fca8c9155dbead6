// The results map: numbered pins in time order on a plot of the sightings'
// coordinates, linked both ways with the result list. This is the map's
// frame and its interaction; the street and regional base layers come
// with the maps work (tiles from /tiles), drawn beneath these same pins.
//
// Keyboard: each pin is a button in the tab order (Enter or Space selects
// it and its row); the SVG has role=group with a label naming the count.
import { s, h } from '../dom.js';

const W = 400, H = 300, PAD = 28;

function project(points) {
  const lats = points.map((p) => p.lat), lons = points.map((p) => p.lon);
  let [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const midLat = (minLat + maxLat) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  // At least ~1 km across, so a single sighting sits in the middle.
  const minSpan = 0.01;
  if (maxLat - minLat < minSpan) { minLat = midLat - minSpan / 2; maxLat = midLat + minSpan / 2; }
  const midLon = (minLon + maxLon) / 2;
  if ((maxLon - minLon) * kx < minSpan) { minLon = midLon - minSpan / 2 / kx; maxLon = midLon + minSpan / 2 / kx; }
  const spanX = (maxLon - minLon) * kx, spanY = maxLat - minLat;
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const ox = (W - spanX * scale) / 2, oy = (H - spanY * scale) / 2;
  return (p) => [ox + (p.lon - minLon) * kx * scale, H - (oy + (p.lat - minLat) * scale)];
}

/** Pins closer than this (in map units) are pushed apart. */
const GAP = 25;

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
  const grid = s('g', { class: 'map-grid', 'aria-hidden': 'true' });
  for (let x = 0; x <= W; x += 40) grid.append(s('line', { x1: x, y1: 0, x2: x, y2: H }));
  for (let y = 0; y <= H; y += 40) grid.append(s('line', { x1: 0, y1: y, x2: W, y2: y }));
  svg.append(grid);
  if (reads.length) {
    const xy = project(reads.map((r) => r.location));
    const pts = reads.map((r) => xy(r.location));
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
        s('circle', { r: 11 }),
        s('text', {}, String(i + 1)));
      const choose = () => onSelect(r.read_id);
      pin.addEventListener('click', choose);
      pin.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); } });
      pins.set(r.read_id, pin);
      svg.append(pin);
    });
  }
  const element = h('div', { class: 'map-frame' }, svg,
    h('span', { class: 'map-note' }, reads.length ? 'Sightings by GPS position' : 'No sightings to show'));
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
