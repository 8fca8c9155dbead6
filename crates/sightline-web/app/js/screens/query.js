// The query form (R3.1–R3.3): plate, state, reason code (the user's
// program's only), time frame within the reason's maximum, case reference,
// and for whom. The server checks everything again and logs the query
// before any read leaves the store; this form only saves a wasted trip
// where it can (the time frame maximum) and shows the API's errors beside
// their fields.
import { h, mount, announce } from '../dom.js';
import { field, fieldset, choice, input, submitting } from '../forms.js';
import { post, get, api, Problem } from '../api.js';
import { app } from '../state.js';
import { navigate } from '../router.js';
import { stateInput, stateValue, jurisdictions, stateLabel } from '../jurisdictions.js';
import { days, fmtDateTime } from '../format.js';
import * as device from '../device-store.js';

const PRESETS = [7, 30, 60, 90];
const DAY = 86_400_000;
const DRAFT = 'query-draft';

function isoDate(d) { return new Date(d).toISOString().slice(0, 10); }

export async function render(main) {
  const me = app.me;
  const reasons = me.reason_codes || [];
  const pre = app.prefill;
  app.prefill = null;

  const plate = field('plate', 'Plate', input({ autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', class: 'mono' }), 'Exactly as on the plate; no wildcards or partial plates.');
  const st = await stateInput('q-state', pre?.state);
  const state = field('state', 'State or jurisdiction', st.input, 'Type a name or a two-letter code.');
  state.append(st.datalist);
  const reasonSel = h('select', {}, h('option', { value: '' }, 'Choose a reason'),
    reasons.map((r) => h('option', { value: r.code }, r.label && r.label !== r.code ? `${r.label} (${r.code})` : r.code)));
  const reason = field('reason_code', 'Reason code', reasonSel, `Reason codes of your program${me.program ? ` (${me.program})` : ''}.`);
  const maxNote = h('p', { class: 'hint policy-max', id: 'policy-max', 'aria-live': 'polite' }, 'Choose a reason code to see the longest time frame it allows.');

  const nDays = input({ type: 'number', min: 1, step: 1, inputmode: 'numeric', 'aria-label': 'Number of previous days', class: 'days-input' });
  const from = input({ type: 'date', 'aria-label': 'From date' });
  const to = input({ type: 'date', 'aria-label': 'To date' });
  const presetChoices = PRESETS.map((n) => choice('radio', 'tf', String(n), `Previous ${n} days`));
  const custom = choice('radio', 'tf', 'days', 'Previous');
  custom.append(nDays, h('span', { 'aria-hidden': 'true' }, 'days'));
  const between = choice('radio', 'tf', 'dates', 'Between');
  between.append(from, h('span', { 'aria-hidden': 'true' }, 'and'), to);
  const timeframe = fieldset('timeframe', 'Time frame', [
    h('div', { class: 'presets' }, presetChoices),
    h('div', { class: 'presets' }, custom, between),
    maxNote,
  ]);
  // Typing a number or a date chooses that kind of time frame.
  nDays.addEventListener('input', () => { custom.querySelector('input').checked = true; });
  [from, to].forEach((d) => d.addEventListener('input', () => { between.querySelector('input').checked = true; }));

  // The agency's case-reference rule, shown before submission (the
  // server decides; the form pre-checks only what it can say exactly).
  const rule = await get('/api/v1/case-reference-rule').catch(() => null);
  const caseHint = rule?.active
    ? `What led to this query. ${rule.summary}${rule.example ? ` Example: ${rule.example}` : ''}`
    : 'What led to this query: for example the subject\'s name and the case number.';
  const caseRef = field('case_reference', 'Case reference', h('textarea', { rows: 3 }), caseHint);
  if (rule?.active) caseRef.querySelector('.hint')?.setAttribute('data-testid', 'case-rule');
  const sampledNote = rule?.sampled_for_review
    ? h('p', { class: 'small muted case-rule', 'data-testid': 'sampled-note' }, 'Your agency samples queries for supervisor review: a reviewer may read this query as it is logged.')
    : null;
  const selfChoice = choice('radio', 'obo', 'self', 'For myself', { checked: true });
  const otherChoice = choice('radio', 'obo', 'other', 'On behalf of another person');
  const person = input({ autocomplete: 'off', 'aria-label': 'Full name of the person this query is for' });
  const obo = fieldset('on_behalf_of', 'Who is this query for?', [h('div', { class: 'choices' }, selfChoice, otherChoice), h('div', { class: 'obo-person' }, person)]);
  person.addEventListener('input', () => { otherChoice.querySelector('input').checked = true; });

  const reasonInfo = () => reasons.find((r) => r.code === reasonSel.value);
  const showMax = () => {
    const r = reasonInfo();
    maxNote.textContent = r ? `Longest time frame for ${r.label}: ${days(r.max_days)}.` : 'Choose a reason code to see the longest time frame it allows.';
    nDays.max = r ? r.max_days : '';
  };
  reasonSel.addEventListener('change', showMax);

  // The time frame as the API takes it, or an error for the form.
  function timeframeBody() {
    const sel = timeframe.querySelector('input[name=tf]:checked')?.value;
    if (!sel) return { body: null };
    if (sel === 'dates') {
      if (!from.value || !to.value) return { error: 'Enter both dates, or choose another time frame.' };
      const start = new Date(`${from.value}T00:00:00`);
      const end = new Date(`${to.value}T23:59:59`);
      if (end < start) return { error: 'The "to" date is before the "from" date.' };
      return { body: { start: start.toISOString(), end: end.toISOString() }, days: Math.ceil((end - start) / DAY) };
    }
    const n = sel === 'days' ? Number(nDays.value) : Number(sel);
    if (!Number.isInteger(n) || n < 1) return { error: 'Enter a whole number of days, 1 or more.' };
    return { body: { previous_days: n }, days: n };
  }

  const ocr = ocrControl(plate.control, st.input);
  const draftNote = h('div');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'query-h' },
    ocr, plate, state, reason, timeframe, caseRef, obo,
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Run query'),
      h('span', { class: 'small muted' }, 'The query is written to your agency\'s audit log before it runs.')),
    sampledNote);

  function values() {
    return {
      plate: plate.control.value, state: st.input.value, reason_code: reasonSel.value,
      tf: timeframe.querySelector('input[name=tf]:checked')?.value || '', n: nDays.value, from: from.value, to: to.value,
      case_reference: caseRef.control.value, obo: form.querySelector('input[name=obo]:checked')?.value || 'self', person: person.value,
    };
  }
  function fill(v) {
    plate.control.value = v.plate || '';
    if (v.state !== undefined) st.input.value = v.state;
    reasonSel.value = v.reason_code || '';
    const tf = form.querySelector(`input[name=tf][value="${CSS.escape(v.tf || '')}"]`);
    if (tf) tf.checked = true;
    nDays.value = v.n || ''; from.value = v.from || ''; to.value = v.to || '';
    caseRef.control.value = v.case_reference || '';
    (v.obo === 'other' ? otherChoice : selfChoice).querySelector('input').checked = true;
    person.value = v.person || '';
    showMax();
  }

  // A re-opened query (recent queries, an inbox hit) fills the form; a
  // draft on this device fills it otherwise.
  if (pre) {
    const tfDays = pre.days && PRESETS.includes(pre.days) ? String(pre.days) : pre.days ? 'days' : '';
    fill({ plate: pre.plate, state: st.input.value, reason_code: pre.reason_code, tf: tfDays, n: tfDays === 'days' ? pre.days : '', case_reference: pre.case_reference, obo: pre.on_behalf_of ? 'other' : 'self', person: pre.on_behalf_of || '' });
    if (pre.start && pre.end) fill({ ...values(), tf: 'dates', from: isoDate(pre.start), to: isoDate(pre.end) });
  } else {
    const draft = await device.load(DRAFT);
    if (draft) {
      fill(draft.value);
      mount(draftNote, h('div', { class: 'notice info', role: 'status', 'data-testid': 'draft-restored' },
        `Draft restored (saved ${fmtDateTime(new Date(draft.savedAt).toISOString())} on this device; drafts are deleted after 60 days). `,
        h('button', { type: 'button', class: 'link', onclick: () => { device.remove(DRAFT); fill({}); mount(draftNote); } }, 'Discard draft')));
    }
  }
  let saveTimer = null;
  form.addEventListener('input', () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => device.save(DRAFT, values()), 400);
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(saveTimer);
    submitting(form, async () => {
      const tf = timeframeBody();
      const r = reasonInfo();
      if (tf.error) throw { errors: [{ field: 'timeframe', message: tf.error }] };
      if (tf.days && r && tf.days > r.max_days) {
        throw { errors: [{ field: 'timeframe', code: 'timeframe_exceeds_policy', message: `${days(tf.days)} is longer than ${r.label} allows.`, accepted: `at most ${days(r.max_days)}` }] };
      }
      const pre = precheck(rule, caseRef.control.value);
      if (pre) throw { errors: [pre] };
      const oboVal = form.querySelector('input[name=obo]:checked')?.value;
      const body = {
        plate: plate.control.value.trim() || null,
        state: stateValue(st.input.value) || null,
        reason_code: reasonSel.value || null,
        timeframe: tf.body,
        case_reference: caseRef.control.value.trim() || null,
        on_behalf_of: oboVal === 'other' ? (person.value.trim() ? { person: person.value.trim() } : null) : 'self',
      };
      const resp = await post('/api/v1/queries', body);
      device.remove(DRAFT);
      app.lastQuery = { ...resp, ran_at: new Date().toISOString(), request: body };
      announce(`Query logged. ${resp.result_count} results.`);
      await navigate('/results');
    }, { title: 'The query was not run', aliases: { 'timeframe.start': 'timeframe', 'timeframe.end': 'timeframe', 'on_behalf_of.person': 'on_behalf_of' } });
  });

  mount(main, h('div', { class: 'medium' },
    h('div', { class: 'page-head' }, h('h1', { id: 'query-h' }, 'Plate query')),
    draftNote,
    h('section', { class: 'panel' }, form)));
}

// The rule's checks that mean the same here as on the server: a phrase
// too vague (compared as the server does) and the minimum length. The
// pattern is left to the server: its regular expressions are not
// JavaScript's.
function precheck(rule, text) {
  if (!rule?.active) return null;
  const t = text.trim();
  if (!t) return null;
  const norm = t.split(/\s+/).join(' ').toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (rule.vague_phrases.includes(norm)) {
    return { field: 'case_reference', code: 'case_reference_vague', message: `"${t}" does not say which case: your agency requires the case it belongs to`, accepted: rule.summary };
  }
  if ([...t].length < rule.min_length) {
    return { field: 'case_reference', code: 'case_reference_too_short', message: `your agency requires a case reference of at least ${rule.min_length} characters`, accepted: rule.summary };
  }
  return null;
}

// "Read plate from photo": the rear camera on a phone, a file picker
// elsewhere. The photo goes to the server once and is not kept here. The
// best reading fills the form and the others are offered; the officer
// checks them against the plate, and nothing runs until they press "Run
// query".
function ocrControl(plateInput, stateEl) {
  const file = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'ocr-photo', class: 'visually-hidden', tabindex: '-1', 'data-testid': 'ocr-input' });
  const status = h('div', { 'aria-live': 'polite' });
  const btn = h('label', { for: 'ocr-photo', class: 'button secondary', tabindex: '0', role: 'button' }, 'Read plate from photo');
  btn.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); } });
  const stateName = async (code) => {
    const j = (await jurisdictions()).find((x) => x.code === code);
    return j ? stateLabel(j) : code;
  };
  const pct = (v) => `${Math.round((v || 0) * 100)}\u00a0%`;
  async function show(candidates, chosen) {
    const c = candidates[chosen];
    plateInput.value = c.plate;
    if (c.state) stateEl.value = await stateName(c.state);
    const stateText = c.state ? `${await stateName(c.state)}, ${pct(c.state_confidence)} sure` : 'the state is not shown on the photo: choose it below';
    const others = candidates.map((o, i) => ({ o, i })).filter(({ i }) => i !== chosen);
    mount(status, h('div', { class: 'notice ok', role: 'status', 'data-testid': 'ocr-status' },
      h('p', {}, `Read ${c.plate} from the photo (${pct(c.confidence)} sure; ${stateText}). Check it against the plate before you run the query.`),
      others.length ? h('div', { class: 'choices', 'data-testid': 'ocr-candidates' },
        h('span', { class: 'small muted' }, 'Other readings:'),
        others.map(({ o, i }) => {
          const b = h('button', { type: 'button', class: 'secondary', 'data-testid': 'ocr-candidate' }, o.state ? `${o.plate} (${o.state})` : o.plate);
          b.addEventListener('click', () => { show(candidates, i); plateInput.focus(); });
          return b;
        })) : null));
  }
  file.addEventListener('change', async () => {
    const photo = file.files?.[0];
    file.value = '';
    if (!photo) return;
    mount(status, h('p', { class: 'muted' }, 'Reading the plate…'));
    try {
      const r = await api('POST', '/api/v1/ocr/plate', photo, { contentType: photo.type || 'image/jpeg' });
      if (!r?.candidates?.length) {
        mount(status, h('div', { class: 'notice warn', role: 'status', 'data-testid': 'ocr-status' }, 'No plate was found in the photo. Type the plate and state, or take a closer photo.'));
        return;
      }
      await show(r.candidates, 0);
      plateInput.focus();
    } catch (e) {
      const text = e instanceof Problem && e.code === 'ocr_unavailable'
        ? 'Reading plates from photos is not available on this server. Type the plate and state.'
        : `The photo could not be read: ${e.message}`;
      mount(status, h('div', { class: 'notice warn', role: 'status', 'data-testid': 'ocr-status' }, text));
    }
  });
  return h('div', { class: 'field ocr' }, file, btn, status);
}


