// The auditor console: searching the audit log by plate and state, an
// entry that verifies in the browser (and one whose proof was tampered
// with in transit, which does not), Excel and PDF exports read back with
// openpyxl and pdftotext, statistics against a hand-counted fixture, a
// replay that shows what the query had and is itself logged, the "Verify
// this log" bundle, menus by role, the phone layout and the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, control, newInvestigator, firstSignIn, passwordStep, axe, screenshot, phone } from './support.mjs';

let browser;
let auditor;
let seq = 0;
const tmp = mkdtempSync(join(tmpdir(), 'sightline-audit-'));

/** A fresh user of `role` nobody has signed in as. */
async function newUser(prefix, body = {}) {
  seq += 1;
  return control('/users', { username: `${prefix}.${process.pid}.${seq}`, ...body });
}

before(async () => {
  browser = await launch();
  auditor = await newUser('aud', { role: 'auditor' });
});
after(async () => { await browser.close(); });

/** The auditor signs in (enrolling the first time) and lands on the audit log. */
async function auditorPage(opts) {
  const page = await openPage(browser, opts);
  if (!auditor.secret) {
    await passwordStep(page, auditor);
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    auditor.secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
    const { code } = await control('/totp', { username: auditor.username, secret: auditor.secret });
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByLabel('I have saved these codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
  } else {
    await passwordStep(page, auditor);
    const { code } = await control('/totp', { username: auditor.username });
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL('**/audit');
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  return page;
}

/** Runs a query through the API as `user` at another desk. */
const query = (user, body) => control('/query', { username: user.username, plate: 'ABC123', state: 'PA', ...body });

const xlsxRows = (file) => JSON.parse(execFileSync('python3', ['-c', `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(json.dumps([[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]))
`, file], { encoding: 'utf8' }));

async function save(page, click) {
  const saved = page.waitForEvent('download');
  await click();
  const download = await saved;
  const file = join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  return { file, name: download.suggestedFilename() };
}

test('an auditor searches by plate and state, opens an entry that verifies in the browser, and exports Excel and PDF', async () => {
  const inv = await newUser('fx');
  const hit = await query(inv, {});
  await query(inv, { plate: 'NOHIT1' });
  await query(inv, { plate: 'ABC123', state: 'NJ' });
  const page = await auditorPage();
  await axe(page, 'audit log');
  // The search, by keyboard: type into the fields, Enter submits.
  await page.getByLabel('Plate', { exact: true }).fill('abc123');
  await page.getByLabel('State', { exact: true }).fill('Pennsylvania (PA)');
  await page.getByLabel('Action', { exact: true }).fill('query.run');
  await page.getByLabel('Action', { exact: true }).press('Enter');
  await page.waitForURL(/\/audit\?.*plate=abc123/);
  const rows = page.getByTestId('audit-results').locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1, 'one query of ABC123 in PA (not the NJ one, not NOHIT1)');
  assert.equal(await rows.first().getAttribute('data-seq'), String(hit.query_id));
  assert.match(await rows.first().textContent(), /ABC123 \(PA\).*criminal-investigation/);
  await screenshot(page, 'desktop-50-audit-search');

  // The server signs checkpoints within seconds; here, now.
  await control('/checkpoint', {});
  await rows.first().getByRole('link').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/audit/entries/${hit.query_id}?**`);
  const result = page.getByTestId('verify-result');
  const settled = () => page.waitForFunction(() => ['verified', 'failed', 'pending', 'error'].includes(document.querySelector('[data-testid=verify-result]')?.dataset.state));
  await settled();
  assert.equal(await result.getAttribute('data-state'), 'verified', await result.textContent());
  assert.match(await result.textContent(), /Verified in this browser/);
  for (const check of ['leaf', 'fields', 'signature', 'inclusion']) {
    assert.match(await result.locator(`[data-check=${check}]`).textContent(), /^Passed/, check);
  }
  assert.match(await result.locator('[data-check=fields]').textContent(), /Sealed in the log.*plate/);
  // Every field of the entry is shown, opened.
  const facts = await page.locator('dl[aria-label=Fields]').textContent();
  assert.match(facts, /plate\s*ABC123/);
  assert.match(facts, /case_reference\s*Subject name John Doe, case number 12345678/);
  assert.match(facts, /reason_code\s*criminal-investigation/);
  await axe(page, 'audit entry');
  await screenshot(page, 'desktop-51-audit-entry');

  // A proof altered on its way to the browser does not verify.
  await page.route('**/api/v1/audit/proofs/inclusion**', async (route) => {
    const resp = await route.fetch();
    const body = await resp.json();
    body.proof[0] = body.proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await route.fulfill({ response: resp, json: body });
  });
  await page.reload();
  await settled();
  assert.equal(await result.getAttribute('data-state'), 'failed');
  assert.match(await result.locator('[data-check=inclusion]').textContent(), /^Failed/);
  await page.unroute('**/api/v1/audit/proofs/inclusion**');

  // Export the search. Hold the server's answer to see the progress bar.
  await page.getByRole('link', { name: 'Back to the search' }).click();
  await rows.first().waitFor();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/api/v1/audit/export?format=xlsx**', async (route) => { await held; await route.continue(); });
  const excel = save(page, () => page.getByRole('button', { name: 'Excel' }).click());
  await page.locator('progress.export-progress:not([hidden])').waitFor();
  assert.match(await page.getByTestId('export-status').textContent(), /Preparing/);
  assert.equal(await page.getByRole('button', { name: 'PDF' }).isDisabled(), true, 'one export at a time');
  release();
  const { file: xlsx } = await excel;
  await page.getByTestId('export-status').filter({ hasText: /Saved sightline-audit-.*\.xlsx/ }).waitFor();
  const table = xlsxRows(xlsx);
  const headerAt = table.findIndex((r) => r[0] === 'seq');
  assert.ok(headerAt > 0, 'a header row after the export\'s details');
  const data = table.slice(headerAt + 1).filter((r) => r[0]);
  assert.deepEqual(data.map((r) => r[0]), [String(hit.query_id)], 'the one entry the search found');
  assert.equal(data[0][4], 'query.run');
  assert.equal(data[0][6], 'ABC123');
  assert.equal(data[0][7], 'PA');
  assert.ok(table.some((r) => r[0] === 'Checkpoint' && /tree size \d+, root [0-9a-f]{64}/.test(r[1])), 'the checkpoint it was cut from');

  const { file: pdf } = await save(page, () => page.getByRole('button', { name: 'PDF' }).click());
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(text, /Sightline audit log export/);
  assert.match(text, /ABC123/);
  assert.match(text, /query\.run/);
  assert.doesNotMatch(text, /NOHIT1/);
  assert.match(text, /Page 1 of \d+/);
  await page.done();
});

test('statistics for a time frame match a hand-counted fixture, as charts and tables', async () => {
  // A day of its own, so only this fixture falls in it.
  const { now } = await control('/clock/advance', { seconds: 86_400 });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date(now));
  const a = await newUser('sa');
  const b = await newUser('sb');
  const c = await newUser('sc', { program: 'ERO' });
  // a: a hit and a miss; b: a hit for someone else; c (ERO): a hit.
  await query(a, {});
  await query(a, { plate: 'NOHIT1' });
  await query(b, { on_behalf_of: 'Agent Maria Rivera' });
  await query(c, { reason_code: 'immigration-enforcement', days: 30 });
  // One alert-list hit: a's list entry, then a camera reads the plate.
  await control('/alert', { username: a.username, plate: 'ALRT77', state: 'PA' });
  await control('/reads', { plate: 'ALRT77', state: 'PA' });

  const page = await auditorPage();
  await page.getByRole('link', { name: 'Statistics' }).click();
  await page.getByRole('heading', { name: 'Statistics', level: 1 }).waitFor();
  await page.getByLabel('From', { exact: true }).fill(day);
  await page.getByLabel('To', { exact: true }).fill(day);
  await page.getByRole('button', { name: 'Show statistics' }).click();
  await page.getByRole('heading', { name: `Totals, ${day} to ${day}` }).waitFor();
  const tile = async (k) => (await page.locator(`[data-stat=${k}] .stat-value`).textContent()).trim();
  assert.deepEqual(
    [await tile('searches'), await tile('positive_hits'), await tile('hit_ratio'), await tile('alert_hits')],
    ['4', '3', '75.0%', '1'],
  );
  const row = async (table, key) => {
    const r = page.getByTestId(`stats-${table}`).locator(`tr[data-key="${key}"]`);
    return Promise.all(['searches', 'positive_hits', 'hit_ratio', 'alert_hits'].map(async (col) => (await r.locator(`[data-col=${col}]`).textContent()).trim()));
  };
  assert.deepEqual(await row('by_user', a.username), ['2', '1', '50.0%', '0']);
  assert.deepEqual(await row('by_user', b.username), ['1', '1', '100.0%', '0']);
  assert.deepEqual(await row('by_user', c.username), ['1', '1', '100.0%', '0']);
  assert.deepEqual(await row('by_user', '(system)'), ['0', '0', '–', '1']);
  assert.deepEqual(await row('by_program', 'HSI'), ['3', '2', '66.7%', '0']);
  assert.deepEqual(await row('by_program', 'ERO'), ['1', '1', '100.0%', '0']);
  assert.deepEqual(await row('by_reason_code', 'criminal-investigation'), ['3', '2', '66.7%', '0']);
  assert.deepEqual(await row('by_reason_code', 'immigration-enforcement'), ['1', '1', '100.0%', '0']);
  assert.deepEqual(await row('by_on_behalf_of', 'Agent Maria Rivera'), ['1', '1', '100.0%', '0']);
  assert.equal(await page.getByTestId('stats-by_user').locator('tbody tr').count(), 4);
  // Each breakdown has its chart: one bar per row and series.
  const userChart = page.locator('[data-breakdown=by_user] svg.bar-chart');
  assert.match(await userChart.getAttribute('aria-label'), /By user: bar chart/);
  assert.equal(await userChart.locator('rect:not([y="4"])').count(), 4 * 3);
  assert.ok(await page.locator('svg.bar-chart').count() >= 5);
  await axe(page, 'statistics');
  await screenshot(page, 'desktop-52-audit-statistics');
  await page.done();
});

test('a replay shows exactly the results the query had, is marked as a replay, and is itself in the audit log', async () => {
  const inv = await newUser('rp');
  const original = await query(inv, {});
  assert.ok(original.result_count >= 5, 'the seed\'s sightings');
  // A read of the same plate arrives after the query ran.
  await control('/reads', { plate: 'ABC123', state: 'PA' });
  const rerun = await query(inv, {});
  assert.equal(rerun.result_count, original.result_count + 1, 'a new query sees the new read');

  const page = await auditorPage();
  await page.goto(`/audit/entries/${original.query_id}`);
  await page.getByTestId('replay-link').click();
  await page.waitForURL(`**/audit/replay/${original.query_id}`);
  const banner = page.getByTestId('replay-banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /This is a replay, not a new query/);
  assert.match(await banner.textContent(), new RegExp(`when ${inv.username} ran it`));
  await page.getByRole('heading', { name: `Replay of query #${original.query_id}: ABC123 (PA), ${original.result_count} sightings` }).waitFor();
  const ids = await page.getByTestId('replay-results').locator('tbody tr').evaluateAll((trs) => trs.map((t) => Number(t.dataset.readId)));
  assert.deepEqual(ids.sort((x, y) => x - y), original.results.map((r) => r.read_id).sort((x, y) => x - y));
  await axe(page, 'replay');
  await screenshot(page, 'desktop-53-audit-replay');

  // The replay is in the log, naming the query it replayed.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Action', { exact: true }).fill('audit.replayed');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/action=audit\.replayed/);
  const rows = page.getByTestId('audit-results').locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(`${auditor.username}.*audit\\.replayed.*of entry #${original.query_id}`));
  await page.done();
});

test('"Verify this log" offers the public key, the whole log and the exact verify command', async () => {
  const page = await auditorPage();
  await page.getByRole('link', { name: 'Verify log' }).click();
  await page.getByRole('heading', { name: 'Verify this log', level: 1 }).waitFor();
  const vkey = (await page.getByTestId('vkey').textContent()).trim();
  assert.match(vkey, /^sightline\/agency\/\d+\+[0-9a-f]{8}\+/);
  const cmd = (await page.getByTestId('verify-command').textContent()).trim();
  assert.match(cmd, /^sightline audit verify sightline-audit-log-agency-\d+\.jsonl --public-key sightline-agency-\d+\.vkey$/);
  const key = await save(page, () => page.getByRole('button', { name: 'Save the public key' }).click());
  assert.equal(readFileSync(key.file, 'utf8').trim(), vkey);
  assert.ok(cmd.endsWith(key.name), 'the command names the key file as saved');
  const log = await save(page, () => page.getByRole('button', { name: 'Save the whole log' }).click());
  assert.ok(cmd.includes(log.name), 'the command names the export as saved');
  const lines = readFileSync(log.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].type, 'header');
  assert.equal(lines[0].format, 'sightline-audit-export/1');
  assert.equal(lines[0].vkey, vkey);
  const entries = lines.filter((l) => l.type === 'entry');
  assert.equal(entries.length, lines[0].entries);
  assert.ok(lines.some((l) => l.type === 'checkpoint'));
  // The export is itself recorded, and covered by the export.
  assert.ok(entries.some((e) => /"action":"audit.exported"/.test(e.canonical) && /"whole_log":true/.test(e.canonical)));
  await axe(page, 'verify this log');
  await screenshot(page, 'desktop-54-audit-verify');
  await page.done();
});

test('menus follow the role: an investigator has no auditor menu and is refused its pages; an auditor has no Query menu', async () => {
  const inv = await newInvestigator('noaudit');
  const page = await openPage(browser);
  await firstSignIn(page, inv);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Query' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Statistics' }).count(), 0);
  for (const path of ['/audit', '/audit/statistics', '/audit/verify', '/audit/entries/1', '/audit/replay/1']) {
    const calls = [];
    const onReq = (r) => { if (r.url().includes('/api/v1/audit') || r.url().includes('/api/v1/reports')) calls.push(r.url()); };
    page.on('request', onReq);
    await page.goto(path);
    await page.getByTestId('role-refused').waitFor();
    await page.getByRole('heading', { name: 'Not available to you' }).waitFor();
    assert.match(await page.getByTestId('role-refused').textContent(), /This page is for auditors/);
    page.off('request', onReq);
    assert.deepEqual(calls, [], `${path}: nothing was asked of the audit API`);
  }
  await axe(page, 'refused page');
  // The API refuses too, whatever the page shows.
  assert.equal((await page.request.get('/api/v1/audit/entries')).status(), 403);
  assert.equal((await page.request.get('/api/v1/audit/log-export')).status(), 403);
  await page.done();

  const ap = await auditorPage();
  const anav = ap.getByRole('navigation', { name: 'Main' });
  await anav.getByRole('link', { name: 'Audit log' }).waitFor();
  assert.equal(await anav.getByRole('link', { name: 'Query' }).count(), 0);
  assert.equal(await anav.getByRole('link', { name: 'Recent' }).count(), 0);
  await ap.goto('/query');
  await ap.getByTestId('role-refused').waitFor();
  assert.match(await ap.getByTestId('role-refused').textContent(), /This page is for investigators/);
  await ap.done();
});

test('the auditor console on a phone: search, an entry and statistics fit 390 px', async () => {
  const page = await auditorPage(phone());
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  await page.getByLabel('Plate', { exact: true }).fill('ABC123');
  await page.getByRole('button', { name: 'Search' }).tap();
  await page.waitForURL(/plate=ABC123/);
  const first = page.getByTestId('audit-results').locator('tbody tr').first();
  await first.waitFor();
  assert.ok(await fits(), 'search: no sideways scroll');
  await axe(page, 'phone audit log');
  await screenshot(page, 'phone-50-audit-search');
  await control('/checkpoint', {});
  await first.getByRole('link').tap();
  await page.waitForFunction(() => document.querySelector('[data-testid=verify-result]')?.dataset.state === 'verified');
  assert.ok(await fits(), 'entry: no sideways scroll');
  await axe(page, 'phone audit entry');
  await screenshot(page, 'phone-51-audit-entry');
  await page.getByRole('link', { name: 'Statistics' }).tap();
  const { now } = await control('/clock');
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date(now));
  await page.getByLabel('From', { exact: true }).fill(day);
  await page.getByLabel('To', { exact: true }).fill(day);
  await page.getByRole('button', { name: 'Show statistics' }).tap();
  await page.getByRole('heading', { name: `Totals, ${day} to ${day}` }).waitFor();
  assert.ok(await fits(), 'statistics: no sideways scroll');
  await axe(page, 'phone statistics');
  await screenshot(page, 'phone-52-audit-statistics');
  await page.done();
});

test('the auditor downloads the quarterly report as PDF and Excel from the statistics screen', async () => {
  const { now } = await control('/clock');
  const page = await auditorPage();
  // The console offers quarters by the browser's clock: set it to the server's.
  await page.clock.setSystemTime(new Date(now));
  await page.getByRole('link', { name: 'Statistics' }).click();
  const panel = page.getByTestId('quarterly-report');
  await panel.getByRole('heading', { name: 'Quarterly report' }).waitFor();
  // The last complete quarter is chosen, reckoned in the agency's zone (UTC in this seed).
  const at = new Date(now);
  const running = { year: at.getUTCFullYear(), q: Math.floor(at.getUTCMonth() / 3) + 1 };
  const last = running.q === 1 ? { year: running.year - 1, q: 4 } : { year: running.year, q: running.q - 1 };
  const quarter = `${last.year}Q${last.q}`;
  const select = panel.getByLabel('Quarter', { exact: true });
  assert.equal(await select.inputValue(), quarter);
  assert.match(await panel.textContent(), /your agency's time zone, UTC/);

  const { file: pdf, name } = await save(page, () => panel.getByRole('button', { name: 'Download PDF' }).click());
  assert.equal(name, `sightline-quarterly-agency-a-${quarter}.pdf`);
  await panel.getByTestId('export-status').filter({ hasText: `Saved ${name}` }).waitFor();
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(text, /Quarterly report/);
  assert.ok(text.includes(`Agency A · ${quarter}`), 'the agency and quarter on the cover');
  assert.match(text, /Period start\s+\d{4}-\d{2}-01 00:00:00 UTC/);
  assert.match(text, /Status\s+Complete/);
  assert.match(text, /The signed checkpoint that covers the period/);
  assert.match(text, /sightline audit verify sightline-audit-log-agency-\d+\.jsonl/);
  assert.doesNotMatch(text, /\+00:00:00/);
  assert.doesNotMatch(text, /\d\d:\d\d:\d\d\.\d/, 'times to the second');
  assert.match(text, /Page 1 of \d+/);

  const { file: xlsx } = await save(page, () => panel.getByRole('button', { name: 'Download Excel' }).click());
  const book = JSON.parse(execFileSync('python3', ['-c', `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps({'sheets': wb.sheetnames, 'charts': {ws.title: len(ws._charts) for ws in wb},
  'searches': [r[1] for r in wb['Summary'].iter_rows(values_only=True) if r[0] == 'Searches']}))
`, xlsx], { encoding: 'utf8' }));
  assert.deepEqual(book.sheets.slice(0, 2), ['Summary', 'By month']);
  assert.ok(book.sheets.includes('By user'));
  assert.equal(book.charts['By month'], 1, 'a native Excel chart');
  assert.equal(typeof book.searches[0], 'number', 'typed numbers');

  // The running quarter says so on its cover.
  await select.selectOption(`${running.year}Q${running.q}`);
  const { file: now2 } = await save(page, () => panel.getByRole('button', { name: 'Download PDF' }).click());
  assert.match(execFileSync('pdftotext', [now2, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' '), /The quarter is still running/);
  await axe(page, 'statistics with the quarterly report');
  await screenshot(page, 'desktop-55-audit-quarterly');
  await page.done();
});
