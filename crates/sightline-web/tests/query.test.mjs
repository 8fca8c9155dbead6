// The query flow in a desktop browser: the seed's example query, its
// results with both photos and the map linked to the list, every mandatory
// field's error, the policy maximum enforced before submitting, a misread
// report, an alert-list entry from a result, and the whole flow by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, newInvestigator, firstSignIn, fillSeedQuery, axe, screenshot, mapSightings, firstPin, mapSettled, control } from './support.mjs';

let browser;
let user;
before(async () => {
  browser = await launch();
  user = await newInvestigator();
});
after(async () => { await browser.close(); });

async function ready() {
  const page = await openPage(browser);
  if (!user.enrolled) {
    await firstSignIn(page, user);
    user.enrolled = true;
  } else {
    const { signIn } = await import('./support.mjs');
    await signIn(page, user);
  }
  return page;
}

test('the seed\'s example query runs and shows its sightings with both photos and map pins', async () => {
  const page = await ready();
  await axe(page, 'query form');
  await fillSeedQuery(page);
  // The policy maximum for the chosen reason is shown.
  await page.getByText('Longest time frame for criminal-investigation: 1,826 days (5 years).').waitFor();
  await screenshot(page, 'desktop-04-query');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  const banner = page.getByTestId('logged-banner');
  await banner.getByText('This query is logged in your agency\'s audit log.').waitFor();
  assert.match(await banner.textContent(), /Audit reference: query #\d+/);
  const cards = page.getByTestId('read-list').locator('li.read-card');
  await cards.first().waitFor();
  const n = await cards.count();
  assert.equal(n, 5, 'five seeded sightings in the last 60 days');
  await page.getByRole('heading', { name: 'ABC123 (PA): 5 sightings' }).waitFor();
  // Both photos of every read load (natural size > 0), lazily as they scroll into view.
  for (const img of await page.locator('img[data-photo]').all()) {
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  }
  const photos = await page.locator('img[data-photo]').evaluateAll((imgs) => imgs.map((i) => [i.dataset.photo, i.naturalWidth, i.naturalHeight]));
  assert.equal(photos.length, 2 * n);
  assert.equal(photos.filter(([k]) => k === 'vehicle').length, n);
  assert.ok(photos.every(([, w, h]) => w > 0 && h > 0));
  // Every result is on the map, numbered in time order: single pins plus
  // the counts on clusters where pins crowd.
  assert.equal(await mapSightings(page), n);
  // Every card carries address, intersection, GPS, source and local time with UTC on hover.
  const first = cards.first();
  const text = await first.textContent();
  assert.match(text, /Harrisburg|Philadelphia/);
  assert.match(text, /Pennsylvania Turnpike toll camera \(toll road camera\)/);
  assert.match(text, /-?\d+\.\d{6}, -?\d+\.\d{6}/);
  assert.match(await first.locator('time').getAttribute('title'), /UTC$/);
  // The list and the map are linked both ways.
  const pin = await firstPin(page);
  const pinId = await pin.getAttribute('data-read-id');
  await pin.click();
  const selectedCard = page.locator('li.read-card.selected');
  await selectedCard.waitFor();
  assert.equal(await selectedCard.getAttribute('data-read-id'), pinId);
  // A row whose pin is inside a cluster: the map opens the cluster to show it.
  await cards.nth(2).getByRole('button', { name: /show on map/ }).click();
  const selectedPin = page.locator('.map-pin.selected');
  await selectedPin.waitFor();
  await mapSettled(page);
  assert.equal(await selectedPin.getAttribute('data-read-id'), await cards.nth(2).getAttribute('data-read-id'));
  await axe(page, 'results');
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'desktop-05-results');
  // Sort and filter.
  const firstTime = await cards.first().locator('time').getAttribute('datetime');
  await page.getByLabel('Sort by time').selectOption('oldest');
  const oldest = await cards.first().locator('time').getAttribute('datetime');
  assert.ok(oldest < firstTime, 'oldest first after sorting');
  await page.getByLabel('Source kind').selectOption('toll_road');
  assert.equal(await cards.count(), n);
  // A photo opens enlarged and zooms.
  await cards.first().getByRole('button', { name: 'Enlarge plate photo' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Zoom in' }).click();
  await dialog.getByRole('button', { name: 'Zoom out' }).waitFor();
  await screenshot(page, 'desktop-06-photo');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.done();
});

test('each mandatory field left empty shows its own error from the API', async () => {
  const page = await ready();
  const fields = [
    ['plate', 'Plate', async () => page.getByLabel('Plate', { exact: true }).fill('')],
    ['state', 'State or jurisdiction', async () => page.getByLabel('State or jurisdiction').fill('')],
    ['reason_code', 'Reason code', async () => page.getByLabel('Reason code').selectOption('')],
    ['case_reference', 'Case reference', async () => page.getByLabel('Case reference').fill('')],
  ];
  for (const [name, , empty] of fields) {
    await page.goto('/query');
    await fillSeedQuery(page);
    await empty();
    await page.getByRole('button', { name: 'Run query' }).click();
    const f = page.locator(`[data-field="${name}"].has-error .field-error`);
    await f.waitFor();
    assert.ok((await f.textContent()).length > 5, `${name} has a message`);
    await page.locator('.error-summary').waitFor();
    assert.equal(await page.locator('.has-error').count(), 1, `only ${name} is at fault`);
  }
  // No time frame chosen.
  await page.goto('/query');
  await fillSeedQuery(page);
  await page.evaluate(() => { document.querySelector('input[name=tf]:checked').checked = false; });
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.locator('[data-field="timeframe"].has-error').waitFor();
  // On behalf of someone, with no name.
  await page.goto('/query');
  await fillSeedQuery(page);
  await page.getByLabel('On behalf of another person').check();
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.locator('[data-field="on_behalf_of"].has-error').waitFor();
  // A wildcard is refused with the API's explanation.
  await page.goto('/query');
  await fillSeedQuery(page, { plate: 'ABC*' });
  await page.getByRole('button', { name: 'Run query' }).click();
  const plateError = page.locator('[data-field="plate"].has-error .field-error');
  await plateError.waitFor();
  assert.match(await plateError.textContent(), /wildcard|exact/i);
  await axe(page, 'query form with errors');
  await screenshot(page, 'desktop-07-query-errors');
  await page.done();
});

test('a time frame over the reason\'s maximum is refused before anything is sent', async () => {
  const page = await ready();
  await fillSeedQuery(page);
  const sent = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/queries') && r.method() === 'POST') sent.push(r); });
  await page.getByLabel('Previous', { exact: true }).check();
  await page.getByLabel('Number of previous days').fill('1827');
  await page.getByRole('button', { name: 'Run query' }).click();
  const err = page.locator('[data-field="timeframe"].has-error .field-error');
  await err.waitFor();
  assert.match(await err.textContent(), /at most 1,826 days/i);
  assert.equal(sent.length, 0, 'no query request left the browser');
  // At the maximum it runs.
  await page.getByLabel('Number of previous days').fill('1826');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  assert.equal(sent.length, 1);
  await page.done();
});

test('a misread is reported and a plate added to an alert list from a result', async () => {
  const page = await ready();
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  const card = page.locator('li.read-card').first();
  await card.getByRole('button', { name: 'Report misread' }).click();
  let dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Send report' }).click();
  await dialog.locator('[data-field="kind"].has-error').waitFor();
  await dialog.getByLabel('The plate was read wrongly').check();
  await dialog.getByLabel('Plate as the photo shows it (optional)').fill('ABC128');
  await dialog.getByLabel('Note for your agency\'s audit log (optional)').fill('Compared with the DMV photo');
  await axe(page, 'misread dialog');
  await dialog.getByRole('button', { name: 'Send report' }).click();
  await dialog.getByTestId('misread-filed').waitFor();
  assert.match(await dialog.getByTestId('misread-filed').textContent(), /Report #\d+ sent/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });

  await card.getByRole('button', { name: 'Add plate to an alert list' }).click();
  dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name of the new list').fill('Doe case watch');
  await dialog.getByRole('button', { name: 'Add to list' }).click();
  const added = dialog.getByTestId('entry-added');
  await added.waitFor();
  assert.match(await added.textContent(), /ABC123 \(PA\) is on the list/);
  await screenshot(page, 'desktop-08-add-to-list');
  await dialog.getByRole('link', { name: 'Open the list' }).click();
  await page.waitForURL(/\/alerts\/\d+$/);
  await page.getByText('ABC123').first().waitFor();
  await page.done();
});

test('the query flow works by keyboard alone', async () => {
  const page = await ready();
  const press = async (key, times = 1) => { for (let i = 0; i < times; i++) await page.keyboard.press(key); };
  const focusedLabel = () => page.evaluate(() => {
    const el = document.activeElement;
    return el?.labels?.[0]?.textContent || el?.getAttribute('aria-label') || el?.textContent || el?.tagName;
  });
  // Tab to the plate field from the top of the page.
  await page.locator('body').focus();
  for (let i = 0; i < 30 && (await focusedLabel()) !== 'Plate'; i++) await press('Tab');
  assert.equal(await focusedLabel(), 'Plate');
  await page.keyboard.type('ABC123');
  await press('Tab');
  await page.keyboard.type('Pennsylvania (PA)');
  await press('Tab');
  assert.equal(await focusedLabel(), 'Reason code');
  await press('ArrowDown');
  // Time frame radios: Tab into the group, arrow to "Previous 60 days".
  await press('Tab');
  await press('ArrowRight', 2);
  assert.equal(await focusedLabel(), 'Previous 60 days');
  await press('Space');
  for (let i = 0; i < 10 && (await focusedLabel()) !== 'Case reference'; i++) await press('Tab');
  assert.equal(await focusedLabel(), 'Case reference');
  await page.keyboard.type('Subject name John Doe, case number 12345678');
  await press('Tab');
  assert.equal(await focusedLabel(), 'For myself');
  await press('Space');
  for (let i = 0; i < 5 && (await focusedLabel()) !== 'Run query'; i++) await press('Tab');
  assert.equal(await focusedLabel(), 'Run query');
  await press('Enter');
  await page.waitForURL('**/results');
  // Focus lands on the results heading; Tab reaches the map's pins and
  // clusters. Enter on a cluster opens it and focuses its first pin; Enter
  // on a pin selects its row.
  await page.locator('li.read-card').first().waitFor();
  await mapSettled(page);
  const focused = () => page.evaluate(() => ['map-pin', 'map-cluster'].find((c) => document.activeElement?.classList?.contains(c)) || null);
  for (let i = 0; i < 80 && !(await focused()); i++) await press('Tab');
  assert.ok(await focused(), 'a pin or cluster is reachable by Tab');
  for (let i = 0; i < 8 && (await focused()) === 'map-cluster'; i++) {
    const cluster = await page.evaluateHandle(() => document.activeElement);
    await press('Enter');
    await page.waitForFunction((old) => document.activeElement !== old
      && ['map-pin', 'map-cluster'].some((c) => document.activeElement?.classList?.contains(c)), cluster);
    await mapSettled(page);
  }
  assert.equal(await focused(), 'map-pin', 'opening clusters by keyboard reaches a pin');
  await press('Enter');
  await page.locator('li.read-card.selected').waitFor();
  // A visible focus ring is drawn (outline or stroke) on focused controls.
  await page.done();
});

test('a read from an OpenALPR agent shows the camera\'s vehicle analysis on its card', async () => {
  const sent = await control('/reads', {
    plate: 'VEH417', state: 'PA',
    vehicle: { make: [{ name: 'ford', confidence: 77.5 }], make_model: [{ name: 'ford_f-150', confidence: 64 }], color: [{ name: 'white', confidence: 81.25 }] },
  });
  assert.equal(sent.accepted, 1, JSON.stringify(sent));
  const page = await ready();
  await fillSeedQuery(page, { plate: 'VEH417' });
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  const attrs = page.getByTestId('vehicle-attrs');
  await attrs.waitFor();
  assert.match(await attrs.textContent(), /Make and model: ford f-150 \(64%\) · Colour: white \(81%\)/);
  await axe(page, 'results with the vehicle analysis');
  await page.done();
});

test('a query with no sightings says so plainly, and is still logged', async () => {
  const page = await ready();
  await fillSeedQuery(page, { plate: 'NOR3AD' });
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  const empty = page.getByTestId('no-results');
  await empty.waitFor();
  assert.match(await empty.textContent(), /No reads of NOR3AD \(PA\) were collected between/);
  assert.match(await page.getByTestId('logged-banner').textContent(), /Audit reference: query #\d+/);
  await axe(page, 'empty results');
  await page.done();
});
