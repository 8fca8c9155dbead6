// How long an alert entry has left (R4.7): it lives 365 days from its add
// or renewal, its owner is asked to renew 14 days before the end, it stops
// matching at expiry and can still be renewed for one week after that;
// then it is removed.
//
// The countdown is measured on the server's clock. The API does not send
// "now", so the device clock stands in for it, corrected by what the app
// has seen: a timestamp the server has just written (a new or renewed
// entry's `valid_from`) says what the server's clock reads now; any other
// server timestamp (a notification's `created_at`) says at least that
// much time has passed there.
import { h } from '../dom.js';
import { fmtDate, utc } from '../format.js';

const DAY = 86_400_000;
export const SOON_DAYS = 14;
export const GRACE_DAYS = 7;

let exact = null;
let floor = -Infinity;

/** `iso` was the server's time a moment ago (it was just written). */
export function sawServerNow(iso) {
  const t = Date.parse(iso);
  if (Number.isFinite(t)) exact = t - Date.now();
}

/** The server's clock has reached at least `iso`. */
export function sawServerTime(iso) {
  const t = Date.parse(iso);
  if (Number.isFinite(t)) floor = Math.max(floor, t - Date.now());
}

/** The server's time now, in milliseconds, as well as the app knows it. */
export function serverNow() {
  const offset = Math.max(exact ?? 0, floor);
  return Date.now() + offset;
}

/**
 * Where an entry expiring at `expiresAt` stands:
 * {stage: 'active'|'soon'|'grace'|'gone', days, text, detail}.
 */
export function expiryState(expiresAt) {
  const exp = Date.parse(expiresAt);
  const now = serverNow();
  const graceEnd = exp + GRACE_DAYS * DAY;
  const graceIso = new Date(graceEnd).toISOString();
  if (now < exp) {
    const days = Math.ceil((exp - now) / DAY);
    return {
      stage: days <= SOON_DAYS ? 'soon' : 'active',
      days,
      text: days <= 1 ? 'expires within a day' : `expires in ${days} days`,
      detail: `on ${fmtDate(expiresAt)}`,
    };
  }
  if (now < graceEnd) {
    const ago = Math.floor((now - exp) / DAY);
    return {
      stage: 'grace',
      days: -ago,
      text: ago < 1 ? 'expired today' : `expired ${ago} ${ago === 1 ? 'day' : 'days'} ago`,
      detail: `No longer matching reads. You can still renew it until ${fmtDate(graceIso)} (one week after expiry); after that it is removed.`,
    };
  }
  return {
    stage: 'gone',
    days: 0,
    text: 'expired',
    detail: 'Past its renewal week: it is being removed.',
  };
}

/** The countdown as shown in a list: `.countdown`, `.soon` within 14 days, `.expired` past expiry. */
export function countdown(expiresAt) {
  const s = expiryState(expiresAt);
  const cls = s.stage === 'soon' ? 'countdown soon' : s.stage === 'active' ? 'countdown' : 'countdown expired';
  return h('span', { class: cls, 'data-testid': 'countdown' },
    h('span', { class: 'countdown-main', title: utc(expiresAt) }, s.text),
    h('span', { class: 'countdown-detail' }, s.detail));
}
