// A walk through the demo as its people would do it, in Debian's Chromium:
// an investigator reads the plate from a photo, runs the seed's example query, sees it on the map and
// prints its report; the operator onboards an
// agency, rotates a source's key and checks its own log; the manager files
// and approves an access request with a scanned form, records the
// newcomer's training, and terminates them after they register with the
// key from the demo's mail directory; the auditor finds the investigator's
// query by plate, verifies it in the browser, replays it, reads the
// statistics, downloads the quarterly report, exports PDF and Excel and
// verifies both offline with `sightline audit verify`. No curl, no test hooks: only the
// screens, the demo's printed accounts, `sightline totp` standing in for an
// authenticator app, and the .eml files `sightline demo` writes.
//
//   target/debug/sightline demo --data-dir DIR --listen 127.0.0.1:8099 &
//   node crates/sightline-web/tools/demo-walkthrough.mjs http://127.0.0.1:8099 DIR OUT
//
// Screenshots of every step go to OUT. Run it once per fresh data
// directory: it enrols each demo account's authenticator. It is a check
// for people (docs/testing.md), not part of the test suite.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const [BASE, DATA, OUT = '/tmp/sightline-walkthrough'] = process.argv.slice(2);
if (!BASE || !DATA) {
  console.error('usage: demo-walkthrough.mjs BASE_URL DATA_DIR [OUT_DIR]');
  process.exit(2);
}
const SIGHTLINE = resolve(process.env.SIGHTLINE_BIN || 'target/debug/sightline');
const PASSWORD = 'demo-sightline-2026';
mkdirSync(OUT, { recursive: true });

const totp = (secret) => execFileSync(SIGHTLINE, ['totp', secret], { encoding: 'utf8' }).trim();
let shot = 0;
async function snap(page, name) {
  shot += 1;
  await page.screenshot({ path: join(OUT, `${String(shot).padStart(2, '0')}-${name}.png`) });
}
function step(text) { console.log(`✔ ${text}`); }

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
async function open(opts = {}) {
  const context = await browser.newContext({ baseURL: BASE, timezoneId: 'America/New_York', locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...opts });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

/** A first sign-in: password, authenticator enrolment, recovery codes, the rules. */
async function enrol(page, username, password = PASSWORD) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
  await page.getByLabel('Six-digit code').fill(totp(secret));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByLabel('I have saved these codes somewhere safe').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'I affirm' }).click();
}

async function download(page, click) {
  const saved = page.waitForEvent('download');
  await click();
  const d = await saved;
  const file = join(OUT, d.suggestedFilename());
  await d.saveAs(file);
  return file;
}

const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

// ---- The investigator: the seed's example query (it is what the auditor finds later).
const inv = await open();
await enrol(inv, 'hsi.jones');
await inv.waitForURL('**/query');
// The plate and state come from a photo of the plate; nothing runs yet.
await inv.getByTestId('ocr-input').setInputFiles(join(DATA, 'sample-photos', 'ABC123-PA.png'));
await inv.getByTestId('ocr-status').waitFor({ timeout: 60000 });
assert.equal(await inv.getByLabel('Plate', { exact: true }).inputValue(), 'ABC123');
assert.equal(await inv.getByLabel('State or jurisdiction').inputValue(), 'Pennsylvania (PA)');
assert.ok(inv.url().endsWith('/query'), 'no query runs by itself');
await snap(inv, 'investigator-ocr');
step(`investigator: read the plate from a photo: ${(await inv.getByTestId('ocr-status').textContent()).trim()}`);
await inv.getByLabel('Reason code').selectOption('criminal-investigation');
await inv.getByLabel('Previous 60 days').check();
await inv.getByLabel('Case reference').fill('Subject name John Doe, case number 12345678');
await inv.getByLabel('For myself').check();
await inv.getByRole('button', { name: 'Run query' }).click();
await inv.waitForURL('**/results');
await inv.locator('li.read-card').first().waitFor();
await snap(inv, 'investigator-results');
const sightings = await inv.locator('li.read-card').count();
step(`investigator: the seed's query shows ${sightings} sightings`);

// Every sighting is on the street map, as a pin or inside a cluster's count.
const map = inv.getByTestId('results-map');
await map.locator('.leaflet-tile-loaded').first().waitFor();
const onMap = await map.evaluate((el) => el.querySelectorAll('.map-pin').length
  + [...el.querySelectorAll('.map-cluster')].reduce((n, c) => n + Number(c.dataset.count), 0));
assert.equal(onMap, sightings, 'pins plus cluster counts equal the sightings');
await snap(inv, 'investigator-map');
step(`investigator: all ${onMap} sightings are on the street map (Sightline's own tiles, no internet)`);

// The printed report: both photos, two maps, address, intersection and GPS for every sighting.
const facts = await inv.locator('li.read-card dl.facts').evaluateAll((dls) => dls.map((dl) => {
  const dd = (name) => [...dl.querySelectorAll('dt')].find((dt) => dt.textContent === name).nextElementSibling;
  return { address: dd('Nearest address').textContent, intersection: dd('Intersection').textContent, gps: dd('GPS').querySelector('.mono').textContent };
}));
const report = await download(inv, () => inv.getByRole('button', { name: 'Print report' }).click());
const text = execFileSync('pdftotext', ['-layout', report, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
for (const [i, f] of facts.entries()) {
  for (const value of [f.address, f.intersection, ...f.gps.split(', ')]) {
    assert.ok(text.includes(value.replace(/\s+/g, ' ')), `the report names "${value}" of sighting ${i + 1}`);
  }
}
const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [report], { encoding: 'utf8' }))[1]);
for (let n = 1; n <= sightings; n += 1) assert.ok(text.includes(`Sighting ${n} of ${sightings}`), `sighting ${n} has its page`);
// pdfimages lists every embedded image: per sighting two photos and two maps, plus the summary map.
const images = execFileSync('pdfimages', ['-list', report], { encoding: 'utf8' }).trim().split('\n').slice(2).length;
assert.ok(images >= 4 * sightings + 1, `${images} images for ${sightings} sightings`);
execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '3', report, join(OUT, 'report-page')]);
step(`investigator: printed the report (${pages} pages, ${images} images): every sighting's photos, two maps, address, intersection and GPS`);

// ---- The operator.
const op = await open();
await enrol(op, 'operator');
await op.waitForURL('**/operator/agencies');
const agency = `Walkthrough County ${Date.now() % 100000}`;
const mgrName = `wt.manager.${Date.now() % 100000}`;
await op.getByLabel('Agency name').fill(agency);
await op.getByLabel('Seat cap').fill('5');
await op.getByLabel('Username').fill(mgrName);
await op.getByLabel('Full name').fill('Walker Manager');
await op.getByLabel('Email').fill(`${mgrName}@walkthrough.invalid`);
await op.getByLabel('Area of responsibility').fill('Headquarters');
await op.getByRole('button', { name: 'Onboard agency' }).click();
await op.getByTestId('onboard-result').getByText(`${agency} is onboarded`).waitFor();
await op.getByTestId('agencies').locator(`tr[data-agency="${agency}"]`).waitFor();
await snap(op, 'operator-onboarded');
step(`operator: onboarded ${agency}; its manager's key went to the mail directory`);
await nav(op, 'Sources');
await op.getByTestId('sources').locator('a').first().click();
await op.getByRole('button', { name: 'Rotate key' }).click();
await op.getByTestId('confirm-yes').click();
const key = (await op.getByTestId('key-result').getByTestId('ingest-key').textContent()).trim();
await snap(op, 'operator-key-rotated');
step(`operator: rotated a source's key (new key ${key.slice(0, 6)}…, shown once)`);
await nav(op, 'Misreads');
await op.getByRole('heading', { name: 'Misread queue', level: 1 }).waitFor();
await snap(op, 'operator-misreads');
await nav(op, 'Log');
await op.getByLabel('Action').fill('admin.agency_created');
await op.getByRole('button', { name: 'Search' }).click();
await op.getByTestId('audit-results').locator('tbody tr').first().waitFor();
await op.getByTestId('audit-results').locator('tbody tr a').first().click();
// The server signs a checkpoint within 10 seconds of an entry; check again until it has.
const verified = async (page) => {
  for (let i = 0; i < 8; i++) {
    const box = page.getByTestId('verify-result');
    await page.waitForFunction(() => document.querySelector('[data-testid=verify-result]')?.dataset.state !== 'checking');
    if (await box.getAttribute('data-state') === 'verified') return;
    await page.waitForTimeout(3000); // the demo's real clock, not a test's
    // The screen may have checked again by itself meanwhile.
    const again = box.getByRole('button', { name: 'Check again' });
    if (await again.count()) await again.click();
  }
  assert.fail('the entry never verified');
};
await verified(op);
await snap(op, 'operator-log-entry-verified');
step('operator: its own log entry verifies in the browser');
await op.goto('/audit');
await op.getByTestId('role-refused').waitFor();
step('operator: the agency audit log is refused by URL');

// ---- The manager.
const mgr = await open();
await enrol(mgr, 'manager');
await mgr.waitForURL('**/manage/users');
await snap(mgr, 'manager-users');
await nav(mgr, 'Requests');
const newcomer = `wt.agent.${Date.now() % 100000}`;
const email = `${newcomer}@demo-agency.invalid`;
await mgr.getByLabel('Full name').fill('Wren Newcomer');
await mgr.getByLabel('Username').fill(newcomer);
await mgr.getByLabel('Work email').fill(email);
await mgr.getByLabel('Role').selectOption('investigator');
await mgr.getByLabel('Program').selectOption('HSI');
await mgr.getByLabel('Supervisor').fill('SAC Rivera');
await mgr.getByLabel('Justification').fill('Joins the vehicle theft task force');
const scan = join(OUT, 'access-form.pdf');
writeFileSync(scan, '%PDF-1.4\n% the signed paper form\n');
await mgr.getByLabel('Scanned form (optional)').setInputFiles(scan);
await mgr.getByRole('button', { name: 'File the request' }).click();
await mgr.getByRole('heading', { name: 'Access request: Wren Newcomer' }).waitFor();
await mgr.getByRole('button', { name: 'Approve and email a registration key' }).click();
await mgr.getByTestId('approved').waitFor();
await snap(mgr, 'manager-approved');
step('manager: filed and approved an access request with its scanned form');
await mgr.getByTestId('approved').getByRole('link', { name: 'Record their training' }).click();
await mgr.getByLabel('Course').fill('Sightline privacy and rules of behavior 2026');
await mgr.getByLabel('Completed on').fill(new Date().toISOString().slice(0, 10));
await mgr.getByLabel('Evidence').fill('LMS certificate 2026-7731');
await mgr.getByRole('button', { name: 'Record training' }).click();
await mgr.getByTestId('training-recorded').waitFor();
step('manager: recorded the newcomer\'s training');

// The registration key, from the demo's mail directory (the outbox sends within seconds).
const maildir = join(DATA, 'mail');
let regKey;
for (let i = 0; i < 30 && !regKey; i++) {
  for (const f of (() => { try { return readdirSync(maildir); } catch { return []; } })().filter((n) => n.endsWith('.eml'))) {
    const text = readFileSync(join(maildir, f), 'utf8');
    if (text.includes(`To: ${email}`)) regKey = text.split(/\s+/).find((w) => w.startsWith('reg_'));
  }
  if (!regKey) await new Promise((r) => setTimeout(r, 1000));
}
assert.ok(regKey, `no registration key for ${email} in ${maildir}`);
const nc = await open();
await nc.goto('/register');
await nc.getByLabel('Registration key').fill(regKey);
const ncPassword = 'lantern orbit tuesday 1987';
await nc.getByLabel('Choose a password').fill(ncPassword);
for (const i of [1, 2, 3]) {
  await nc.getByLabel(`Security question ${i}`, { exact: true }).selectOption({ index: i });
  await nc.getByLabel(`Answer ${i}`, { exact: true }).fill(`answer number ${i}`);
}
await nc.getByRole('button', { name: 'Register' }).click();
await nc.getByRole('heading', { name: 'You are registered' }).waitFor();
await enrol(nc, newcomer, ncPassword);
await nc.waitForURL('**/query');
step('newcomer: registered with the emailed key and signed in');
await nav(mgr, 'Users');
const row = mgr.getByTestId('users').locator(`tr[data-user="${newcomer}"]`);
await row.getByRole('button', { name: `Terminate: ${newcomer}` }).click();
const dialog = mgr.getByRole('dialog', { name: `Terminate ${newcomer}` });
await dialog.getByLabel('Reason').fill('Left the task force');
await dialog.getByRole('button', { name: /Terminate/ }).click();
await mgr.getByTestId('termination-time').waitFor();
await snap(mgr, 'manager-terminated');
step(`manager: terminated the newcomer — ${await mgr.getByTestId('termination-time').textContent()}`);
await nav(nc, 'Recent');
await nc.waitForURL('**/signin');
step('newcomer: their open session ended on the next click');
await nav(mgr, 'Usage');
await mgr.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
await snap(mgr, 'manager-usage');
const usageXlsx = await download(mgr, () => mgr.getByRole('button', { name: 'Excel', exact: true }).click());
step(`manager: usage report exported (${usageXlsx})`);

// ---- The auditor.
const aud = await open();
await enrol(aud, 'auditor');
await aud.waitForURL('**/audit');
await aud.getByLabel('Plate', { exact: true }).fill('ABC123');
await aud.getByLabel('State', { exact: true }).fill('Pennsylvania (PA)');
await aud.getByLabel('Action', { exact: true }).fill('query.run');
await aud.getByRole('button', { name: 'Search' }).click();
const first = aud.getByTestId('audit-results').locator('tbody tr').first();
await first.waitFor();
assert.match(await first.textContent(), /hsi\.jones/);
await snap(aud, 'auditor-search');
await first.getByRole('link').click();
await verified(aud);
await snap(aud, 'auditor-entry-verified');
step('auditor: found hsi.jones\'s query by plate; it verifies in the browser');
await aud.getByTestId('replay-link').click();
await aud.getByText(/replay/i).first().waitFor();
await snap(aud, 'auditor-replay');
step('auditor: replayed the query');
await nav(aud, 'Statistics');
await aud.getByRole('heading', { name: 'Statistics', level: 1 }).waitFor();
await snap(aud, 'auditor-statistics');
const quarterly = await download(aud, () => aud.getByRole('button', { name: 'Download PDF' }).click());
step(`auditor: downloaded the quarterly report (${quarterly})`);
await nav(aud, 'Audit log');
await aud.getByTestId('audit-results').waitFor();
const pdf = await download(aud, () => aud.getByRole('button', { name: 'PDF', exact: true }).click());
const xlsx = await download(aud, () => aud.getByRole('button', { name: 'Excel', exact: true }).click());
step(`auditor: exported the log as PDF and Excel (${pdf}, ${xlsx})`);
// Offline, on the auditor's own computer: the Excel file and the JSON Lines
// the PDF carries verify with the key from "Verify this log", every printed
// value included.
await aud.goto('/audit/verify');
const vkey = (await aud.getByTestId('vkey').textContent()).trim();
const offline = (file) => execFileSync(SIGHTLINE, ['audit', 'verify', file, '--public-key', vkey], { encoding: 'utf8', env: { PATH: process.env.PATH } });
const detached = join(OUT, 'attached');
mkdirSync(detached, { recursive: true });
execFileSync('pdfdetach', ['-saveall', '-o', detached, pdf]);
for (const file of [xlsx, ...readdirSync(detached).map((f) => join(detached, f))]) {
  const said = offline(file);
  assert.match(said, /^verified: \d+ entries/, said);
  step(`auditor: offline, ${file.split('/').pop()} ${said.trim().split('\n')[0].replace(/^verified: /, 'verifies: ')}`);
}

for (const p of [inv, op, mgr, nc, aud]) assert.deepEqual(p.errors, [], 'page errors');
await browser.close();
console.log(`screenshots in ${OUT}`);
