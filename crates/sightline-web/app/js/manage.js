// Shared by the agency manager's console (issue 10): the status a person
// reads for an account, the seat meter, and the page head. Managers with an
// AOR see their AOR's users only; agency-wide managers see all (the API
// decides, the app shows what it is given).
import { h } from './dom.js';
import { timeEl } from './format.js';

/** What a manager reads: pending, active, locked, disabled or terminated. */
export function accountStatus(u) {
  if (u.status === 'active' && u.locked) return 'locked';
  return u.status;
}

export function statusTag(u) {
  const s = accountStatus(u);
  return h('span', { class: `acct acct-${s}`, 'data-status': s }, s);
}

/** "Current until …", "Expires …" or "Missing": the training column. */
export function trainingCell(u) {
  if (!u.training_expires_at) return h('span', { class: 'acct acct-disabled' }, 'None recorded');
  if (!u.training_current) return h('span', {}, h('span', { class: 'acct acct-locked' }, 'Lapsed'), ' ', timeEl(u.training_expires_at, { dateOnly: true }));
  return h('span', {}, 'Until ', timeEl(u.training_expires_at, { dateOnly: true }));
}

/** Seats used of the cap, as a meter with the numbers in words. */
export function seatMeter(used, cap) {
  const full = used >= cap;
  return h('div', { class: `seats${full ? ' full' : ''}`, 'data-testid': 'seats' },
    h('span', { class: 'seats-label', id: 'seats-label' }, `Seats: ${used} of ${cap} used`),
    h('meter', { min: 0, max: cap, value: used, high: Math.max(cap - 1, 0), optimum: 0, 'aria-labelledby': 'seats-label' }),
    full ? h('span', { class: 'small' }, 'The agency is at its cap: approvals are refused until a seat is freed (terminate or disable a user) or the operator raises the cap.') : null);
}

export function pageHead(title, intro) {
  return h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, title), intro ? h('p', { class: 'muted' }, intro) : null));
}

/**
 * Whether the signed-in manager manages the whole agency, not one AOR: only
 * they change what reaches every user (rules, security contacts, the
 * published figures, the contract end). The API refuses the others anyway.
 */
export const isAgencyWide = (me) => me.aor_id === null || me.aor_id === undefined;
