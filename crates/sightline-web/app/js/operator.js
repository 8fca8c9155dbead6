// Shared by the operator's screens (operator-console.md): the page head,
// a secret shown once (an ingest key), and a definition list. The operator
// runs the service: agencies, sources, cameras, collection policies and
// the misread queue. Nothing here reads an agency's queries, lists or log.
import { h } from './dom.js';

export function pageHead(title, lead) {
  return h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, title), lead ? h('p', { class: 'muted' }, lead) : null));
}

/**
 * A new ingest key, shown once: Sightline keeps only its hash. The text is
 * selectable and a button copies it; the panel takes focus so a screen
 * reader reads it out.
 */
export function keyOnce(key, what) {
  const code = h('code', { class: 'secret key-once', 'data-testid': 'ingest-key' }, key);
  const status = h('span', { class: 'small muted', role: 'status' });
  const copy = h('button', {
    type: 'button', class: 'secondary small',
    onclick: async () => {
      try { await navigator.clipboard.writeText(key); status.textContent = 'Copied.'; } catch { status.textContent = 'Select the key and copy it.'; }
    },
  }, 'Copy key');
  const box = h('div', { class: 'notice warn key-box', tabindex: '-1', 'data-testid': 'key-once' },
    h('h2', {}, what),
    h('p', {}, 'Shown once: Sightline keeps only its hash. Put it in the source\'s configuration now; if it is lost, rotate the key.'),
    code, h('div', { class: 'actions' }, copy, status));
  return box;
}

/** `<dl>` from [term, value] pairs (falsy values left out). */
export function facts(pairs, label) {
  return h('dl', { class: 'op-facts', 'aria-label': label },
    pairs.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
