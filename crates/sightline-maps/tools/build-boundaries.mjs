// Converts us-atlas's TopoJSON (ISC; derived from the US Census Bureau's
// cartographic boundary files) into the compact file that sightline-maps
// embeds: `../data/us-boundaries.bin`. Run with `npm ci && npm run build` in
// this folder; the output is committed, so a build never needs node.
//
// Format (all integers little-endian, "varint" = unsigned LEB128, "svarint"
// = zigzag LEB128; coordinates in 1e-5 degrees, each point a delta from the
// previous one in the same sequence, the first from (0, 0)):
//
//   "SLB1"
//   varint n_states, then per state:
//     varint len, utf8 name; varint len, utf8 USPS code;
//     svarint label lon, svarint label lat (absolute);
//     varint n_rings, per ring: varint n_points, points
//   varint n_lines, per line:
//     u8 kind (0 coast/national border, 1 state border, 2 county border);
//     varint n_points, points
//   varint n_counties, per county:
//     varint len, utf8 name; svarint label lon, svarint label lat

import { readFileSync, writeFileSync } from "node:fs";
import { feature, mesh } from "topojson-client";

const topo = JSON.parse(
  readFileSync(new URL("node_modules/us-atlas/counties-10m.json", import.meta.url)),
);

// FIPS state code → USPS code.
const USPS = {
  "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
  "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
  "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
  "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
  "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
  "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
  "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
  "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
};

// Where the area centroid lands badly (curved or split states), a hand-placed label.
const LABEL_AT = {
  FL: [-81.6, 28.4], MI: [-84.7, 43.6], LA: [-92.4, 31.0], MD: [-76.8, 39.3],
  VA: [-78.6, 37.6], KY: [-85.3, 37.5], ID: [-114.6, 43.6], AK: [-152.0, 64.0],
  HI: [-157.0, 20.4], CA: [-119.7, 37.2], TN: [-86.3, 35.8], NY: [-75.4, 42.9],
  MA: [-71.9, 42.35], NJ: [-74.5, 40.1], OK: [-97.3, 35.5], TX: [-99.0, 31.3],
};

const Q = 1e5;
const bytes = [];
const u8 = (b) => bytes.push(b & 0xff);
const varint = (v) => {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`bad varint ${v}`);
  while (v >= 0x80) {
    u8((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  u8(v);
};
const svarint = (v) => varint(v < 0 ? -2 * v - 1 : 2 * v);
const str = (s) => {
  const b = Buffer.from(s, "utf8");
  varint(b.length);
  for (const x of b) u8(x);
};
const points = (pts) => {
  varint(pts.length);
  let px = 0, py = 0;
  for (const [lon, lat] of pts) {
    const x = Math.round(lon * Q), y = Math.round(lat * Q);
    svarint(x - px);
    svarint(y - py);
    px = x;
    py = y;
  }
};

// Douglas–Peucker in degrees; keeps the first and last point of each line.
function simplify(pts, tol) {
  if (pts.length <= 2) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack = [[0, pts.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = pts[a], [bx, by] = pts[b];
    const dx = bx - ax, dy = by - ay, len = Math.hypot(dx, dy) || 1e-12;
    let best = -1, idx = -1;
    for (let i = a + 1; i < b; i++) {
      const [x, y] = pts[i];
      const d = Math.abs(dy * (x - ax) - dx * (y - ay)) / len;
      if (d > best) { best = d; idx = i; }
    }
    if (best > tol) {
      keep[idx] = 1;
      stack.push([a, idx], [idx, b]);
    }
  }
  return pts.filter((_, i) => keep[i]);
}

// A closed ring's ends coincide, so it is simplified as two halves.
function simplifyRing(r, tol) {
  const mid = Math.floor(r.length / 2);
  if (mid < 2) return r;
  return simplify(r.slice(0, mid + 1), tol).concat(simplify(r.slice(mid), tol).slice(1));
}

function ringArea(r) {
  let s = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += (r[j][0] + r[i][0]) * (r[j][1] - r[i][1]);
  return Math.abs(s) / 2;
}
function ringCentroid(r) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const f = r[j][0] * r[i][1] - r[i][0] * r[j][1];
    a += f;
    cx += (r[j][0] + r[i][0]) * f;
    cy += (r[j][1] + r[i][1]) * f;
  }
  return a === 0 ? r[0] : [cx / (3 * a), cy / (3 * a)];
}
function polygons(geom) {
  return geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];
}
function labelPoint(geom) {
  let best = null, bestArea = -1;
  for (const poly of polygons(geom)) {
    const a = ringArea(poly[0]);
    if (a > bestArea) { bestArea = a; best = poly[0]; }
  }
  return best ? ringCentroid(best) : [0, 0];
}
const closed = (l) => l.length > 3 && l[0][0] === l[l.length - 1][0] && l[0][1] === l[l.length - 1][1];
const lines = (ml) => (ml.type === "MultiLineString" ? ml.coordinates : [ml.coordinates]);

bytes.push(..."SLB1".split("").map((c) => c.charCodeAt(0)));

const states = feature(topo, topo.objects.states).features
  .filter((f) => USPS[f.id])
  .sort((a, b) => a.id.localeCompare(b.id));
varint(states.length);
for (const f of states) {
  const code = USPS[f.id];
  str(f.properties.name);
  str(code);
  const [lx, ly] = LABEL_AT[code] ?? labelPoint(f.geometry);
  svarint(Math.round(lx * Q));
  svarint(Math.round(ly * Q));
  const rings = polygons(f.geometry).flat().map((r) => simplifyRing(r, 0.004)).filter((r) => r.length >= 4);
  varint(rings.length);
  for (const r of rings) points(r);
}

const stateOf = (id) => id.slice(0, 2);
const out = [
  [0, mesh(topo, topo.objects.states, (a, b) => a === b), 0.003],
  [1, mesh(topo, topo.objects.states, (a, b) => a !== b), 0.003],
  [2, mesh(topo, topo.objects.counties, (a, b) => a !== b && stateOf(a.id) === stateOf(b.id)), 0.004],
];
const all = out.flatMap(([kind, ml, tol]) =>
  lines(ml).map((l) => [kind, closed(l) ? simplifyRing(l, tol) : simplify(l, tol)]).filter(([, l]) => l.length >= 2));
varint(all.length);
for (const [kind, l] of all) {
  u8(kind);
  points(l);
}

const counties = feature(topo, topo.objects.counties).features
  .filter((f) => USPS[stateOf(f.id)])
  .sort((a, b) => a.id.localeCompare(b.id));
varint(counties.length);
for (const f of counties) {
  str(f.properties.name);
  const [lx, ly] = labelPoint(f.geometry);
  svarint(Math.round(lx * Q));
  svarint(Math.round(ly * Q));
}

const target = new URL("../data/us-boundaries.bin", import.meta.url);
writeFileSync(target, Buffer.from(bytes));
console.log(`${states.length} states, ${all.length} lines, ${counties.length} counties, ${bytes.length} bytes`);
