// The jurisdictions a plate can be from, by name and code, for the
// searchable state fields (a native <input list> with a <datalist>).
import { h } from './dom.js';
import { get } from './api.js';
import { app } from './state.js';

export async function jurisdictions() {
  if (!app.jurisdictions) app.jurisdictions = (await get('/api/v1/jurisdictions')).jurisdictions;
  return app.jurisdictions;
}

export const stateLabel = (j) => `${j.name} (${j.code})`;

/** A text input searchable by name or code, and its datalist. */
export async function stateInput(id, value) {
  const list = await jurisdictions();
  const dl = h('datalist', { id: `${id}-options` }, list.map((j) => h('option', { value: stateLabel(j) })));
  const known = list.find((j) => j.code === value);
  const el = h('input', { type: 'text', id, list: dl.id, autocomplete: 'off', value: known ? stateLabel(known) : (value || '') });
  return { input: el, datalist: dl };
}

/** What to send for a state field: the code in "Name (XX)", else what was typed. */
export function stateValue(text) {
  const t = text.trim();
  const m = /\(([A-Za-z]{2,3})\)\s*$/.exec(t);
  return m ? m[1].toUpperCase() : t;
}
