// Dates, times and numbers as the person reading them expects: their own
// time zone for display, UTC on hover.
import { h } from './dom.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const fmtDateTime = (iso) => dateTime.format(new Date(iso));
export const fmtDate = (iso) => dateOnly.format(new Date(iso));
export const utc = (iso) => `${new Date(iso).toISOString().replace('T', ' ').slice(0, 19)} UTC`;

/** A <time> in local time with the UTC time as its tooltip. */
export function timeEl(iso, { dateOnly: d = false } = {}) {
  return h('time', { datetime: iso, title: utc(iso) }, d ? fmtDate(iso) : fmtDateTime(iso));
}

export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** "1,826 days (5 years)" */
export function days(n) {
  const years = n / 365.25;
  return years >= 1 && Math.abs(years - Math.round(years)) < 0.01
    ? `${n.toLocaleString()} days (${Math.round(years)} years)`
    : `${n.toLocaleString()} days`;
}
