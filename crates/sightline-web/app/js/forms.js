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
  const hintEl = hint ? h('span', { class: 'hint' }, hint) : null;
  const err = h('span', { class: 'field-error hidden' });
  const fs = h('fieldset', { class: 'field', 'data-field': name }, h('legend', {}, legend), hintEl, err, ...children);
  return fs;
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
      const control = f.querySelector('input, select, textarea');
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        const ids = new Set((control.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
        if (err?.id) ids.add(err.id);
        control.setAttribute('aria-describedby', [...ids].join(' '));
      }
      const target = control?.id ? `#${control.id}` : null;
      items.push(h('li', {}, target
        ? h('a', { href: target, onclick: (ev) => { ev.preventDefault(); control.focus(); } }, text)
        : text));
    } else {
      items.push(h('li', {}, text));
    }
  }
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
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
