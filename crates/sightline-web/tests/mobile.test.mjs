// The phone: an iPhone viewport (Playwright's device emulation), the
// stacked layout, touch-sized targets, the install hint iOS needs, and
// "Read plate from photo" with the rear-camera capture input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, newInvestigator, firstSignIn, fillSeedQuery, axe, screenshot, phone, control } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });


test('the seed query on an iPhone: stacked layout, capture input, install hint', async () => {
  const page = await openPage(browser, phone());
  const user = await newInvestigator('phone');
  await page.goto('/signin');
  await screenshot(page, 'phone-01-signin');
  await firstSignIn(page, user);
  // iOS has no install prompt: the app says how to add it to the home screen.
  await page.getByText('tap the Share button, then "Add to Home Screen"').waitFor();
  await screenshot(page, 'phone-02-query');
  // The capture input opens the rear camera.
  const capture = page.getByTestId('ocr-input');
  assert.equal(await capture.getAttribute('capture'), 'environment');
  assert.equal(await capture.getAttribute('accept'), 'image/*');
  // A photo of a Pennsylvania plate fills the form; nothing runs by itself.
  const { png } = await control('/plate-photo', { plate: 'KLM2290', state: 'PA' });
  await capture.setInputFiles({ name: 'plate.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
  const status = page.getByTestId('ocr-status');
  await status.waitFor({ timeout: 60000 });
  assert.match(await status.textContent(), /Read KLM2290 from the photo .*Pennsylvania.*Check it against the plate/);
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), 'KLM2290');
  assert.match(await page.locator('#q-state').inputValue(), /\(PA\)$/);
  assert.equal(await capture.inputValue(), '', 'the photo is not kept in the page');
  assert.ok(page.url().endsWith('/query'), 'the query is not run for the officer');
  await screenshot(page, 'phone-02b-ocr');
  // Touch targets are at least 44 px tall.
  const small = await page.evaluate(() => [...document.querySelectorAll('main button, main input:not([type=radio]):not([type=checkbox]):not([type=file]), main select, header a, header button')]
    .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44 && !el.closest('.presets'))
    .map((el) => `${el.tagName} ${el.textContent || el.getAttribute('aria-label') || el.name} ${el.getBoundingClientRect().height}`));
  assert.deepEqual(small, []);
  // No horizontal scrolling at 390 px.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll');
  await axe(page, 'phone query');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).tap();
  await page.waitForURL('**/results');
  await page.locator('li.read-card').first().waitFor();
  // Stacked: the map above the list, both full width.
  const map = await page.getByTestId('results-map').boundingBox();
  const list = await page.getByTestId('read-list').boundingBox();
  assert.ok(map.y + map.height <= list.y + 1, 'map stacked above the list');
  assert.ok(map.width > 300 && list.width > 300, 'both full width');
  // Photos load lazily as they scroll into view.
  for (const img of await page.locator('img[data-photo]').all()) {
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'phone-03-results');
  await page.evaluate(() => window.scrollTo(0, 420));
  await screenshot(page, 'phone-04-results-card');
  await axe(page, 'phone results');
  await page.done();
});

test('the smallest phones (360 px wide) need no sideways scrolling', async () => {
  const page = await openPage(browser, { ...phone(), viewport: { width: 360, height: 640 } });
  const user = await newInvestigator('narrow');
  await firstSignIn(page, user);
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert.ok(await fits(), 'query form fits');
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).tap();
  await page.waitForURL('**/results');
  await page.locator('li.read-card').first().waitFor();
  assert.ok(await fits(), 'results fit');
  for (const path of ['/recent', '/alerts', '/inbox', '/rules']) {
    await page.goto(path);
    await page.locator('h1').first().waitFor();
    assert.ok(await fits(), `${path} fits`);
  }
  await page.done();
});

test('desktop: no install hint where the browser offers no prompt, and the OCR button is there too', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator();
  await firstSignIn(page, user);
  assert.equal(await page.getByText('Add to Home Screen').count(), 0);
  await page.getByText('Read plate from photo').waitFor();
  await page.done();
});
