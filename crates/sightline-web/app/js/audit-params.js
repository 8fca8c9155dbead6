// The auditor console's search, as it travels: the app's URL holds what the
// person typed (dates as YYYY-MM-DD in their own time zone), and the API
// gets RFC 3339 instants. The same search feeds the list, its pages and
// every export, so an export is always "the search on screen".

/** The search fields, in the order the form shows them. */
export const SEARCH_FIELDS = ['user', 'on_behalf_of', 'plate', 'state', 'reason_code', 'action', 'outcome', 'from', 'to'];

/** Local midnight of a YYYY-MM-DD date, as an RFC 3339 instant. */
export function dayStart(date) {
  return new Date(`${date}T00:00:00`).toISOString();
}

/** Local midnight of the day after `date`: the exclusive end of that day. */
export function dayAfter(date) {
  const d = new Date(`${date}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/** YYYY-MM-DD of a Date in local time. */
export function localDate(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** App search (URLSearchParams) → the API's query string, without paging. */
export function apiQuery(search, log = AGENCY_LOG) {
  const q = new URLSearchParams();
  for (const k of log.fields) {
    const v = (search.get(k) || '').trim();
    if (!v) continue;
    if (k === 'from') q.set('from', dayStart(v));
    else if (k === 'to') q.set('to', dayAfter(v));
    else q.set(k, v);
  }
  return q;
}

/** The app's search with only the fields that are set. */
export function cleanSearch(search, log = AGENCY_LOG) {
  const q = new URLSearchParams();
  for (const k of log.fields) {
    const v = (search.get(k) || '').trim();
    if (v) q.set(k, v);
  }
  return q;
}

/** Who acted, for people: the username, or what kind of actor it was. */
export function actorName(actor) {
  if (!actor) return '';
  if (actor.username) return actor.kind === 'claimant' ? `${actor.username} (not signed in)` : actor.username;
  if (actor.kind === 'source') return `Data source ${actor.name || actor.id}`;
  return { system: 'Sightline (system)', console: 'Server console' }[actor.kind] || actor.kind || '';
}

/** Fields an auditor scans for in a list, when the entry has them. */
export function summary(e) {
  const f = e.fields || {};
  const parts = [];
  if (typeof f.plate === 'string') parts.push(`${f.plate}${f.state ? ` (${f.state})` : ''}`);
  if (f.reason_code) parts.push(String(f.reason_code));
  if (typeof f.on_behalf_of === 'string') parts.push(`on behalf of ${f.on_behalf_of}`);
  if (f.query_seq) parts.push(`of entry #${f.query_seq}`);
  if (f.result_count !== undefined) parts.push(`${f.result_count} results`);
  // The operator log's subjects: what was onboarded, registered or changed.
  if (typeof f.name === 'string') parts.push(f.name);
  if (typeof f.state === 'string' && typeof f.plate !== 'string') parts.push(f.state);
  if (f.agency_id) parts.push(`agency #${f.agency_id}`);
  if (f.source_id) parts.push(`source #${f.source_id}`);
  if (typeof f.camera_id === 'string') parts.push(`camera ${f.camera_id}`);
  if (f.report_id) parts.push(`report #${f.report_id}`);
  return parts.join(' · ');
}

/**
 * The two logs a person may search. An agency's auditors search its log by
 * every field; the operator's staff search the operator log, which holds
 * no agency's queries, so only by who, what, outcome and when. `actions`
 * are the ones searched for most (the field takes any action).
 */
export const AGENCY_LOG = {
  base: '/audit',
  title: 'Audit log',
  actionHint: 'e.g. query.run; type or pick one.',
  lead: 'Every action in your agency\'s Sightline, newest first. Open an entry to see all its fields and check it against the signed log.',
  fields: SEARCH_FIELDS,
  actions: [
    'query.run', 'query.results', 'query.refused', 'alert.hit', 'alert.entry.added', 'notification.sent',
    'auth.login', 'audit.searched', 'audit.exported', 'audit.replayed', 'report.statistics',
  ],
  exports: true,
  name: 'Your agency\'s audit log',
};

export const OPERATOR_LOG = {
  base: '/operator/log',
  title: 'Operator log',
  actionHint: 'e.g. admin.source_created; type or pick one.',
  lead: 'Every action of the operator\'s staff and of the service itself, newest first: agencies, sources and keys, policies, misreads, contract ends, sign-ins. It holds no agency\'s queries, lists or case text. Open an entry to check it against the signed log.',
  fields: ['user', 'action', 'outcome', 'from', 'to'],
  actions: [
    'admin.agency_created', 'admin.manager_invited', 'admin.source_created', 'admin.source_key_rotated',
    'admin.source_keys_revoked', 'admin.camera_saved', 'admin.collection_policy_changed',
    'misread.resolved', 'misread.photo_viewed', 'agency.offboarding_started', 'agency.destroyed',
    'ingest.batch', 'auth.login', 'audit.searched',
  ],
  exports: false,
  exportNote: 'To check the whole operator log offline, export it on the server with sightline audit export --operator --out FILE, then run sightline audit verify FILE --public-key KEY with the key shown on any entry.',
  name: 'The operator log',
};
