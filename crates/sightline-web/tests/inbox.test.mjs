// The inbox (R4.5, R4.7): a camera reads a plate on your list and the
// header badge counts it; the hit opens a logged query (the investigator
// adds case reference and time frame); seeing it marks it read. Then a
// year on (the server's clock moves), the renewal prompt is answered from
// the inbox. The clock only moves forward and is shared with every other
// test file, so that test comes last.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, phone, newInvestigator, firstSignIn, signIn, control, axe, screenshot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const DAY = 86_400;

async function listWithPlate(page, listName, plate, state = 'Pennsylvania (PA)') {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alert lists' }).click();
  await page.getByLabel('New list').fill(listName);
  await page.getByRole('button', { name: 'Create list' }).click();
  await page.getByRole('heading', { name: listName, level: 1 }).waitFor();
  const form = page.getByRole('form', { name: /^Add a plate/ });
  await form.getByLabel('Plate').fill(plate);
  await form.getByLabel('State or jurisdiction').fill(state);
  await form.getByLabel('Reason code').selectOption('criminal-investigation');
  await form.getByLabel('Note').fill('Case 2026-377, subject Jane Roe');
  await form.getByRole('button', { name: 'Add to list' }).click();
  await page.getByTestId('entry-added').filter({ hasText: plate }).waitFor();
}

const badge = (page) => page.locator('#unread-badge');
const inboxLink = (page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Inbox/ });

test('a hit on a listed plate: badge, inbox details, and a logged query for the plate', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('inbox');
  await firstSignIn(page, user);
  await inboxLink(page).click();
  await page.getByTestId('inbox-empty').waitFor();
  await axe(page, 'empty inbox');
  await listWithPlate(page, 'Roe investigation', 'XYZ1234');
  assert.equal(await badge(page).count(), 0);

  const ingested = await control('/reads', { plate: 'XYZ1234', state: 'PA', place: 1 });
  const readId = ingested.results[0].read_id;
  await page.reload();
  await badge(page).filter({ hasText: /^1$/ }).waitFor();
  await inboxLink(page).click();
  await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
  const hit = page.locator('li[data-kind="hit"]').filter({ hasText: 'XYZ1234' });
  await hit.waitFor();
  assert.match(await hit.getAttribute('class'), /\bunread\b/);
  const text = await hit.textContent();
  assert.match(text, /Roe investigation/);
  assert.match(text, /900 Spring Garden St, Philadelphia/);
  assert.match(text, /Pennsylvania Turnpike toll camera/);
  assert.match(text, /Case 2026-377, subject Jane Roe/);
  await axe(page, 'inbox with a hit');
  await screenshot(page, 'desktop-20-inbox-hit');
  // Seen: marked read, and the badge goes.
  await badge(page).waitFor({ state: 'detached' });

  await hit.getByRole('button', { name: 'Run a logged query for this plate' }).click();
  await page.waitForURL('**/query');
  await page.getByRole('heading', { name: 'Plate query' }).waitFor();
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), 'XYZ1234');
  assert.equal(await page.getByLabel('State or jurisdiction').inputValue(), 'Pennsylvania (PA)');
  assert.equal(await page.getByLabel('Reason code').inputValue(), 'criminal-investigation');
  // The case reference and time frame are the investigator's to give.
  assert.equal(await page.getByLabel('Case reference').inputValue(), '');
  assert.equal(await badge(page).count(), 0);

  await page.reload();
  await page.getByRole('heading', { name: 'Plate query' }).waitFor();
  await inboxLink(page).click();
  await page.getByTestId('inbox-summary').getByText('Everything here has been read.').waitFor();
  assert.doesNotMatch(await page.locator('li[data-kind="hit"]').first().getAttribute('class'), /\bunread\b/);
  assert.equal(await badge(page).count(), 0);
  // The hit email's link (`/reads/{id}`), opened signed out: sign in, and
  // it lands on the same prefilled query form.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/signin');
  await page.goto(`/reads/${readId}`);
  await page.waitForURL('**/signin');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const { code } = await control('/totp', { username: user.username });
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL('**/query');
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), 'XYZ1234');
  await page.done();
});

test('on a phone the inbox is readable and the hit opens the query form', async () => {
  const page = await openPage(browser, phone());
  const user = await newInvestigator('inbox');
  await firstSignIn(page, user);
  await listWithPlate(page, 'Stolen vehicles', 'PHX7701', 'New Jersey (NJ)');
  await control('/reads', { plate: 'PHX7701', state: 'NJ', place: 3 });
  await page.reload();
  await badge(page).filter({ hasText: /^1$/ }).waitFor();
  await inboxLink(page).click();
  const hit = page.locator('li[data-kind="hit"]').filter({ hasText: 'PHX7701' });
  await hit.waitFor();
  await axe(page, 'inbox on a phone');
  await screenshot(page, 'phone-20-inbox-hit');
  await hit.getByRole('button', { name: 'Run a logged query for this plate' }).click();
  await page.waitForURL('**/query');
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), 'PHX7701');
  assert.equal(await page.getByLabel('State or jurisdiction').inputValue(), 'New Jersey (NJ)');
  await page.done();
});

test('a de-confliction notice in the inbox names the colleague who watches the plate', async () => {
  const first = await openPage(browser);
  const alice = await newInvestigator('inbox');
  await firstSignIn(first, alice);
  await listWithPlate(first, 'Warehouse burglaries', 'DEC5001');
  await first.done();

  const page = await openPage(browser);
  const bob = await newInvestigator('inbox');
  await firstSignIn(page, bob);
  await listWithPlate(page, 'Fencing ring', 'DEC5001');
  await page.getByTestId('deconfliction').waitFor();
  await page.reload();
  await badge(page).filter({ hasText: /^1$/ }).waitFor();
  await inboxLink(page).click();
  const notice = page.locator('li[data-kind="deconfliction"]').filter({ hasText: 'DEC5001' });
  const other = notice.getByTestId('other-user');
  await other.waitFor();
  const text = await other.textContent();
  assert.ok(text.includes(`Investigator ${alice.username} (${alice.username})`), text);
  assert.ok(text.includes(`${alice.username}@agency.test`), text);
  assert.match(text, /Warehouse burglaries/);
  await axe(page, 'inbox with a de-confliction notice');
  await screenshot(page, 'desktop-22-inbox-deconfliction');
  await badge(page).waitFor({ state: 'detached' });
  await page.done();
});

// Moves the server's clock 352 days: keep it last.
test('a year on, the renewal prompt is answered from the inbox', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('inbox');
  await firstSignIn(page, user);
  await listWithPlate(page, 'Long running case', 'EXP3520');

  // Day 352 of the entry: past the prompt on day 351, 13 days before expiry.
  await control('/clock/advance', { seconds: 352 * DAY });
  await signIn(page, user);
  await page.reload();
  await badge(page).filter({ hasText: /^1$/ }).waitFor();
  await inboxLink(page).click();
  const prompt = page.locator('li[data-kind="expiry_prompt"]').filter({ hasText: 'EXP3520' });
  await prompt.waitFor();
  assert.match(await prompt.textContent(), /continued operational need/);
  const cd = prompt.getByTestId('countdown');
  assert.match(await cd.textContent(), /expires in 13 days/);
  assert.equal(await cd.evaluate((el) => el.className), 'countdown soon');
  await axe(page, 'inbox with a renewal prompt');
  await screenshot(page, 'desktop-21-inbox-renewal-prompt');

  await prompt.getByRole('button', { name: 'Affirm continued need' }).click();
  const dialog = page.getByRole('dialog', { name: 'Renew EXP3520 (PA) for another year?' });
  await dialog.getByText('Case 2026-377, subject Jane Roe').waitFor();
  await dialog.getByRole('button', { name: 'Affirm and renew' }).click();
  await prompt.getByTestId('renewed').waitFor();
  assert.match(await prompt.getByTestId('countdown').textContent(), /expires in 36[45] days/);
  await badge(page).waitFor({ state: 'detached' });

  // The list agrees.
  await prompt.getByRole('link', { name: 'Long running case' }).click();
  await page.getByRole('heading', { name: 'Long running case', level: 1 }).waitFor();
  const entry = page.getByTestId('entries').locator('tr[data-plate="EXP3520"]');
  assert.match(await entry.getByTestId('countdown').textContent(), /expires in 36[45] days/);
  await page.done();
});
