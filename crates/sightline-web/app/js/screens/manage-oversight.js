// Oversight settings (issue 16, docs/oversight.md): the agency's
// case-reference rule, its random review sample and its misuse flags. An
// agency-wide manager changes them (audited as oversight.settings_changed);
// AOR managers read them. The server validates everything, the pattern
// included, and its errors land beside their fields. A program's own rule
// (set through the API or `sightline oversight`) is kept as it is.
import { h, mount, announce } from '../dom.js';
import { field, fieldset, choice, input, submitting } from '../forms.js';
import { get, api } from '../api.js';
import { pageHead, isAgencyWide } from '../manage.js';
import { app } from '../state.js';

const FLAGS = [
  ['daily_volume', 'Daily volume', 'A user\'s queries today above a multiple of their own median over their active days in the last 30.', [
    ['multiple', 'Multiple of their median', 'number'], ['min_history_days', 'Active days needed first', 'number'], ['min_count', 'Fewest queries today that can fire', 'number']]],
  ['case_spread', 'Many plates under one case', 'Distinct plates queried under the same case reference within a short window.', [
    ['plates', 'Distinct plates', 'number'], ['window_minutes', 'Window (minutes)', 'number']]],
  ['off_hours', 'Outside usual hours', 'A query at an hour when the user, by their own history, almost never queries.', [
    ['min_history', 'Queries of history needed first', 'number'], ['min_share_percent', 'Usual means at least this % of their queries', 'number'], ['lookback_days', 'History (days)', 'number']]],
  ['repeat_no_hit', 'Same plate, never found', 'The same plate queried again and again by one user over weeks, with no read found.', [
    ['min_queries', 'Queries of the plate', 'number'], ['min_span_days', 'Over at least (days)', 'number'], ['lookback_days', 'Looking back (days)', 'number']]],
  ['after_login_storm', 'After failed logons', 'A query soon after a burst of failed logons on the same account.', [
    ['failures', 'Failed logons', 'number'], ['window_minutes', 'Within (minutes)', 'number']]],
];

export async function render(main) {
  const settings = await get('/api/v1/oversight/settings');
  const wide = isAgencyWide(app.me);
  const rule = settings.case_reference?.agency || null;

  const pattern = field('case_reference.agency.pattern', 'Case-number pattern', input({ class: 'mono', spellcheck: 'false', value: rule?.pattern || '' }),
    'A regular expression, for example ^(HSI|ERO)-\\d{4}-\\d{6}$. Users never see it: they see the example. Leave empty for none.');
  const example = field('case_reference.agency.example', 'Example shown to users', input({ value: rule?.example || '' }), 'A case reference the rule accepts, e.g. HSI-2026-000123.');
  const minLength = field('case_reference.agency.min_length', 'Minimum length', input({ type: 'number', min: 0, max: 200, value: String(rule?.min_length ?? 0) }), 'Characters, 0 to 200.');
  const vagueBox = h('textarea', { rows: 4, spellcheck: 'false' });
  vagueBox.value = (rule?.vague_phrases || []).join('\n');
  const vague = field('case_reference.agency.vague_phrases', 'Refused phrases', vagueBox, 'One a line. Leave empty for Sightline\'s list ("investigation", "test", "n/a", "see case", …). Compared without case or punctuation at either end.');
  const ruleOn = choice('checkbox', 'rule_on', 'on', 'Require this case-reference rule', { checked: !!rule });

  const sampleOn = choice('checkbox', 'sampling_on', 'on', 'Sample queries for supervisor review', { checked: !!settings.sampling?.enabled });
  const share = field('sampling.share_percent', 'Share sampled (%)', input({ type: 'number', min: 0, max: 100, step: 'any', value: String(settings.sampling?.share_percent ?? 5) }),
    'Each query is drawn with this probability from the operating system\'s random source; every draw is recorded in the audit log.');

  const flagParts = FLAGS.map(([key, label, hint, params]) => {
    const cfg = settings.flags?.[key] || {};
    const on = choice('checkbox', `flag_${key}`, 'on', label, { checked: !!cfg.enabled });
    const inputs = params.map(([p, plabel]) => field(`flags.${key}.${p}`, plabel, input({ type: 'number', step: 'any', value: String(cfg[p] ?? '') })));
    return { key, params, on, inputs, el: fieldset(`flags.${key}`, label, [on, h('div', { class: 'flag-params' }, inputs)], hint) };
  });

  const status = h('p', { role: 'status', class: 'small', 'data-testid': 'oversight-status' });
  const form = h('form', { novalidate: true, 'aria-label': 'Oversight settings' },
    h('h2', {}, 'Case references'),
    h('p', { class: 'muted' }, 'A query or alert entry whose case reference breaks the rule is refused, and the user is told what is accepted. The query form shows the rule before submission.'),
    ruleOn, pattern, example, minLength, vague,
    h('h2', {}, 'Review sample'),
    sampleOn, share,
    h('h2', {}, 'Misuse flags'),
    h('p', { class: 'muted' }, 'Each flag counts only your agency\'s own audit log, never read data, and never blocks a query: a flagged query goes to the review queue with the reason in words.'),
    flagParts.map((f) => f.el),
    wide ? h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save oversight settings')) : h('p', { class: 'muted' }, 'Only an agency-wide manager can change these.'),
    status);
  if (!wide) form.querySelectorAll('input, textarea').forEach((c) => { c.disabled = true; });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    status.textContent = '';
    const num = (el) => (el.control.value.trim() === '' ? undefined : Number(el.control.value));
    const flags = {};
    for (const f of flagParts) {
      const cfg = { enabled: f.on.querySelector('input').checked };
      f.params.forEach(([p], i) => { const v = num(f.inputs[i]); if (v !== undefined) cfg[p] = v; });
      flags[f.key] = cfg;
    }
    const phrases = vagueBox.value.split('\n').map((x) => x.trim()).filter(Boolean);
    const body = {
      case_reference: {
        agency: ruleOn.querySelector('input').checked ? {
          pattern: pattern.control.value.trim() || null,
          example: example.control.value.trim() || null,
          min_length: num(minLength) ?? 0,
          vague_phrases: phrases.length ? phrases : null,
        } : null,
        programs: settings.case_reference?.programs || {},
      },
      sampling: { enabled: sampleOn.querySelector('input').checked, share_percent: num(share) ?? 5 },
      flags,
    };
    submitting(form, async () => {
      await api('PUT', '/api/v1/oversight/settings', body);
      status.textContent = 'Saved. Queries from now on meet these settings.';
      announce('Oversight settings saved');
    }, { title: 'The oversight settings were not saved' });
  });

  mount(main, h('div', { class: 'medium' },
    pageHead('Oversight', 'Case-reference rules, the review sample and misuse flags for your agency\'s queries.'),
    h('section', { class: 'panel' }, form)));
}
