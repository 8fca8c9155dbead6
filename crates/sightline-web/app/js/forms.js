// Forms that explain themselves: a visible label and hint on every field;
// on error, a summary at the top that links to each field at fault, and the
// field's own message beside it: the API's code, field and accepted, rendered.
import { h, uid } from './dom.js';

/**
 * A labelled field. `control` is the input element (its id is set here).
 * Returns the wrapper; `wrapper.control` is the input.
 */
export function field(name, label, control, hint) {
  const id = control.id || uid(`f-${name}`);
  control.id = id;
  control.name = control.name || name;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const err = h('span', { class: 'field-error hidden', id: `${id}-error` });
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const wrap = h('div', { class: 'field', 'data-field': name }, h('label', { for: id }, label), hintEl, err, control);
  wrap.control = control;
  return wrap;
}

/** A group of radios or checkboxes under a legend. */
export function fieldset(name, legend, children, hint) {
  const id = uid(`fs-${name}`);
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const err = h('span', { class: 'field-error hidden', id: `${id}-error` });
  const fs = h('fieldset', { class: 'field', 'data-field': name, 'aria-describedby': hintEl ? hintEl.id : null }, h('legend', {}, legend), hintEl, err, ...children);
  return fs;
}

// The control to take a person to for an error on field `f`. In a group:
// an empty box that belongs to the chosen option (the number of days, a
// date, the on-behalf-of name), else the chosen option, else the first.
function controlFor(f) {
  if (f.tagName !== 'FIELDSET') return f.querySelector('input, select, textarea');
  const chosen = f.querySelector('input[type=radio]:checked');
  const own = chosen
    ? [...(chosen.closest('.choice')?.querySelectorAll('input:not([type=radio])') || []), ...(chosen.value === 'other' ? f.querySelectorAll('.obo-person input') : [])]
    : [];
  return own.find((c) => !c.value) || chosen || f.querySelector('input, select, textarea');
}

export function input(props) { return h('input', { type: 'text', ...props }); }

/** A radio or checkbox with its label. */
export function choice(type, name, value, label, props = {}) {
  const id = uid(`c-${name}`);
  return h('div', { class: 'choice' },
    h('input', { type, name, value, id, ...props }),
    h('label', { for: id }, label));
}

function sentence(t) {
  const text = String(t || '').trim();
  if (!text) return '';
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function describe(e) {
  const text = sentence(e.message || e.detail || e.code);
  return e.accepted ? `${text} Accepted: ${sentence(e.accepted)}` : text;
}

/** Removes every error shown on `form`. */
export function clearErrors(form) {
  form.querySelector(':scope > .error-summary')?.remove();
  for (const f of form.querySelectorAll('.has-error')) {
    f.classList.remove('has-error');
    const err = f.querySelector('.field-error');
    if (err) { err.textContent = ''; err.classList.add('hidden'); }
    f.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
    for (const d of [f, ...f.querySelectorAll('[aria-describedby]')]) {
      const ids = (d.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== err?.id);
      if (ids.length) d.setAttribute('aria-describedby', ids.join(' ')); else d.removeAttribute('aria-describedby');
    }
  }
}

/**
 * Shows `errors` ([{field, message, accepted}]) on `form`: beside each
 * field named by `data-field`, and in a summary at the top that takes focus.
 * Errors naming no field on the form are shown in the summary only.
 * `aliases` maps API field names to the form's (e.g. `timeframe.start` → `timeframe`).
 */
export function showErrors(form, errors, { title = 'There is a problem', aliases = {} } = {}) {
  clearErrors(form);
  const items = [];
  for (const e of errors) {
    const name = aliases[e.field] || e.field;
    const f = name ? form.querySelector(`[data-field="${CSS.escape(name)}"]`) : null;
    const text = describe(e);
    if (f) {
      f.classList.add('has-error');
      const err = f.querySelector('.field-error');
      if (err) {
        err.textContent = err.textContent ? `${err.textContent} ${text}` : text;
        err.classList.remove('hidden');
      }
      const control = controlFor(f);
      // A group is described by its error; a single field's control is.
      const described = f.tagName === 'FIELDSET' ? f : control;
      if (described && err?.id) {
        const ids = new Set((described.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
        ids.add(err.id);
        described.setAttribute('aria-describedby', [...ids].join(' '));
      }
      if (control) control.setAttribute('aria-invalid', 'true');
      const target = control?.id ? `#${control.id}` : null;
      items.push(h('li', {}, target
        ? h('a', { href: target, onclick: (ev) => { ev.preventDefault(); control.focus(); } }, text)
        : text));
    } else {
      items.push(h('li', {}, text));
    }
  }
  // Focus moves to the summary, which reads it out; no role=alert, or it
  // would be announced twice.
  const summary = h('div', { class: 'error-summary', tabindex: '-1' },
    h('h2', {}, title), h('ul', {}, items));
  form.prepend(summary);
  summary.focus();
  return summary;
}

/** Runs `fn` with the form's submit button disabled; shows a Problem's errors. */
export async function submitting(form, fn, opts) {
  const btns = form.querySelectorAll('button[type=submit]');
  btns.forEach((b) => { b.disabled = true; });
  try {
    clearErrors(form);
    return await fn();
  } catch (e) {
    if (e && e.errors) showErrors(form, e.errors, opts);
    else showErrors(form, [{ message: String(e?.message || e) }], opts);
    return undefined;
  } finally {
    btns.forEach((b) => { b.disabled = false; });
  }
}
