// Renewing and deleting one alert entry (R4.7), from its list or from an
// expiry prompt in the inbox. Both ask first: renewal spells out what the
// owner affirms (a continued operational need), deletion that the plate
// stops alerting at once. Each resolves to the renewed entry, true for a
// deletion, or null when the person said no.
import { h } from '../dom.js';
import { post, del } from '../api.js';
import { confirmAction } from './confirm.js';
import { sawServerNow } from './expiry.js';

const label = (e) => `${e.plate} (${e.state})`;

export async function renewEntry(listId, e) {
  const ok = await confirmAction({
    title: `Renew ${label(e)} for another year?`,
    confirmLabel: 'Affirm and renew',
    body: [
      h('p', {}, 'By renewing this entry you affirm that:'),
      h('ul', {},
        h('li', {}, `there is a continued operational need to be told when ${label(e)} is read;`),
        h('li', {}, `it still belongs to the ongoing investigation named in its note, "${e.note}", under reason code ${e.reason_code}.`)),
      h('p', {}, 'The entry will run for 365 days from today. Your affirmation is recorded in your agency\'s audit log with your name and the time.'),
    ],
  });
  if (!ok) return null;
  const renewed = await post(`/api/v1/alert-lists/${listId}/entries/${e.id}/renewal`, { affirm_operational_need: true });
  sawServerNow(renewed.valid_from);
  return renewed;
}

export async function deleteEntry(listId, e) {
  const ok = await confirmAction({
    title: `Delete ${label(e)} from the list?`,
    confirmLabel: 'Delete entry',
    danger: true,
    body: [
      h('p', {}, `New reads of ${label(e)} will no longer alert anyone. This cannot be undone; to watch the plate again, add it again.`),
      h('p', {}, 'The deletion is recorded in your agency\'s audit log.'),
    ],
  });
  if (!ok) return null;
  await del(`/api/v1/alert-lists/${listId}/entries/${e.id}`);
  return true;
}
