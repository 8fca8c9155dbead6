// Checking an audit entry in this browser, without trusting the server's
// word for it: the leaf hash is recomputed from the entry's exact bytes
// (RFC 6962: SHA-256(0x00 ‖ bytes)), the inclusion proof is walked up to a
// root (RFC 9162 §2.1.3.2, nodes SHA-256(0x01 ‖ left ‖ right)), and that
// root must be the one in the signed checkpoint, whose Ed25519 signature
// (C2SP signed note) is checked against the log's public key. All of it
// is WebCrypto (`crypto.subtle`), which the CSP allows. This mirrors
// sightline-audit's hash.rs, merkle.rs, note.rs and checkpoint.rs.
//
// What remains trusted: the public key, unless the auditor compares it with
// one kept from elsewhere (the "Verify this log" page says how), and the
// opening of sealed fields, which only the server can decrypt.

const enc = new TextEncoder();

export const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

export function unhex(text) {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new Error('not hex');
  return Uint8Array.from(text.match(/../g) || [], (b) => parseInt(b, 16));
}

function unb64(text) {
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** RFC 6962 leaf hash of the entry's canonical text. */
export const leafHash = (canonical) => sha256(concat(Uint8Array.of(0), enc.encode(canonical)));

const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

/** RFC 9162 §2.1.3.2: does `proof` place `leaf` at `index` in the tree of `size` leaves with head `root`? */
export async function verifyInclusion(index, size, leaf, proof, root) {
  let fnode = BigInt(index);
  let snode = BigInt(size) - 1n;
  if (fnode > snode) return false;
  let r = leaf;
  for (const p of proof) {
    if (snode === 0n) return false;
    if ((fnode & 1n) === 1n || fnode === snode) {
      r = await nodeHash(p, r);
      while ((fnode & 1n) === 0n && fnode !== 0n) { fnode >>= 1n; snode >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fnode >>= 1n;
    snode >>= 1n;
  }
  return snode === 0n && same(r, root);
}

/** `name+keyid+base64(0x01 ‖ key)` → {name, keyId, key}, the key id checked. */
export async function parseVkey(vkey) {
  // Base64 may hold '+' too: the name and id end at the first two.
  const [name, id, ...rest] = vkey.trim().split('+');
  const blob = rest.join('+');
  const raw = unb64(blob || '');
  if (!name || !id || raw.length !== 33 || raw[0] !== 1) throw new Error('malformed public key');
  const key = raw.slice(1);
  const keyId = (await sha256(concat(enc.encode(name), Uint8Array.of(0x0a, 0x01), key))).slice(0, 4);
  if (hex(keyId) !== id) throw new Error('the public key\'s id does not match its key');
  return { name, keyId, key };
}

/** A C2SP signed note → {text, signatures: [{name, keyId, sig}]}. */
export function parseNote(note) {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('malformed signed note');
  const text = note.slice(0, split + 1);
  const signatures = note.slice(split + 2).split('\n').filter(Boolean).map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    const blob = unb64(m[2]);
    return { name: m[1], keyId: blob.slice(0, 4), sig: blob.slice(4) };
  });
  return { text, signatures };
}

/** A `tlog-checkpoint` body → {origin, size, root}. */
export function parseCheckpoint(text) {
  const [origin, size, root] = text.split('\n');
  const rootBytes = unb64(root || '');
  if (!origin || !/^\d+$/.test(size || '') || rootBytes.length !== 32) throw new Error('malformed checkpoint');
  return { origin, size: Number(size), root: rootBytes };
}

/**
 * Checks the note's Ed25519 signature by `pub`. Resolves to true or false,
 * or to null when this browser's WebCrypto has no Ed25519.
 */
export async function verifyNoteSignature(note, pub) {
  const sig = note.signatures.find((s) => s.name === pub.name && same(s.keyId, pub.keyId));
  if (!sig || sig.sig.length !== 64) return false;
  let key;
  try {
    key = await crypto.subtle.importKey('raw', pub.key, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, sig.sig, enc.encode(note.text));
}

// The sealed view of a field: what the hash covers when the value is secret.
const isSealed = (v) => v && typeof v === 'object' && !Array.isArray(v) && typeof v.sealed === 'string';

function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => sameJson(a[k], b[k]));
}

/**
 * The readable entry against its hashed bytes: every field in clear must
 * be the same; sealed fields can be opened only by the server.
 * → {ok, sealed: [names], mismatched: [names]}
 */
export function compareFields(entry, canonical) {
  let hashed;
  try { hashed = JSON.parse(canonical); } catch { return { ok: false, sealed: [], mismatched: ['(the bytes are not JSON)'] }; }
  const mismatched = [];
  const atMicros = Date.parse(entry.at) * 1000;
  if (hashed.seq !== entry.seq) mismatched.push('seq');
  if (Math.abs(hashed.at - atMicros) >= 1000) mismatched.push('time');
  if (hashed.action !== entry.action) mismatched.push('action');
  if (hashed.outcome !== entry.outcome) mismatched.push('outcome');
  if (!sameJson(hashed.actor, entry.actor)) mismatched.push('actor');
  const sealed = [];
  const names = new Set([...Object.keys(hashed.fields || {}), ...Object.keys(entry.fields || {})]);
  for (const k of names) {
    const h = hashed.fields?.[k];
    if (isSealed(h)) sealed.push(k);
    else if (!sameJson(h, entry.fields?.[k])) mismatched.push(k);
  }
  return { ok: mismatched.length === 0, sealed, mismatched };
}

/**
 * The whole check for one entry. `fetchJson(path)` gets API documents.
 * → {verified, checks: [{name, ok, text}], checkpoint, pending}
 * `ok` is true, false, or null (could not be checked here).
 */
export async function verifyEntry(entry, fetchJson) {
  const checks = [];
  const add = (name, ok, text) => checks.push({ name, ok, text });
  const leaf = await leafHash(entry.canonical);
  add('leaf', hex(leaf) === entry.leaf_hash,
    hex(leaf) === entry.leaf_hash
      ? `SHA-256(0x00 ‖ entry bytes) is ${hex(leaf)}, the leaf hash the log stores.`
      : `SHA-256(0x00 ‖ entry bytes) is ${hex(leaf)}, but the log stores ${entry.leaf_hash}.`);
  const fields = compareFields(entry, entry.canonical);
  add('fields', fields.ok,
    fields.ok
      ? `Every field shown in clear is the one the hash covers.${fields.sealed.length ? ` Sealed in the log (encrypted; opened by the server, not checkable here): ${fields.sealed.join(', ')}.` : ''}`
      : `The shown fields differ from the hashed bytes: ${fields.mismatched.join(', ')}.`);

  const [cp, pk] = await Promise.all([fetchJson('/api/v1/audit/checkpoint'), fetchJson('/api/v1/audit/public-key')]);
  const pub = await parseVkey(pk.vkey);
  const note = parseNote(cp.note);
  const body = parseCheckpoint(note.text);
  const sigOk = await verifyNoteSignature(note, pub);
  add('signature', sigOk,
    sigOk === null
      ? 'This browser cannot check Ed25519 signatures; the checkpoint\'s signature was not checked here.'
      : sigOk
        ? `The checkpoint (tree size ${body.size}) is signed by ${pub.name} (key id ${hex(pub.keyId)}).`
        : `The checkpoint's signature does not verify with ${pub.name} (key id ${hex(pub.keyId)}).`);
  const checkpoint = { size: body.size, root: hex(body.root), origin: body.origin, signedAt: cp.signed_at, keyName: pub.name, keyId: hex(pub.keyId), vkey: pk.vkey };
  if (entry.seq > body.size) {
    add('inclusion', null, `The latest signed checkpoint covers entries 1 to ${body.size}; this entry (${entry.seq}) is newer. A checkpoint is signed within 10 seconds of an entry.`);
    return { verified: false, pending: true, checks, checkpoint };
  }
  const proof = await fetchJson(`/api/v1/audit/proofs/inclusion?seq=${entry.seq}&tree_size=${body.size}`);
  const ok = await verifyInclusion(entry.seq - 1, body.size, leaf, proof.proof.map(unhex), body.root);
  add('inclusion', ok,
    ok
      ? `The ${proof.proof.length}-hash inclusion proof leads from this entry's leaf to the signed root ${hex(body.root)}.`
      : `The inclusion proof does not lead to the signed root ${hex(body.root)}.`);
  const verified = checks.every((c) => c.ok === true);
  return { verified, pending: false, checks, checkpoint };
}
