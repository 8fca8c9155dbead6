// The one way the app talks to the server: same-origin fetches of /api/v1
// with the session cookie. Errors arrive as problem+json and become a
// `Problem` that forms render beside their fields.

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || `request failed (${status})`);
    this.status = status;
    this.code = body?.code || 'error';
    this.field = body?.field || null;
    this.accepted = body?.accepted || null;
    // Every violation: [{code, field, message, accepted, row?}]
    this.errors = Array.isArray(body?.errors) && body.errors.length
      ? body.errors
      : [{ code: this.code, field: this.field, message: this.message, accepted: this.accepted }];
    this.body = body;
  }
}

const listeners = new Set();
/** Called with every Problem that means the session is gone or gated. */
export function onSessionProblem(fn) { listeners.add(fn); }

const GATES = new Set(['unauthenticated', 'consent_required', 'mfa_required', 'mfa_enrollment_required', 'password_change_required', 'training_required']);

/**
 * `api('POST', '/api/v1/queries', body)` → parsed JSON (or null for 204).
 * `body` may be an object (sent as JSON), a Blob/File (sent raw) or FormData.
 */
export async function api(method, path, body, { quiet = false, contentType, background = false, blob = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: blob ? '*/*' : 'application/json' } };
  // A poll the person did not ask for: the server does not count it as activity.
  if (background) init.headers['Sightline-Background'] = '1';
  if (body instanceof Blob) {
    init.body = body;
    init.headers['Content-Type'] = contentType || body.type || 'application/octet-stream';
  } else if (body instanceof FormData) {
    init.body = body;
  } else if (typeof body === 'string') {
    init.body = body;
    init.headers['Content-Type'] = contentType || 'text/plain';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch {
    throw new Problem(0, { code: 'network', detail: 'Sightline could not be reached. Check your connection and try again.' });
  }
  if (resp.status === 204) return null;
  // A file to save (the printable report): the bytes, not parsed.
  if (resp.ok && blob) return resp.blob();
  const type = resp.headers.get('content-type') || '';
  const data = type.includes('json') ? await resp.json().catch(() => null) : await resp.text();
  if (!resp.ok) {
    const p = new Problem(resp.status, typeof data === 'object' ? data : { detail: String(data || '').slice(0, 200) });
    if (!quiet && GATES.has(p.code)) for (const fn of listeners) fn(p);
    throw p;
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
/** A GET whose answer is a file: resolves to a Blob, or throws a Problem. */
export const getBlob = (path, opts) => api('GET', path, undefined, { ...opts, blob: true });
export const post = (path, body = {}, opts) => api('POST', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);
