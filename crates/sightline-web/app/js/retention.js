// Collection and retention policies as people read them: state names
// without a session (the public transparency page has none, so it cannot
// ask /api/v1/jurisdictions), and retention in whole units ("3 minutes",
// "21 days") with the exact seconds beside them.
import { days } from './format.js';

export const STATE_NAMES = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut',
  DE: 'Delaware', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa',
  KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan',
  MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire',
  NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma',
  OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee',
  TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin',
  WY: 'Wyoming', DC: 'District of Columbia', PR: 'Puerto Rico', GU: 'Guam', VI: 'U.S. Virgin Islands',
  AS: 'American Samoa', MP: 'Northern Mariana Islands', FED: 'U.S. Government (federal)', DIP: 'Diplomatic (U.S. Department of State)',
};

export const stateName = (code) => STATE_NAMES[code] || code;

/** The units a retention can be entered in, largest first. */
export const UNITS = [
  ['days', 'days', 86_400],
  ['hours', 'hours', 3_600],
  ['minutes', 'minutes', 60],
  ['seconds', 'seconds', 1],
];

/** The largest unit that divides `secs` exactly: [value, unit key]. */
export function wholeUnits(secs) {
  for (const [key, , size] of UNITS) if (secs >= size && secs % size === 0) return [secs / size, key];
  return [secs, 'seconds'];
}

const one = { days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second' };

/** "3 minutes (180 seconds)", "1,826 days (5 years)", "not collected". */
export function retentionText(secs, allowed = true) {
  if (!allowed) return 'Not collected';
  const [n, unit] = wholeUnits(secs);
  if (unit === 'days') return days(n);
  if (unit === 'seconds') return `${secs.toLocaleString()} ${secs === 1 ? 'second' : 'seconds'}`;
  return `${n.toLocaleString()} ${n === 1 ? one[unit] : unit} (${secs.toLocaleString()} seconds)`;
}
