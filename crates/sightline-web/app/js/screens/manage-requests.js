// Access requests (R2.4, R2.7): the manager files the form for someone new,
// either by filling in the electronic form here or by attaching the signed
// paper form as a scanned PDF or image, or both; both are kept. The manager
// of that AOR then opens the request, reads the form as filed, opens the
// scan, and approves it (the account is created, pending, within the seat
// cap, and a registration key is emailed) or rejects it.
import { h, mount, announce } from '../dom.js';
import { field, input, submitting, showErrors } from '../forms.js';
import { get, post } from '../api.js';
import { navigate } from '../router.js';
import { confirmAction } from '../components/confirm.js';
import { downloadButtons } from '../components/export-download.js';
import { timeEl, plural } from '../format.js';
import { seatMeter, pageHead } from '../manage.js';

const MAX_SCAN = 5 * 1024 * 1024;
const ROLES = [['investigator', 'Investigator'], ['auditor', 'Auditor'], ['agency_manager', 'Agency manager']];
let flash = null;

function base64(buf) {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function statusTag(status) {
  const cls = { pending: 'acct-pending', approved: 'acct-active', rejected: 'acct-terminated' }[status] || '';
  return h('span', { class: `acct ${cls}` }, status);
}

export async function render(main) {
  const [{ requests }, users] = await Promise.all([get('/api/v1/access-requests'), get('/api/v1/users')]);
  const shown = flash;
  flash = null;
  const pending = requests.filter((r) => r.status === 'pending');
  const table = requests.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'data entries', 'data-testid': 'requests' },
      h('thead', {}, h('tr', {}, ['Person', 'Role', 'Filed', 'Form', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, requests.map((r) => h('tr', { 'data-request': r.username },
        h('th', { scope: 'row', 'data-label': 'Person' }, h('a', { href: `/manage/requests/${r.id}` }, r.full_name), h('br'), h('span', { class: 'small mono' }, r.username)),
        h('td', { 'data-label': 'Role' }, r.role.replace('_', ' '), r.program ? ` (${r.program})` : ''),
        h('td', { 'data-label': 'Filed' }, timeEl(r.submitted_at)),
        h('td', { 'data-label': 'Form' }, r.has_scan ? 'Electronic and scan' : 'Electronic'),
        h('td', { 'data-label': 'Status' }, statusTag(r.status)))))))
    : h('p', { class: 'muted' }, 'No access requests yet.');
  mount(main, h('div', { class: 'wide' },
    pageHead('Access requests', 'A new user starts as an access request. Approving one creates the account and emails the person a registration key.'),
    shown,
    h('section', { class: 'panel' }, seatMeter(users.seats_used, users.seat_cap)),
    h('section', { 'aria-labelledby': 'req-h' },
      h('div', { class: 'section-head' }, h('h2', { id: 'req-h' }, `Requests: ${plural(pending.length, 'waiting', 'waiting')} for a decision`)),
      table),
    h('section', { class: 'panel', 'aria-labelledby': 'new-req-h' },
      h('h2', { id: 'new-req-h' }, 'New access request'),
      newRequestForm(users))));
}

function newRequestForm(users) {
  const role = h('select', {}, ROLES.map(([v, l]) => h('option', { value: v }, l)));
  const program = h('select', {}, h('option', { value: '' }, 'None'), users.programs.map((p) => h('option', { value: p }, p)));
  const aor = users.aors.length > 1
    ? h('select', {}, h('option', { value: '' }, 'Your own'), users.aors.map((a) => h('option', { value: a }, a)))
    : null;
  const scan = h('input', { type: 'file', accept: 'application/pdf,image/png,image/jpeg,image/webp' });
  const f = {
    full_name: field('full_name', 'Full name', input({ autocomplete: 'off' })),
    username: field('username', 'Username', input({ autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }), 'Letters, digits, ".", "-" and "_"; e.g. hsi.rivera.'),
    email: field('email', 'Work email', input({ type: 'email', autocomplete: 'off' }), 'The registration key is sent here.'),
    role: field('role', 'Role', role),
    program: field('program', 'Program', program, 'Required for investigators: the program they query under.'),
    aor: aor ? field('aor', 'Area of responsibility', aor) : null,
    supervisor: field('supervisor', 'Supervisor', input({ autocomplete: 'off' }), 'Who vouches for the need, e.g. SAC Rivera.'),
    justification: field('justification', 'Justification', h('textarea', { rows: 3 }), 'Why this person needs Sightline.'),
    scan_base64: field('scan_base64', 'Scanned form (optional)', scan, 'The signed paper form as a PDF, PNG, JPEG or WebP, up to 5 MB. It is kept with the electronic form.'),
  };
  const form = h('form', { novalidate: true, class: 'request-form' },
    h('div', { class: 'search-grid' }, f.full_name, f.username, f.email, f.role, f.program, f.aor, f.supervisor),
    f.justification, f.scan_base64,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'File the request'),
      h('span', { class: 'small muted' }, 'Filing does not create the account; approving does.')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const file = scan.files[0];
      if (file && file.size > MAX_SCAN) {
        showErrors(form, [{ field: 'scan_base64', message: 'the scan is larger than 5 MB' }], { title: 'The request was not filed' });
        return;
      }
      const body = {
        full_name: f.full_name.control.value,
        username: f.username.control.value.trim(),
        email: f.email.control.value.trim(),
        role: role.value,
        program: program.value || undefined,
        aor: aor?.value || undefined,
        supervisor: f.supervisor.control.value,
        justification: f.justification.control.value,
        scan_base64: file ? base64(await file.arrayBuffer()) : undefined,
      };
      const filed = await post('/api/v1/access-requests', body);
      flash = h('div', { class: 'notice ok', role: 'status' }, `Request for ${filed.full_name} filed. Review it and approve or reject it below.`);
      announce('Request filed');
      await navigate(`/manage/requests/${filed.id}`);
    }, { title: 'The request was not filed' });
  });
  return form;
}

export async function renderOne(main, { params }) {
  const id = Number(params.id);
  const [{ requests }, users] = await Promise.all([get('/api/v1/access-requests'), get('/api/v1/users')]);
  const r = requests.find((x) => x.id === id);
  const head = h('div', { class: 'page-head' }, h('div', {}, h('a', { class: 'eyebrow', href: '/manage/requests' }, 'Access requests'),
    h('h1', {}, r ? `Access request: ${r.full_name}` : 'Request not found')));
  if (!r) {
    mount(main, h('div', { class: 'wide' }, head, h('p', { class: 'panel' }, 'There is no such request in your area of responsibility.')));
    return;
  }
  const shown = flash;
  flash = null;
  const status = h('div', { class: 'status-area', role: 'status', 'data-testid': 'decision-status' });
  const item = (k, v) => [h('dt', {}, k), h('dd', {}, v || h('span', { class: 'muted' }, '—'))];
  const electronic = h('section', { class: 'panel', 'aria-labelledby': 'form-h' },
    h('h2', { id: 'form-h' }, 'The form as filed'),
    h('dl', { class: 'facts', 'data-testid': 'request-form' },
      item('Full name', r.full_name), item('Username', r.username), item('Email', r.email),
      item('Role', r.role.replace('_', ' ')), item('Program', r.program), item('Area of responsibility', r.aor),
      item('Supervisor', r.supervisor), item('Justification', r.justification),
      item('Filed', timeEl(r.submitted_at)), item('Status', statusTag(r.status)),
      r.decided_at ? item('Decided', timeEl(r.decided_at)) : null,
      r.decision_note ? item('Decision note', r.decision_note) : null));
  const scan = h('section', { class: 'panel', 'aria-labelledby': 'scan-h' },
    h('h2', { id: 'scan-h' }, 'Scanned form'),
    r.has_scan
      ? [h('p', { class: 'small muted' }, 'The signed paper form, exactly as uploaded. Opening it is recorded in the audit log.'),
        downloadButtons([{ label: 'Open the scanned form', format: 'scan', url: `/api/v1/access-requests/${r.id}/scan`, name: `access-request-${r.id}` }], { label: 'Scanned form' })]
      : h('p', { class: 'muted' }, 'No scan was attached; the electronic form above is the record.'));
  let decide = null;
  if (r.status === 'pending') {
    const note = field('note', 'Note (optional)', h('textarea', { rows: 2 }), 'Kept with the decision.');
    const approve = h('button', { type: 'button' }, 'Approve and email a registration key');
    const reject = h('button', { type: 'button', class: 'danger' }, 'Reject');
    const form = h('form', { novalidate: true }, seatMeter(users.seats_used, users.seat_cap), note, h('div', { class: 'actions' }, approve, reject));
    form.addEventListener('submit', (e) => e.preventDefault());
    approve.addEventListener('click', () => submitting(form, async () => {
      const done = await post(`/api/v1/access-requests/${r.id}/approve`, { note: note.control.value || undefined });
      flash = h('div', { class: 'notice ok', role: 'status', 'data-testid': 'approved' },
        h('h2', {}, `${r.username}'s account is created`),
        h('p', {}, `The account is pending until ${r.full_name} registers. A registration key was emailed to ${r.email}; it works until `, timeEl(done.registration_expires_at), '.'),
        h('p', {}, `Seats: ${done.seats_used} of ${done.seat_cap} used. `, h('a', { href: `/manage/training?user=${encodeURIComponent(r.username)}` }, 'Record their training'), ' so they can use Sightline once registered.'));
      announce('Approved');
      await navigate(`/manage/requests/${r.id}`, { replace: true });
    }, { title: 'The request was not approved' }));
    reject.addEventListener('click', async () => {
      const yes = await confirmAction({ title: 'Reject this request?', body: h('p', {}, `No account is created for ${r.full_name}. The request stays on record as rejected.`), confirmLabel: 'Reject', danger: true });
      if (!yes) return;
      await submitting(form, async () => {
        await post(`/api/v1/access-requests/${r.id}/reject`, { note: note.control.value || undefined });
        flash = h('div', { class: 'notice info', role: 'status' }, `The request for ${r.full_name} was rejected.`);
        await navigate(`/manage/requests/${r.id}`, { replace: true });
      }, { title: 'The request was not rejected' });
    });
    decide = h('section', { class: 'panel', 'aria-labelledby': 'decide-h' }, h('h2', { id: 'decide-h' }, 'Decision'), form);
  }
  mount(main, h('div', { class: 'wide' }, head, shown, status, h('div', { class: 'manage-pair' }, electronic, h('div', {}, scan, decide))));
}
