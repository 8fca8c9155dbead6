// Everything the app keeps on the device (R3.8), and its 60-day end.
//
// Records live in localStorage under `sightline:v1:` and are encrypted
// (AES-256-GCM) under a per-user, per-day key that the server releases only
// to a signed-in session (GET /api/v1/device-key) and refuses once that day
// is more than 60 days past. So:
//   * every app start and every return to the app deletes records saved
//     60 days ago or more, measured against the later of the device clock
//     and the last server time seen (a wrong device clock cannot keep them);
//   * a phone left unopened forgets too: the server will not release the
//     key, and the record is deleted as soon as that is known;
//   * signing out deletes everything (and the server sends Clear-Site-Data).
// Keys are held in memory only, as non-extractable CryptoKeys.
import { get, Problem } from './api.js';
import { app } from './state.js';

const PREFIX = 'sightline:v1:';
const CLOCK = `${PREFIX}clock`;
export const MAX_AGE_MS = 60 * 24 * 3600 * 1000;

const keys = new Map(); // `${username}:${key_id}` -> CryptoKey
const generations = new Map(); // name -> bumped by remove(), so a save in flight cannot undo it
let serverOffset = 0; // server time - device time, ms, from the last key fetch

function lastServerTime() {
  const v = Number(localStorage.getItem(CLOCK));
  return Number.isFinite(v) ? v : 0;
}

/** Now, never earlier than the last time the server told us. */
export function nowFloor() {
  return Math.max(Date.now(), Date.now() + serverOffset, lastServerTime());
}

function noteServerTime(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return;
  serverOffset = t - Date.now();
  localStorage.setItem(CLOCK, String(Math.max(t, lastServerTime())));
}

const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

const who = () => app.me?.username || '';

async function importKey(resp) {
  noteServerTime(resp.server_time);
  const key = await crypto.subtle.importKey('raw', unb64(resp.key), 'AES-GCM', false, ['encrypt', 'decrypt']);
  keys.set(`${who()}:${resp.key_id}`, key);
  return { id: resp.key_id, key };
}

/** Drops every key held in memory (the session ended, or someone else signed in). */
export function forgetKeys() { keys.clear(); }

async function todaysKey() {
  return importKey(await get('/api/v1/device-key', { quiet: true }));
}

async function keyFor(id) {
  const cached = keys.get(`${who()}:${id}`);
  if (cached) return cached;
  try {
    return (await importKey(await get(`/api/v1/device-key/${id}`, { quiet: true }))).key;
  } catch (e) {
    if (e instanceof Problem && (e.code === 'device_key_expired' || e.code === 'key_id_invalid')) return 'expired';
    return null; // offline or signed out: keep the record for now, unreadable
  }
}

function records() {
  const out = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith(PREFIX) && k !== CLOCK) out.push(k);
  }
  return out;
}

/** Deletes every record 60 days old or more. Runs at start and on every return. */
export async function purgeExpired() {
  const now = nowFloor();
  for (const k of records()) {
    let rec;
    try { rec = JSON.parse(localStorage.getItem(k)); } catch { rec = null; }
    if (!rec || !Number.isFinite(rec.saved_at) || now - rec.saved_at >= MAX_AGE_MS) localStorage.removeItem(k);
  }
}

/** Encrypts and keeps `value` under `name`. Needs a signed-in session. */
export async function save(name, value) {
  const gen = generations.get(name) || 0;
  const user = who();
  try {
    const { id, key } = await todaysKey();
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new TextEncoder().encode(JSON.stringify(value));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`${user}\n${name}`) }, key, data);
    // Removed (the query ran) or signed out while this save was in flight.
    if ((generations.get(name) || 0) !== gen || who() !== user) return false;
    localStorage.setItem(PREFIX + name, JSON.stringify({ saved_at: nowFloor(), user, key_id: id, iv: b64(iv), ct: b64(ct) }));
    return true;
  } catch {
    return false;
  }
}

/** The value kept under `name` and when it was saved, or null. */
export async function load(name) {
  await purgeExpired();
  const raw = localStorage.getItem(PREFIX + name);
  if (!raw) return null;
  let rec;
  try { rec = JSON.parse(raw); } catch { localStorage.removeItem(PREFIX + name); return null; }
  // Another user's record is never shown; it goes.
  if (rec.user !== who()) { localStorage.removeItem(PREFIX + name); return null; }
  const key = await keyFor(rec.key_id);
  if (key === 'expired') { localStorage.removeItem(PREFIX + name); return null; }
  if (!key) return null;
  // The key fetch refreshed the server time: check the age again.
  if (nowFloor() - rec.saved_at >= MAX_AGE_MS) { localStorage.removeItem(PREFIX + name); return null; }
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(rec.iv), additionalData: new TextEncoder().encode(`${rec.user}\n${name}`) }, key, unb64(rec.ct));
    return { value: JSON.parse(new TextDecoder().decode(pt)), savedAt: rec.saved_at };
  } catch {
    localStorage.removeItem(PREFIX + name);
    return null;
  }
}

export function remove(name) {
  generations.set(name, (generations.get(name) || 0) + 1);
  localStorage.removeItem(PREFIX + name);
}

/** Signing out: nothing of this user stays on the device. */
export async function clearDevice() {
  for (const k of records()) localStorage.removeItem(k);
  keys.clear();
  sessionStorage.clear();
}

/** Plain, non-sensitive flags (e.g. "install hint dismissed"), also bounded to 60 days. */
export function setFlag(name) {
  localStorage.setItem(`${PREFIX}flag:${name}`, JSON.stringify({ saved_at: nowFloor() }));
}
export function hasFlag(name) { return localStorage.getItem(`${PREFIX}flag:${name}`) !== null; }
