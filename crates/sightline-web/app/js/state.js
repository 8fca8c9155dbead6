// What the running app knows, in memory only. Nothing here is written to
// the device: query results and photos live as long as the page does.

export const app = {
  /** GET /api/v1/me, or null when signed out. */
  me: null,
  /** Unread notifications, for the header badge. */
  unread: 0,
  /** The last query's response, for the results screen. */
  lastQuery: null,
  /** A query to pre-fill the form with (from recent queries or an inbox hit). */
  prefill: null,
  /** Cached GET /api/v1/jurisdictions. */
  jurisdictions: null,
  /** Where to go once signed in (a link opened while signed out). */
  nextPath: null,
  /** A message to show on the sign-in screen (e.g. "your session ended"). */
  signinNotice: null,
};

export const isInvestigator = () => app.me?.role === 'investigator';
export const isAuditor = () => app.me?.role === 'auditor';
export const isManager = () => app.me?.role === 'agency_manager';

/** Forgets everything about the signed-in user held in this page. */
export function resetSession() {
  app.me = null;
  app.unread = 0;
  app.lastQuery = null;
  app.prefill = null;
}
