// The quarterly report (R5.5): choose a calendar quarter, reckoned in the
// agency's time zone (GET /api/v1/me's agency_time_zone), the last
// complete one by default, and download it as PDF or Excel from
// GET /api/v1/reports/quarterly. The server builds both with the cover's
// signed checkpoint and records each download (report.quarterly). The
// files come through the same download component as the audit exports.
import { h } from '../dom.js';
import { field } from '../forms.js';
import { app } from '../state.js';
import { downloadButtons } from './export-download.js';

const SPANS = ['January to March', 'April to June', 'July to September', 'October to December'];
/** Quarters offered, the running one first. */
const OFFERED = 9;

/** The quarter `date` falls in on the clocks of `zone`: {year, q}. */
export function quarterOf(date, zone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: 'numeric' }).formatToParts(date);
  const num = (type) => Number(parts.find((p) => p.type === type).value);
  return { year: num('year'), q: Math.floor((num('month') - 1) / 3) + 1 };
}

const previous = ({ year, q }) => (q === 1 ? { year: year - 1, q: 4 } : { year, q: q - 1 });
const name = ({ year, q }) => `${year}Q${q}`;

function zoneOrUtc(zone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }).format(0);
    return zone;
  } catch {
    return 'UTC';
  }
}

/** The panel: a quarter, and a PDF and an Excel button. `note` says whose actions it counts. */
export function quarterlyReport({ note } = {}) {
  const zone = zoneOrUtc(app.me?.agency_time_zone || 'UTC');
  const quarters = [];
  for (let q = quarterOf(new Date(), zone); quarters.length < OFFERED; q = previous(q)) quarters.push(q);
  const select = h('select', { 'data-testid': 'quarter' }, quarters.map((q, i) => h('option', { value: name(q) },
    `${name(q)}: ${SPANS[q.q - 1]} ${q.year}${i === 0 ? ' (still running)' : ''}`)));
  select.value = name(quarters[1]);
  const quarter = field('quarter', 'Quarter', select, `Calendar quarters in your agency's time zone, ${zone}. The last complete one is chosen.`);
  const url = (format) => () => `/api/v1/reports/quarterly?quarter=${encodeURIComponent(select.value)}&format=${format}`;
  return h('section', { class: 'panel quarterly', 'aria-labelledby': 'quarterly-h', 'data-testid': 'quarterly-report' },
    h('h2', { id: 'quarterly-h' }, 'Quarterly report'),
    h('p', {}, 'The quarter\'s statistics as charts and tables, month by month and by AOR, program, reason code, user and on-behalf-of person. The cover names the signed checkpoint that covers the quarter and the command that verifies it offline.'),
    note ? h('p', { class: 'small muted' }, note) : null,
    quarter,
    downloadButtons([
      { label: 'Download PDF', format: 'pdf', url: url('pdf'), name: 'sightline-quarterly-report.pdf' },
      { label: 'Download Excel', format: 'xlsx', url: url('xlsx'), name: 'sightline-quarterly-report.xlsx' },
    ], { label: 'Quarterly report' }));
}
