// What the app keeps on the device (R3.8): a query draft, encrypted under a
// key the server releases only to a signed-in session, deleted 60 days after
// it was saved: at app start, on every return to the app, and, for a phone
// left unopened with a wrong clock, because the server no longer releases
// that day's key. Signing out deletes it at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, newInvestigator, firstSignIn, signIn, control } from './support.mjs';

const DAY = 86_400_000;
const KEY = 'sightline:v1:query-draft';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

async function typeDraft(page, plate) {
  await page.getByLabel('Plate', { exact: true }).fill(plate);
  await page.getByLabel('Case reference').fill('Draft case 4471, subject R. Roe');
  await page.waitForFunction((k) => localStorage.getItem(k) !== null, KEY);
  const raw = await page.evaluate((k) => localStorage.getItem(k), KEY);
  assert.ok(!raw.includes(plate) && !raw.includes('4471'), 'the draft is stored encrypted');
  return raw;
}

test('a draft survives a reload, and is deleted 60 days after it was saved', async () => {
  const page = await openPage(browser);
  const start = Date.now();
  await page.clock.install({ time: start });
  const user = await newInvestigator('device');
  await firstSignIn(page, user);
  await typeDraft(page, 'DRF601');
  await page.reload();
  await page.getByTestId('draft-restored').waitFor();
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), 'DRF601');

  // 59 days on (the device's clock), the app starts again: still there.
  await page.clock.setSystemTime(start + 59 * DAY);
  await page.reload();
  await page.getByTestId('draft-restored').waitFor();

  // Past 60 days, coming back to the app (visibility change) deletes it
  // without a reload.
  await page.clock.setSystemTime(start + 60 * DAY + 60_000);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.waitForFunction((k) => localStorage.getItem(k) === null, KEY);
  await page.reload();
  await page.getByRole('heading', { name: 'Plate query' }).waitFor();
  assert.equal(await page.getByTestId('draft-restored').count(), 0);
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), '');
  await page.done();
});

test('a device clock set back cannot keep a draft: the server\'s time is the floor', async () => {
  const page = await openPage(browser);
  const start = Date.now();
  await page.clock.install({ time: start });
  const user = await newInvestigator('floor');
  await firstSignIn(page, user);
  await typeDraft(page, 'DRF602');
  // The server has said what time it is (at the key fetch); the device
  // clock is then set back 30 days and the draft's age checked against
  // the later of the two.
  const stored = await page.evaluate(() => Number(localStorage.getItem('sightline:v1:clock')));
  assert.ok(stored > 0, 'the last server time is kept');
  // Make the draft look 61 days old by the server's clock, while the
  // device clock says it is new: it is deleted at the next start.
  await page.evaluate(([k, floor]) => {
    const rec = JSON.parse(localStorage.getItem(k));
    rec.saved_at = floor - 61 * 86_400_000;
    localStorage.setItem(k, JSON.stringify(rec));
  }, [KEY, stored]);
  await page.clock.setSystemTime(stored - 61 * DAY);
  await page.reload();
  await page.getByRole('heading', { name: 'Plate query' }).waitFor();
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY), null);
  await page.done();
});

test('a phone left unopened forgets: after 61 days the server refuses the key and the draft is deleted', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('unopened');
  await firstSignIn(page, user);
  await typeDraft(page, 'DRF603');
  // The device clock stays where it was (wrong, or the phone was off);
  // the server's clock moves 61 days. Signing in again, the key for the
  // draft's day is refused (410) and the unreadable draft is deleted.
  const refused = [];
  page.on('response', (r) => { if (/\/api\/v1\/device-key\/\d+$/.test(r.url()) && r.status() === 410) refused.push(r.url()); });
  await control('/clock/advance', { seconds: 61 * 86400 });
  await signIn(page, user);
  await page.getByRole('heading', { name: 'Plate query' }).waitFor();
  await page.waitForFunction((k) => localStorage.getItem(k) === null, KEY);
  assert.equal(await page.getByTestId('draft-restored').count(), 0);
  assert.equal(refused.length, 1, 'the server refused the old day\'s key (410)');
  await page.done();
});

test('signing out deletes everything the app kept, and the server clears site data', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('logout');
  await firstSignIn(page, user);
  await typeDraft(page, 'DRF604');
  const logout = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  const resp = await logout;
  assert.equal((await resp.allHeaders())['clear-site-data'], '"cache", "storage"');
  await page.waitForURL('**/signin');
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sightline:') && !k.endsWith(':clock')));
  assert.deepEqual(left, []);
  await page.done();
});
