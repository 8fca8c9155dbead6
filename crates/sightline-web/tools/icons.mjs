// Draws the app icons (the same design as app/icons/icon.svg) as PNGs, with
// nothing but node's zlib: a reticle on navy. Deterministic, so a rebuild
// gives identical bytes.
import { deflateSync } from 'node:zlib';

const NAVY = [0x12, 0x28, 0x4a], WHITE = [255, 255, 255], GOLD = [0xf2, 0xb7, 0x05];

// Colour of the design at (x, y) in the 64x64 design space; null = transparent.
function sample(x, y, maskable) {
  const r = maskable ? 0 : 12;
  const cx = Math.min(Math.max(x, r), 64 - r), cy = Math.min(Math.max(y, r), 64 - r);
  if (Math.hypot(x - cx, y - cy) > r) return null;
  // Maskable icons keep the artwork inside the 80% safe zone.
  const s = maskable ? 0.72 : 1;
  const u = 32 + (x - 32) / s, v = 32 + (y - 32) / s;
  const d = Math.hypot(u - 32, v - 32);
  if (d <= 6) return GOLD;
  if (Math.abs(d - 17) <= 2.5) return WHITE;
  const tick = (a, b) => Math.abs(a - 32) <= 2.5 && ((b >= 6 && b <= 15) || (b >= 49 && b <= 58));
  if (tick(u, v) || tick(v, u)) return WHITE;
  return NAVY;
}

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function iconPng(size, maskable = false) {
  const ss = 4; // supersampling per axis
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) {
        const c = sample(((px + (sx + 0.5) / ss) * 64) / size, ((py + (sy + 0.5) / ss) * 64) / size, maskable);
        if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
      }
      const o = 1 + px * 4;
      if (a) { row[o] = Math.round(r / a); row[o + 1] = Math.round(g / a); row[o + 2] = Math.round(b / a); }
      row[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
