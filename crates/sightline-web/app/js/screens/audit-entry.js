// One audit entry, opened: every field, its leaf hash and exact bytes, and
// whether it verifies. The check runs in this browser (audit-verify.js):
// the leaf is recomputed from the bytes, the inclusion proof walked to the
// root of the latest signed checkpoint, and the checkpoint's Ed25519
// signature checked with the log's public key. The server only supplies
// the material. A query entry can be replayed from here.
import { h, mount } from '../dom.js';
import { get } from '../api.js';
import { timeEl, utc } from '../format.js';
import { actorName, cleanSearch, AGENCY_LOG, OPERATOR_LOG } from '../audit-params.js';
import { verifyEntry } from '../audit-verify.js';

function value(v) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, '(none)');
  if (typeof v === 'object') return h('pre', { class: 'json' }, JSON.stringify(v, null, 2));
  return String(v);
}

const MARK = { true: ['ok', 'Passed'], false: ['bad', 'Failed'], null: ['unknown', 'Not checked'] };
const CHECK_NAMES = {
  leaf: 'Leaf hash',
  fields: 'Fields',
  signature: 'Checkpoint signature',
  inclusion: 'Inclusion in the signed log',
};

function verification(entry, log) {
  const box = h('section', { class: 'panel verify-box', 'aria-labelledby': 'verify-h', 'data-testid': 'verify-result', 'data-state': 'checking' },
    h('h2', { id: 'verify-h' }, 'Does this entry verify?'),
    h('p', { role: 'status' }, 'Checking in this browser…'));
  async function run() {
    box.dataset.state = 'checking';
    mount(box, h('h2', { id: 'verify-h' }, 'Does this entry verify?'), h('p', { role: 'status' }, 'Checking in this browser…'));
    let r;
    try {
      r = await verifyEntry(entry, (path) => get(path));
    } catch (e) {
      box.dataset.state = 'error';
      mount(box, h('h2', { id: 'verify-h' }, 'Does this entry verify?'),
        h('p', { role: 'status', class: 'notice error' }, `The check could not be completed: ${e.message}`),
        h('button', { type: 'button', class: 'secondary', onclick: run }, 'Check again'));
      return;
    }
    box.dataset.state = r.verified ? 'verified' : r.pending ? 'pending' : 'failed';
    const verdict = r.verified
      ? h('p', { role: 'status', class: 'notice ok verdict' }, h('strong', {}, 'Verified in this browser. '),
        `This entry is in the log that ${r.checkpoint.keyName} signed at tree size ${r.checkpoint.size}.`)
      : r.pending
        ? h('p', { role: 'status', class: 'notice warn verdict' }, h('strong', {}, 'Not yet in a signed checkpoint. '), 'Check again in a few seconds.')
        : h('p', { role: 'status', class: 'notice error verdict' }, h('strong', {}, 'Does not verify. '), 'One or more checks below failed. Keep this page and report it.');
    mount(box,
      h('h2', { id: 'verify-h' }, 'Does this entry verify?'),
      verdict,
      h('ul', { class: 'checks' }, r.checks.map((c) => {
        const [cls, label] = MARK[String(c.ok)];
        return h('li', { class: `check ${cls}`, 'data-check': c.name },
          h('span', { class: 'check-mark' }, label), ' ',
          h('strong', {}, CHECK_NAMES[c.name] || c.name), ': ', c.text);
      })),
      h('p', { class: 'small muted' },
        `Checked here, in your browser, with WebCrypto: the server sent the entry, the proof, the checkpoint and the public key, and this page did the hashing and the signature check. Public key: `,
        h('code', { class: 'wrap' }, r.checkpoint.vkey),
        log === AGENCY_LOG
          ? ['. Compare it with the key your agency keeps (see ', h('a', { href: '/audit/verify' }, 'Verify this log'), ').']
          : '. Compare it with the operator log\'s key that you published.'),
      r.pending || !r.verified ? h('button', { type: 'button', class: 'secondary', onclick: run }, 'Check again') : null);
  }
  run();
  return box;
}

export const render = (main, ctx) => entryScreen(main, ctx, AGENCY_LOG);
export const renderOperator = (main, ctx) => entryScreen(main, ctx, OPERATOR_LOG);

async function entryScreen(main, { params, search }, log) {
  const seq = Number(params.seq);
  const back = cleanSearch(search, log);
  const backLink = h('a', { href: `${log.base}${back.toString() ? `?${back}` : ''}` }, 'Back to the search');
  // The entry is the newest at or before `seq`: a search of one.
  const page = Number.isInteger(seq) && seq > 0 ? await get(`/api/v1/audit/entries?before=${seq + 1}&limit=1`) : { entries: [] };
  const entry = page.entries[0];
  if (!entry || entry.seq !== seq) {
    mount(main, h('section', { class: 'panel narrow' },
      h('h1', {}, 'No such entry'),
      h('p', {}, `${log.name} has no entry #${params.seq} that you may see.`),
      h('p', {}, backLink)));
    return;
  }
  const facts = [
    ['Entry', `#${entry.seq}`],
    ['Time', [timeEl(entry.at), h('span', { class: 'muted small' }, ` (${utc(entry.at)})`)]],
    ['Who', actorName(entry.actor)],
    ['Actor', value(entry.actor)],
    ['Action', h('span', { class: 'mono' }, entry.action)],
    ['Outcome', entry.outcome],
  ];
  const fieldRows = Object.entries(entry.fields).map(([k, v]) => [k, value(v)]);
  const dl = (rows, label) => h('dl', { class: 'facts audit-facts', 'aria-label': label }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const replay = log === AGENCY_LOG && entry.action === 'query.run' && entry.outcome === 'success'
    ? h('a', { class: 'button', href: `/audit/replay/${entry.seq}`, 'data-testid': 'replay-link' }, 'Replay this query')
    : null;
  mount(main, h('div', { class: 'medium' },
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, `Audit entry #${entry.seq}`), h('p', { class: 'muted' }, `${entry.action} · ${entry.outcome} · `, timeEl(entry.at))),
      h('div', { class: 'actions' }, replay, backLink)),
    verification(entry, log),
    h('section', { class: 'panel', 'aria-labelledby': 'entry-h' },
      h('h2', { id: 'entry-h' }, 'The entry'),
      dl(facts, 'The entry'),
      h('h3', {}, 'Fields'),
      fieldRows.length ? dl(fieldRows, 'Fields') : h('p', { class: 'muted' }, 'This entry has no further fields.'),
      h('h3', {}, 'Leaf hash'),
      h('p', {}, h('code', { class: 'wrap', 'data-testid': 'leaf-hash' }, entry.leaf_hash)),
      h('details', {},
        h('summary', {}, 'The exact bytes the hash covers'),
        log === AGENCY_LOG ? h('p', { class: 'small muted' }, 'Plate, case reference, note and on-behalf-of are sealed (encrypted) in the log; the fields above show them opened.') : null,
        h('pre', { class: 'json wrap' }, entry.canonical)))));
}
