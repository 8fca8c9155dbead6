// Alert lists as an investigator uses them (R4, R3.10): a list and its
// plates, searching it, a CSV upload that is all or nothing with every bad
// row named, renewal and deletion, groups named by username, and the
// de-confliction notice when a colleague already watches the plate.
// Nothing here moves the server's clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, phone, newInvestigator, firstSignIn, axe, screenshot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const NOTE = 'Case 2026-114, subject John Doe';

async function newList(page, name) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alert lists' }).click();
  await page.getByRole('heading', { name: 'Alert lists', level: 1 }).waitFor();
  await page.getByLabel('New list').fill(name);
  await page.getByRole('button', { name: 'Create list' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

async function addPlate(page, plate, { state = 'Pennsylvania (PA)', reason = 'criminal-investigation', note = NOTE, scope } = {}) {
  const form = page.getByRole('form', { name: /^Add a plate/ });
  await form.getByLabel('Plate').fill(plate);
  await form.getByLabel('State or jurisdiction').fill(state);
  await form.getByLabel('Reason code').selectOption(reason);
  await form.getByLabel('Note').fill(note);
  if (scope) await form.getByLabel(scope).check();
  await form.getByRole('button', { name: 'Add to list' }).click();
  await page.getByTestId('entry-added').filter({ hasText: plate }).waitFor();
}

const row = (page, plate) => page.getByTestId('entries').locator(`tr[data-plate="${plate}"]`);

function csv(rows, { header = true } = {}) {
  return Buffer.from([header ? 'plate,state,reason_code,note' : null, ...rows].filter((l) => l !== null).join('\n') + '\n');
}

async function upload(page, name, buffer) {
  const form = page.getByRole('form', { name: /^Upload plates/ });
  await form.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer });
  await form.getByRole('button', { name: 'Upload file' }).click();
}

test('a list: add a plate, and searching finds it but not another plate', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('alerts');
  await firstSignIn(page, user);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alert lists' }).click();
  await page.getByRole('heading', { name: 'Alert lists', level: 1 }).waitFor();
  await axe(page, 'alert lists, none yet');
  // A list needs a name; the error is beside the field.
  await page.getByRole('button', { name: 'Create list' }).click();
  await page.locator('.error-summary').getByText('A list needs a name').waitFor();
  await newList(page, 'Operation Harbor');
  await page.getByTestId('no-entries').waitFor();

  // The API's errors appear beside their fields.
  const form = page.getByRole('form', { name: /^Add a plate/ });
  await form.getByRole('button', { name: 'Add to list' }).click();
  await form.locator('[data-field="plate"] .field-error').getByText('The plate is required').waitFor();
  await form.locator('[data-field="note"] .field-error').getByText('A note naming the case is required').waitFor();
  await axe(page, 'add-a-plate errors');

  await addPlate(page, 'ALR1001');
  await row(page, 'ALR1001').waitFor();
  const cd = row(page, 'ALR1001').getByTestId('countdown');
  assert.match(await cd.textContent(), /expires in 36[45] days/);
  assert.equal(await cd.evaluate((el) => el.className), 'countdown');
  await addPlate(page, 'ALR1002', { state: 'NJ' });
  await page.getByTestId('list-meta').getByText('2 plates').waitFor();
  assert.match(await row(page, 'ALR1001').textContent(), /criminal-investigation/);
  assert.match(await row(page, 'ALR1001').textContent(), /Only me/);

  const search = page.getByRole('search', { name: 'Search this list' });
  await search.getByLabel('Find a plate on this list').fill('ALR1001');
  await search.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('search-status').getByText('1 entry for ALR1001').waitFor();
  assert.equal(await page.getByTestId('entries').locator('tbody tr').count(), 1);
  await row(page, 'ALR1001').waitFor();

  await search.getByLabel('Find a plate on this list').fill('ZZZ9999');
  await search.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('no-match').getByText('ZZZ9999 is not on this list.').waitFor();
  assert.equal(await page.getByTestId('entries').count(), 0);
  // A partial or wildcard plate is not a plate: the error is beside the field.
  await search.getByLabel('Find a plate on this list').fill('ALR*');
  await search.getByRole('button', { name: 'Search' }).click();
  await search.locator('.field-error').waitFor();
  await page.getByRole('button', { name: 'Show all plates' }).click();
  await row(page, 'ALR1002').waitFor();
  await axe(page, 'alert list with entries');
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await screenshot(page, 'desktop-10-alert-list');
  await page.done();
});

test('a CSV upload with a bad row 17 adds nothing and names the row and field; a good one adds 20', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('alerts');
  await firstSignIn(page, user);
  await newList(page, 'Bulk plates');
  const rows = Array.from({ length: 20 }, (_, i) => `CSV${String(i + 1).padStart(4, '0')},PA,criminal-investigation,"${NOTE}"`);
  const bad = [...rows];
  bad[16] = `,PA,criminal-investigation,"${NOTE}"`;
  await upload(page, 'bad.csv', csv(bad));
  const errors = page.getByTestId('row-errors');
  await errors.waitFor();
  const items = await errors.locator('li').allTextContents();
  assert.equal(items.length, 1, items.join('\n'));
  assert.match(items[0], /^Row 17: plate — The plate is required/);
  await page.locator('.error-summary').getByText('Nothing from this file was added').waitFor();
  await axe(page, 'CSV upload errors');
  await page.locator('.error-summary').scrollIntoViewIfNeeded();
  await screenshot(page, 'desktop-11-csv-errors');
  // Nothing from that file was stored.
  await page.reload();
  await page.getByTestId('no-entries').waitFor();
  await page.getByTestId('list-meta').getByText('0 plates').waitFor();

  await upload(page, 'good.csv', csv(rows));
  await page.getByTestId('upload-added').getByText('20 plates from good.csv added to the list.').waitFor();
  await row(page, 'CSV0020').waitFor();
  assert.equal(await page.getByTestId('entries').locator('tbody tr').count(), 20);
  await page.getByTestId('list-meta').getByText('20 plates').waitFor();
  await page.done();
});

test('renewing affirms a continued need after a confirmation, and deleting asks first', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('alerts');
  await firstSignIn(page, user);
  await newList(page, 'Renewals');
  await addPlate(page, 'RNW2001');
  await row(page, 'RNW2001').getByRole('button', { name: 'Affirm continued need' }).click();
  const dialog = page.getByRole('dialog', { name: 'Renew RNW2001 (PA) for another year?' });
  await dialog.getByText('there is a continued operational need').waitFor();
  await axe(page, 'renewal confirmation');
  await screenshot(page, 'desktop-12-renew-confirm');
  // Cancel changes nothing.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row(page, 'RNW2001').getByRole('button', { name: 'Affirm continued need' }).click();
  await page.getByRole('button', { name: 'Affirm and renew' }).click();
  await page.getByRole('status').getByText('RNW2001 (PA) renewed').waitFor();
  assert.match(await row(page, 'RNW2001').getByTestId('countdown').textContent(), /expires in 36[45] days/);

  await row(page, 'RNW2001').getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete RNW2001 (PA) from the list?' });
  await confirm.getByRole('button', { name: 'Delete entry' }).click();
  await page.getByRole('status').getByText('RNW2001 (PA) deleted from the list.').waitFor();
  await page.getByTestId('no-entries').waitFor();
  await page.reload();
  await page.getByTestId('no-entries').waitFor();
  await page.done();
});

test('groups are made of usernames; a colleague adding the same plate for the same reason sees who watches it', async () => {
  const first = await openPage(browser);
  const alice = await newInvestigator('alerts');
  await firstSignIn(first, alice);
  await newList(first, 'Harbor watch');
  await addPlate(first, 'DCF3001');

  const second = await openPage(browser);
  const bob = await newInvestigator('alerts');
  await firstSignIn(second, bob);
  await newList(second, 'Dock team');
  // A group names its members by username; an unknown one is explained.
  await second.locator('summary', { hasText: 'Create a group' }).click();
  const groupForm = second.getByRole('form', { name: 'Create a group' });
  await groupForm.getByLabel('Group name').fill('Dock case team');
  await groupForm.getByLabel('Members').fill(`${alice.username}, nobody.here`);
  await groupForm.getByRole('button', { name: 'Create group' }).click();
  await groupForm.locator('[data-field="members"] .field-error').getByText("'nobody.here' is not a user of your agency").waitFor();
  await groupForm.getByLabel('Members').fill(alice.username);
  await groupForm.getByRole('button', { name: 'Create group' }).click();
  await second.getByRole('status').getByText('Group "Dock case team" created').waitFor();
  const groups = second.getByTestId('groups');
  await groups.getByText('Dock case team').waitFor();
  assert.match(await groups.textContent(), new RegExp(alice.username.replace(/\./g, '\\.')));

  // Bob adds the plate Alice watches, telling the group: he is told it is Alice's.
  const form = second.getByRole('form', { name: /^Add a plate/ });
  await form.getByLabel('Me and a group (case team)').check();
  await form.getByLabel('Group', { exact: true }).selectOption('Dock case team');
  await addPlate(second, 'DCF3001');
  const notice = second.getByTestId('deconfliction');
  await notice.getByText('Someone else is watching this plate').waitFor();
  await notice.getByText(`Investigator ${alice.username} (${alice.username})`).waitFor();
  await notice.getByText('"Harbor watch"').waitFor();
  assert.match(await row(second, 'DCF3001').textContent(), /Group: Dock case team/);
  await axe(second, 'de-confliction notice');
  await second.evaluate(() => window.scrollTo(0, 0));
  await screenshot(second, 'desktop-13-deconfliction');

  // A different reason is no conflict.
  await addPlate(second, 'DCF3002');
  await addPlate(first, 'DCF3002', { reason: 'terrorism' });
  assert.equal(await first.getByTestId('deconfliction').count(), 0);
  // Alice sees Bob's list: it notifies her through the group, but only Bob changes it.
  await first.reload();
  await first.getByRole('heading', { name: 'Shared with you' }).waitFor();
  await first.getByRole('link', { name: /Dock team/ }).click();
  await first.getByRole('heading', { name: 'Dock team', level: 1 }).waitFor();
  await row(first, 'DCF3001').waitFor();
  assert.equal(await first.getByRole('button', { name: /Delete/ }).count(), 0);
  await first.getByText(`This list belongs to ${bob.username}.`).waitFor();
  await first.done();
  await second.done();
});

test('on a phone the list reads as cards and the forms stack', async () => {
  const page = await openPage(browser, phone());
  const user = await newInvestigator('alerts');
  await firstSignIn(page, user);
  await newList(page, 'Patrol');
  await addPlate(page, 'PHN4001', { note: 'Case 2026-201, stolen vehicle report' });
  await addPlate(page, 'PHN4002', { state: 'New Jersey (NJ)' });
  await row(page, 'PHN4002').waitFor();
  await axe(page, 'alert list on a phone');
  await page.getByRole('heading', { name: 'Plates', level: 2 }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -document.getElementById('topbar').offsetHeight - 8));
  await screenshot(page, 'phone-10-alert-list');
  const box = await row(page, 'PHN4001').boundingBox();
  assert.ok(box.width < 400, 'each entry fits the phone screen');
  await page.done();
});
