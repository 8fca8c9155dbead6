// Oversight (issue 16): an agency-wide manager switches on a
// case-reference rule and review sampling in the Oversight screen; an
// investigator's query form shows the rule before submission and refuses
// what breaks it; an auditor and the manager work the review queue in
// their consoles, and a questioned query's notice reaches the
// professional-responsibility contact by mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, control, newInvestigator, firstSignIn, passwordStep, axe, screenshot, fillSeedQuery } from './support.mjs';

let browser;
let seq = 0;

async function newUser(prefix, body = {}) {
  seq += 1;
  return control('/users', { username: `${prefix}.${process.pid}.${seq}`, ...body });
}

before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

/** First sign-in of a console user (manager or auditor), landing on `landing`. */
async function consolePage(user, landing) {
  const page = await openPage(browser);
  await passwordStep(page, user);
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
  const { code } = await control('/totp', { username: user.username, secret });
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByLabel('I have saved these codes somewhere safe').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL(landing);
  return page;
}

const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

test('a manager enables a case-reference rule and sampling, the query form shows and applies it, and reviewers work the queue', async () => {
  // The manager sets the rule and the sample.
  const manager = await newUser('mgr', { role: 'agency_manager' });
  const mp = await consolePage(manager, '**/manage/users');
  // Questioned queries reach the professional-responsibility office.
  const opr = `opr.${process.pid}@agency.test`;
  await nav(mp, 'Settings');
  await mp.getByRole('textbox', { name: 'Security contacts' }).fill(`soc.${process.pid}@agency.test`);
  await mp.getByRole('textbox', { name: 'Professional-responsibility contacts' }).fill(opr);
  await mp.getByRole('button', { name: 'Save contacts' }).click();
  await mp.getByTestId('contacts-status').filter({ hasText: 'Saved' }).waitFor();
  await nav(mp, 'Oversight');
  await mp.getByRole('heading', { name: 'Oversight', level: 1 }).waitFor();
  await mp.getByLabel('Require this case-reference rule').check();
  await mp.getByLabel('Case-number pattern').fill('(HSI');
  await mp.getByLabel('Example shown to users').fill('HSI-2026-000123');
  await mp.getByRole('button', { name: 'Save oversight settings' }).click();
  // The server refuses the pattern, beside its field.
  const summary = mp.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.textContent(), /not a regular expression/);
  await mp.getByLabel('Case-number pattern').fill('^(HSI|ERO)-\\d{4}-\\d{6}$');
  await mp.getByLabel('Minimum length').fill('15');
  await mp.getByLabel('Sample queries for supervisor review').check();
  await mp.getByLabel('Share sampled (%)').fill('100');
  await mp.getByRole('button', { name: 'Save oversight settings' }).click();
  await mp.getByTestId('oversight-status').filter({ hasText: 'Saved' }).waitFor();
  await axe(mp, 'oversight settings');
  await screenshot(mp, 'desktop-68-oversight-settings');

  // The investigator's form shows the rule before anything is sent.
  const inv = await newInvestigator('ovr');
  const page = await openPage(browser);
  await firstSignIn(page, inv);
  const hint = page.getByTestId('case-rule');
  await hint.waitFor();
  assert.match(await hint.textContent(), /HSI-2026-000123/);
  assert.match(await hint.textContent(), /at least 15 characters/);
  await page.getByTestId('sampled-note').waitFor();
  await fillSeedQuery(page);
  const caseBox = page.getByLabel('Case reference');
  const errorOf = async () => {
    await page.locator('.error-summary').waitFor();
    return page.locator('[data-field="case_reference"] .field-error').textContent();
  };
  await caseBox.fill('Investigation');
  await page.getByRole('button', { name: 'Run query' }).click();
  assert.match(await errorOf(), /does not say which case/);
  // The server decides the format: its problem names the example.
  await caseBox.fill('HSI-2026-0001234');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.locator('[data-field="case_reference"] .field-error').filter({ hasText: 'in the form of HSI-2026-000123' }).waitFor();
  await axe(page, 'query form with the case-reference rule');
  await caseBox.fill('HSI-2026-000123');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  await page.done();

  // An auditor works the queue: the query as it was logged.
  const auditor = await newUser('aud', { role: 'auditor' });
  const ap = await consolePage(auditor, '**/audit');
  await nav(ap, 'Reviews');
  await ap.getByRole('heading', { name: 'Reviews', level: 1 }).waitFor();
  const item = ap.getByTestId('review-item').first();
  await item.waitFor();
  assert.equal(await item.getByTestId('review-case').textContent(), 'HSI-2026-000123');
  assert.match(await item.textContent(), /Random sample/);
  assert.match(await item.textContent(), new RegExp(inv.username.replace(/\./g, '\\.')));
  await axe(ap, 'review queue');
  await screenshot(ap, 'desktop-69-reviews');
  // No finding chosen: the form says so.
  await item.getByLabel('Note').fill('Case HSI-2026-000123 is not open in the case system');
  await item.getByRole('button', { name: 'Record review' }).click();
  await item.locator('.error-summary').waitFor();
  await item.getByLabel('Questioned: suspected unauthorized use').check();
  await item.getByRole('button', { name: 'Record review' }).click();
  await ap.getByTestId('review-empty').waitFor();
  // The notice, by the harness's real SMTP server.
  const { mails } = await control('/mail', { to: opr, count: 1 });
  assert.equal(mails.length, 1);
  assert.match(mails[0].subject, /unauthorized_use_suspected/);
  assert.match(mails[0].body, new RegExp(inv.username.replace(/\./g, '\\.')));
  assert.equal(await ap.getByTestId('review-outcomes').locator('dd').nth(2).textContent(), '1');
  await ap.getByRole('link', { name: 'Questioned', exact: true }).click();
  const outcome = ap.getByTestId('review-outcome');
  await outcome.waitFor();
  assert.match(await outcome.textContent(), /Questioned by aud\./);
  assert.match(await outcome.textContent(), /Incident \d+ was opened/);
  await ap.done();

  // The manager's console has the same screen and report.
  await nav(mp, 'Reviews');
  await mp.getByRole('heading', { name: 'Reviews', level: 1 }).waitFor();
  await mp.getByTestId('review-empty').waitFor();
  const coverage = await mp.getByTestId('review-coverage').textContent();
  assert.match(coverage, /100 %/);
  await mp.done();
});
