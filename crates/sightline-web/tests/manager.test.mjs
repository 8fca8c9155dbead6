// The agency manager's console: an access request filed with an uploaded
// scan and approved, training recorded, the new user registering with the
// key from the real SMTP server, and terminated while signed in, so that
// their open session dies on its next click; usage reports with Excel and
// PDF read back; the training export; the seat cap's refusal; contacts and
// a new version of the rules; menus by role, the keyboard and the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, control, newInvestigator, firstSignIn, passwordStep, axe, screenshot, phone } from './support.mjs';

let browser;
let manager;
let seq = 0;
const tmp = mkdtempSync(join(tmpdir(), 'sightline-manager-'));
const PDF = Buffer.from('%PDF-1.4\n% the signed access request form, scanned\n');

async function newUser(prefix, body = {}) {
  seq += 1;
  return control('/users', { username: `${prefix}.${process.pid}.${seq}`, ...body });
}

before(async () => {
  browser = await launch();
  manager = await newUser('mgr', { role: 'agency_manager' });
});
after(async () => { await browser.close(); });

/** The manager signs in (enrolling the first time) and lands on Users. */
async function managerPage(opts) {
  const page = await openPage(browser, opts);
  await passwordStep(page, manager);
  if (!manager.secret) {
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    manager.secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
    const { code } = await control('/totp', { username: manager.username, secret: manager.secret });
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByLabel('I have saved these codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
  } else {
    const { code } = await control('/totp', { username: manager.username });
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL('**/manage/users');
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  return page;
}

async function save(page, click) {
  const saved = page.waitForEvent('download');
  await click();
  const download = await saved;
  const file = join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  return { file, name: download.suggestedFilename() };
}

const xlsxRows = (file) => JSON.parse(execFileSync('python3', ['-c', `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(json.dumps([[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]))
`, file], { encoding: 'utf8' }));

const userRow = (page, username) => page.getByTestId('users').locator(`tr[data-user="${username}"]`);

test('a manager approves a request with an uploaded form, records training, the user registers with the emailed key, and termination kills their session on its next click', async () => {
  const page = await managerPage();
  await axe(page, 'users');
  await screenshot(page, 'desktop-60-users');
  const seatsBefore = await page.getByTestId('seats').textContent();
  const used = Number(/Seats: (\d+) of 10/.exec(seatsBefore)[1]);

  // File the request: the electronic form and the scanned paper form.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests' }).click();
  await page.getByRole('heading', { name: 'Access requests', level: 1 }).waitFor();
  const username = `new.agent.${process.pid}`;
  const email = `${username}@agency.test`;
  // A form with holes is refused field by field.
  await page.getByRole('button', { name: 'File the request' }).click();
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.ok(await summary.getByRole('link').count() >= 4, await summary.textContent());
  await page.getByLabel('Full name').fill('Dana Newcomer');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Role').selectOption('investigator');
  await page.getByLabel('Program').selectOption('HSI');
  await page.getByLabel('Supervisor').fill('SAC Rivera');
  await page.getByLabel('Justification').fill('Joins the vehicle theft task force');
  await page.getByLabel('Scanned form (optional)').setInputFiles({ name: 'access-form.pdf', mimeType: 'application/pdf', buffer: PDF });
  await screenshot(page, 'desktop-61-requests');
  await page.getByRole('button', { name: 'File the request' }).click();
  await page.getByRole('heading', { name: 'Access request: Dana Newcomer' }).waitFor();
  const form = page.getByTestId('request-form');
  for (const text of [username, email, 'HSI', 'SAC Rivera', 'Joins the vehicle theft task force', 'pending']) {
    assert.ok((await form.textContent()).includes(text), `${text} in the form as filed`);
  }
  // The scan opens as it was uploaded.
  const scan = await save(page, () => page.getByRole('button', { name: 'Open the scanned form' }).click());
  assert.match(scan.name, /^access-request-\d+-new\.agent\.\d+\.pdf$/);
  assert.deepEqual(readFileSync(scan.file), PDF);
  await axe(page, 'request');
  await screenshot(page, 'desktop-62-request');

  await page.getByRole('button', { name: 'Approve and email a registration key' }).click();
  const approved = page.getByTestId('approved');
  await approved.waitFor();
  assert.match(await approved.textContent(), new RegExp(`Seats: ${used + 1} of 10 used`));
  assert.ok((await approved.textContent()).includes(email));

  // Training, recorded from the approval's link, with its evidence.
  await approved.getByRole('link', { name: 'Record their training' }).click();
  await page.getByRole('heading', { name: 'Training', level: 1 }).waitFor();
  assert.equal(await page.getByLabel('User').locator('option:checked').textContent(), `Dana Newcomer (${username})`);
  await page.getByLabel('Course').fill('Sightline privacy and rules of behavior 2026');
  await page.getByLabel('Completed on').fill('2026-11-20');
  await page.getByLabel('Evidence').fill('LMS certificate 2026-1142');
  await page.getByRole('button', { name: 'Record training' }).click();
  await page.getByTestId('training-recorded').waitFor();
  await screenshot(page, 'desktop-63-training');

  // The new user registers with the key from the mail the SMTP server got.
  const { mails } = await control('/mail', { to: email, count: 1 });
  const key = mails[0].body.split(/\s+/).find((w) => w.startsWith('reg_'));
  assert.ok(key, mails[0].body);
  const newcomer = await openPage(browser);
  await newcomer.goto('/register');
  await newcomer.getByLabel('Registration key').fill(key);
  const password = 'lantern orbit tuesday 1987';
  await newcomer.getByLabel('Choose a password').fill(password);
  for (const i of [1, 2, 3]) {
    await newcomer.getByLabel(`Security question ${i}`, { exact: true }).selectOption({ index: i });
    await newcomer.getByLabel(`Answer ${i}`, { exact: true }).fill(`answer number ${i}`);
  }
  await newcomer.getByRole('button', { name: 'Register' }).click();
  await newcomer.getByRole('heading', { name: 'You are registered' }).waitFor();
  await firstSignIn(newcomer, { username, password });
  await newcomer.getByRole('heading', { name: 'Plate query' }).waitFor();

  // Back on Users: active, trained, signed in just now.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const row = userRow(page, username);
  await row.waitFor();
  assert.equal(await row.locator('[data-status]').textContent(), 'active');
  assert.match(await row.locator('[data-col=training]').textContent(), /^Until /);
  assert.notEqual(await row.locator('[data-col=last-sign-in]').textContent(), 'Never');

  // Terminate, by keyboard: the request came in on Friday at 09:00 New York time.
  await row.getByRole('button', { name: `Terminate: ${username}` }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Terminate ${username}` });
  await dialog.waitFor();
  await dialog.getByLabel('Requested at (optional)').fill('2026-11-20T09:00');
  await dialog.getByLabel('Reason').focus();
  await page.keyboard.type('Left the task force');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const took = page.getByTestId('termination-time');
  await took.waitFor();
  // The server's clock stands at Saturday 12:00 UTC: Friday 14:00 to 24:00 UTC counts, Saturday does not.
  assert.match(await took.textContent(), /Time taken: 10\.0 business hours of the 24 allowed \(within the limit\)/);
  assert.equal(await userRow(page, username).locator('[data-status]').textContent(), 'terminated');
  await axe(page, 'users after termination');
  await screenshot(page, 'desktop-66-terminated');

  // The terminated user's open session dies on its next click.
  await newcomer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recent' }).click();
  await newcomer.waitForURL('**/signin');
  await newcomer.getByText('Your session has ended').waitFor();
  await passwordStep(newcomer, { username, password });
  await newcomer.locator('.error-summary').waitFor();
  assert.equal(new URL(newcomer.url()).pathname, '/signin');
  await newcomer.done();
  await page.done();
});

test('usage per user and reason code, with Excel and PDF; the training report and its export', async () => {
  const inv = await newInvestigator('use');
  await control('/query', { username: inv.username, plate: 'ABC123', state: 'PA' });
  await control('/query', { username: inv.username, plate: 'XYZ789', state: 'PA', reason_code: 'criminal-investigation' });
  await control('/alert', { username: inv.username, plate: 'LST001', state: 'PA' });
  const page = await managerPage();
  // The screen's default period and quarters follow the browser's clock: the server's.
  const { now } = await control('/clock');
  await page.clock.setSystemTime(new Date(now));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
  await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
  const byUser = page.getByTestId('usage-by_user').locator(`tr[data-key="${inv.username}"]`);
  assert.equal(await byUser.locator('[data-col=searches]').textContent(), '2');
  assert.equal(await byUser.locator('[data-col=alert_entries_added]').textContent(), '1');
  const reason = page.getByTestId('usage-by_reason_code').locator('tr[data-key="criminal-investigation"]');
  assert.ok(Number(await reason.locator('[data-col=searches]').textContent()) >= 2);
  await axe(page, 'usage');
  await screenshot(page, 'desktop-64-usage');
  const xlsx = await save(page, () => page.getByRole('button', { name: 'Excel', exact: true }).click());
  const rows = xlsxRows(xlsx.file);
  const mine = rows.find((r) => r[0] === 'user' && r[1] === inv.username);
  assert.ok(mine, JSON.stringify(rows));
  assert.equal(mine[2], '2');
  assert.equal(mine[6], '1');
  const pdf = await save(page, () => page.getByRole('button', { name: 'PDF', exact: true }).click());
  const text = execFileSync('pdftotext', ['-layout', pdf.file, '-'], { encoding: 'utf8' });
  assert.ok(text.includes('Sightline usage report') && text.includes(inv.username), text);
  // The running quarter's report, as the manager's scope has it.
  const panel = page.getByTestId('quarterly-report');
  await panel.getByLabel('Quarter', { exact: true }).selectOption({ index: 0 });
  const quarterly = await save(page, () => panel.getByRole('button', { name: 'Download PDF' }).click());
  const cover = execFileSync('pdftotext', [quarterly.file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(cover, /Quarterly report .* The quarter is still running/);
  assert.ok(cover.includes(inv.username), "the investigator's searches are counted");

  // The training report: an active account whose training records are gone
  // holds access without current training, and is named first.
  const lapsed = await newInvestigator('lapsed');
  await control('/training/lapse', { username: lapsed.username });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Training' }).click();
  await page.getByRole('heading', { name: 'Training', level: 1 }).waitFor();
  assert.equal(await page.getByTestId('training-missing').locator(`tr[data-user="${lapsed.username}"]`).count(), 1);
  assert.equal(await page.getByTestId('training-current').locator(`tr[data-user="${inv.username}"]`).count(), 1);
  assert.match(await page.getByTestId('training-summary').textContent(), /1 active user has access without current training/);
  const csv = await save(page, () => page.getByRole('button', { name: 'CSV' }).click());
  const lines = readFileSync(csv.file, 'utf8').split('\n');
  assert.ok(lines.find((l) => l.startsWith(lapsed.username))?.includes('ACCESS WITHOUT CURRENT TRAINING'), lines.join('\n'));
  assert.ok(lines.find((l) => l.startsWith(inv.username))?.endsWith('current'), lines.join('\n'));
  await page.done();
});

test('the seat cap: seats used of the cap, and the refusal when full', async () => {
  const page = await managerPage();
  let used = Number(/Seats: (\d+) of 10/.exec(await page.getByTestId('seats').textContent())[1]);
  // Fill the agency to its cap of 10 with accounts made elsewhere.
  while (used < 10) {
    await newInvestigator('seat');
    used += 1;
  }
  await page.goto('/manage/requests');
  await page.getByRole('heading', { name: 'Access requests', level: 1 }).waitFor();
  assert.match(await page.getByTestId('seats').textContent(), /Seats: 10 of 10 used.*at its cap/);
  await page.getByLabel('Full name').fill('One Too Many');
  await page.getByLabel('Username').fill(`one.too.many.${process.pid}`);
  await page.getByLabel('Work email').fill('too.many@agency.test');
  await page.getByLabel('Role').selectOption('investigator');
  await page.getByLabel('Program').selectOption('HSI');
  await page.getByLabel('Supervisor').fill('SAC Rivera');
  await page.getByLabel('Justification').fill('Task force support');
  await page.getByRole('button', { name: 'File the request' }).click();
  await page.getByRole('button', { name: 'Approve and email a registration key' }).click();
  const refusal = page.locator('.error-summary');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /may hold 10 users and 10 seats are taken.*Accepted: Terminate or disable a user first/);
  await page.done();
});

test('security contacts and a new version of the rules, which the manager affirms at once', async () => {
  const page = await managerPage();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Agency settings', level: 1 }).waitFor();
  await page.getByRole('textbox', { name: 'Security contacts' }).fill('soc@agency.test\nnot-an-address');
  await page.getByRole('button', { name: 'Save contacts' }).click();
  await page.locator('.error-summary').getByText(/Line 2 \(not-an-address\) is not an email address/).waitFor();
  await page.getByRole('textbox', { name: 'Security contacts' }).fill('soc@agency.test\nciso@agency.test');
  await page.getByRole('button', { name: 'Save contacts' }).click();
  await page.getByTestId('contacts-status').getByText('Saved: 2 contacts.').waitFor();
  await axe(page, 'settings');
  await screenshot(page, 'desktop-65-settings');
  assert.match(await page.getByTestId('rules-version').textContent(), /In force: version 1/);
  await page.getByLabel('Version 2').fill('Version two of our rules: query only for an open case, and never share results outside the agency.');
  await page.getByRole('button', { name: 'Publish version 2' }).click();
  await page.getByTestId('confirm-yes').click();
  await page.waitForURL('**/splash');
  await page.getByRole('heading', { name: 'Rules of behavior', level: 1 }).waitFor();
  assert.ok((await page.locator('.rules-text').textContent()).startsWith('Version two of our rules'));
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  await page.goto('/manage/settings');
  await page.getByRole('heading', { name: 'Agency settings', level: 1 }).waitFor();
  assert.match(await page.getByTestId('rules-version').textContent(), /In force: version 2, published/);
  const kept = (await page.getByRole('textbox', { name: 'Security contacts' }).inputValue()).split('\n').sort();
  assert.deepEqual(kept, ['ciso@agency.test', 'soc@agency.test']);
  await page.done();
});

test('a manager of one AOR reads the agency\'s contacts and rules but cannot change them', async () => {
  const local = await newUser('aormgr', { role: 'agency_manager', aor: 'Philadelphia' });
  const page = await openPage(browser);
  await firstSignIn(page, local, { landing: '**/manage/users' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Agency settings', level: 1 }).waitFor();
  await page.getByTestId('contacts-list').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save contacts' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^Publish version/ }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /Publish on the transparency page|Stop publishing/ }).count(), 0);
  assert.ok((await page.getByText('Only an agency-wide manager can change this.').count()) >= 3);
  await axe(page, 'settings of an AOR manager');
  await page.done();
});

test('each role sees its own menu: the console is the manager\'s', async () => {
  const page = await managerPage();
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Users', 'Requests', 'Training', 'Usage', 'Reviews', 'Oversight', 'Settings']);
  await page.goto('/query');
  await page.getByTestId('role-refused').waitFor();
  await page.done();

  const inv = await newInvestigator('nomgr');
  const other = await openPage(browser);
  await firstSignIn(other, inv);
  assert.equal(await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count(), 0);
  for (const path of ['/manage/users', '/manage/requests', '/manage/training', '/manage/usage', '/manage/settings']) {
    await other.goto(path);
    await other.getByTestId('role-refused').waitFor();
  }
  await other.done();
});

test('the manager console on a phone: every screen fits 390 px', async () => {
  const page = await managerPage(phone());
  const fits = async (what) => {
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= width, `${what}: ${scroll} > ${width}`);
  };
  await fits('users');
  await axe(page, 'phone users');
  await screenshot(page, 'phone-60-users');
  for (const [path, heading, name] of [
    ['/manage/requests', 'Access requests', 'phone-61-requests'],
    ['/manage/training', 'Training', 'phone-63-training'],
    ['/manage/usage', 'Usage', 'phone-64-usage'],
    ['/manage/settings', 'Agency settings', 'phone-65-settings'],
  ]) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: heading === 'Access requests' ? 'Requests' : heading === 'Agency settings' ? 'Settings' : heading }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.waitForURL(`**${path}`);
    await fits(heading);
    await axe(page, `phone ${heading}`);
    await screenshot(page, name);
  }
  await page.goto('/manage/requests');
  const first = page.getByTestId('requests').locator('tbody a').first();
  await first.click();
  await page.getByTestId('request-form').waitFor();
  await fits('request');
  await axe(page, 'phone request');
  await screenshot(page, 'phone-62-request');
  await page.done();
});

// Last in this file: starting the contract end closes agency A's searches.
test('settings: publish on the transparency page from its preview; at contract end, the window, both exports and the confirmation', async () => {
  const page = await managerPage();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Agency settings', level: 1 }).waitFor();
  assert.equal(await page.getByTestId('contract-end').count(), 0, 'no contract-end notice before it starts');
  const panel = page.getByTestId('transparency-panel');
  const previewText = await panel.getByTestId('transparency-preview').textContent();
  assert.match(previewText, /Users with access/);
  assert.match(previewText, /Searches per month/);
  await panel.getByRole('button', { name: 'Publish on the transparency page' }).click();
  await panel.getByRole('button', { name: 'Stop publishing' }).waitFor();
  // Signed out, the public page now lists the agency.
  const visitor = await openPage(browser);
  await visitor.goto('/transparency');
  await visitor.locator('[data-agency="Agency A"]').waitFor();
  await visitor.done();
  await panel.getByRole('button', { name: 'Stop publishing' }).click();
  await panel.getByRole('button', { name: 'Publish on the transparency page' }).waitFor();

  // The operator starts the contract end: the notice, the exports, the confirmation.
  const { window_ends_at: ends } = await control('/offboarding/start', {});
  await page.reload();
  const notice = page.getByTestId('contract-end');
  await notice.waitFor();
  assert.equal(await notice.locator('time').first().getAttribute('datetime'), ends);
  const csv = readFileSync((await save(page, () => notice.getByRole('button', { name: 'Alert lists (CSV)' }).click())).file, 'utf8');
  assert.match(csv.split('\n')[0], /^list_id,list_name,owner,entry_id,plate,state/);
  const json = JSON.parse(readFileSync((await save(page, () => notice.getByRole('button', { name: 'Alert lists (JSON)' }).click())).file, 'utf8'));
  assert.ok(Array.isArray(json.lists), 'the JSON export holds the lists');
  await notice.getByRole('button', { name: 'Confirm we have our data' }).click();
  await page.getByTestId('confirm-yes').click();
  await page.getByTestId('contract-confirmed').waitFor();
  assert.equal(await notice.getByRole('button', { name: 'Confirm we have our data' }).count(), 0);
  await axe(page, 'settings at contract end');
  await screenshot(page, 'desktop-67-settings-contract-end');
  await page.done();
});
