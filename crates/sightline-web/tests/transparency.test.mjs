// The public transparency page, signed out: a hand-counted fixture of
// agency A (13 searches this month, 6 of them finding reads; 11 and 2 by
// reason code; one alert entry; 6 users), published by its agency-wide
// manager. The page shows those aggregates, "fewer than 5" where the
// server withholds a count, the signed checkpoint (which grows once the
// 15-minute cache has passed on the server's clock) and the retention
// table in readable units; and nowhere any plate, name or case text of
// the fixture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, control, axe, screenshot, phone } from './support.mjs';

let browser;
let fixture;
const inv = `tr.${process.pid}`;

before(async () => {
  browser = await launch();
  await control('/users', { username: inv });
  const q = (body) => control('/query', { username: inv, plate: 'ABC123', state: 'PA', ...body });
  for (let i = 0; i < 6; i++) await q({});
  for (let i = 0; i < 5; i++) await q({ plate: 'NOHIT7' });
  for (let i = 0; i < 2; i++) await q({ plate: 'ZZT404', reason_code: 'terrorism', on_behalf_of: 'Special Agent Dana Whitfield' });
  await control('/alert', { username: inv, plate: 'ALR777', state: 'PA' });
  const { tree_size } = await control('/checkpoint', {});
  await control('/transparency/publish', {});
  fixture = { tree_size };
});
after(async () => { await browser.close(); });

const SECRETS = () => ['ABC123', 'NOHIT7', 'ZZT404', 'ALR777', 'John Doe', '12345678', 'Dana Whitfield', 'Fixture list', 'fixture case',
  inv, 'hsi.jones', 'a.manager', 'Investigator '];

async function open(opts) {
  const page = await openPage(browser, opts);
  await page.goto('/transparency');
  await page.getByRole('heading', { name: 'Transparency', level: 1 }).waitFor();
  return page;
}

test('signed out, the page shows agency A\'s aggregates, withheld small counts, its checkpoint and the retention table, and no plate, name or case', async () => {
  const page = await open();
  // Nobody is signed in: no navigation, a sign-in link.
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
  const a = page.locator('[data-agency="Agency A"]');
  await a.waitFor();
  assert.equal(await page.locator('[data-agency="Agency B"]').count(), 0, 'agency B does not publish');
  assert.equal(await a.locator('[data-stat=users_with_access] .stat-value').textContent(), '6');
  assert.equal(await a.locator('[data-stat=active_alert_entries] .stat-value').textContent(), 'fewer than 5');
  const months = a.getByTestId('agency-1-months-table').locator('tbody tr');
  assert.equal(await months.count(), 12);
  const nov = a.locator('tr[data-month="2026-11"]');
  assert.match(await nov.locator('th').textContent(), /Nov 2026 \(so far\)/);
  assert.equal(await nov.locator('[data-col=searches]').textContent(), '13');
  assert.equal(await nov.locator('[data-col=hit_share]').textContent(), '46.2%');
  assert.equal(await a.locator('tr[data-month="2026-10"] [data-col=searches]').textContent(), '0');
  assert.equal(await a.locator('tr[data-reason="criminal-investigation"] td').textContent(), '11');
  assert.equal(await a.locator('tr[data-reason="terrorism"] td').textContent(), 'fewer than 5');
  // The chart draws the same 12 months and says what it shows.
  const chart = a.locator('svg.bar-chart');
  assert.match(await chart.getAttribute('aria-label'), /searches per month, last 12 months\. 13 searches/);
  assert.equal(await chart.locator('rect.series-a').count(), 13, 'a legend swatch and a bar per month');
  // The checkpoint, its note and the key to check it.
  assert.equal(await a.getByTestId('agency-1-tree-size').textContent(), fixture.tree_size.toLocaleString('en-US'));
  const note = await a.getByTestId('agency-1-note').textContent();
  assert.match(note, new RegExp(`^sightline/agency/\\d+\\n${fixture.tree_size}\\n`));
  assert.match(note, /\n— /, 'the note carries its signature line');
  assert.match(await a.getByTestId('agency-1-vkey').textContent(), /^sightline[^+]*\+[0-9a-f]{8}\+/);
  // Retention in readable units.
  const nh = page.getByTestId('retention').locator('tr[data-state="NH"]');
  assert.match(await nh.textContent(), /New Hampshire \(NH\)\s*Allowed\s*3 minutes \(180 seconds\)/);
  assert.match(await page.getByTestId('retention').locator('tr[data-state="AR"]').textContent(), /Not allowed/);
  assert.match(await page.getByTestId('retention').locator('tr[data-state="VA"]').textContent(), /21 days/);
  // Aggregates only.
  const text = await page.locator('body').textContent();
  for (const s of SECRETS()) assert.ok(!text.includes(s), `the page shows no "${s}"`);
  await axe(page, 'transparency');
  await screenshot(page, 'desktop-75-transparency');
  await page.done();
});

test('the page is keyboard-usable, and after the 15-minute refresh the checkpoint has only grown', async () => {
  const page = await open();
  // Tab reaches the table of months and the signed note (scrollable regions).
  const reached = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const what = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.tagName);
    reached.add(what);
  }
  assert.ok(reached.has('Agency A: searches per month, table'), [...reached].join(' | '));
  assert.ok(reached.has('Signed note'), [...reached].join(' | '));
  await page.done();

  await control('/query', { username: inv, plate: 'ABC123', state: 'PA' });
  const { tree_size: later } = await control('/checkpoint', {});
  assert.ok(later > fixture.tree_size);
  // Within 15 minutes the cached figures are served; after them, new ones.
  const again = await open();
  assert.equal(await again.getByTestId('agency-1-tree-size').textContent(), fixture.tree_size.toLocaleString('en-US'));
  await again.done();
  await control('/clock/advance', { seconds: 16 * 60 });
  const fresh = await open();
  assert.equal(await fresh.getByTestId('agency-1-tree-size').textContent(), later.toLocaleString('en-US'));
  assert.equal(await fresh.locator('tr[data-month="2026-11"] [data-col=searches]').textContent(), '14');
  await fresh.done();
});

test('the transparency page on a phone fits 390 px', async () => {
  const page = await open(phone());
  await page.locator('[data-agency="Agency A"]').waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll');
  await axe(page, 'phone transparency');
  await screenshot(page, 'phone-75-transparency');
  await page.done();
});
