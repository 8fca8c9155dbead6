// The results map and the printable report in a browser: every sighting on
// the street map (pins and clusters), the two views, pan and zoom over
// Sightline's own tiles, pins linked to rows, and "Print report" saving the
// PDF of the logged query. Screenshots of the map and the report's first two
// pages go next to the web app's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, phone, newInvestigator, firstSignIn, signIn, fillSeedQuery, axe, screenshot, mapSightings, mapSettled, firstPin, tileZoom } from './support.mjs';

const SHOTS = process.env.SIGHTLINE_SCREENSHOTS || '';
let browser;
let user;
before(async () => {
  browser = await launch();
  user = await newInvestigator('map');
});
after(async () => { await browser.close(); });

async function results(opts) {
  const page = await openPage(browser, opts);
  if (!user.enrolled) {
    await firstSignIn(page, user);
    user.enrolled = true;
  } else {
    await signIn(page, user);
  }
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  await page.getByTestId('read-list').locator('li.read-card').first().waitFor();
  return page;
}

test('every sighting is on the street map; the overview and street views differ; pins and rows are linked', async () => {
  const page = await results();
  const cards = page.getByTestId('read-list').locator('li.read-card');
  const n = await cards.count();
  assert.equal(n, 5);
  assert.equal(await mapSightings(page), n, 'single pins plus cluster counts equal the results');
  // The base map is Sightline's own tiles: real images, and the attribution.
  const tiles = page.getByTestId('results-map').locator('img.leaflet-tile-loaded');
  await tiles.first().waitFor();
  const sizes = await tiles.evaluateAll((imgs) => imgs.map((i) => [new URL(i.src).pathname, i.naturalWidth]));
  assert.ok(sizes.every(([p, w]) => p.startsWith('/tiles/street/') && w === 256), JSON.stringify(sizes.slice(0, 3)));
  assert.match(await page.locator('.leaflet-control-attribution').textContent(), /US Census Bureau via us-atlas/);
  const street = await tileZoom(page);
  const view = (name) => page.getByTestId('results-map').locator('..').getByRole('button', { name });
  assert.equal(await view('Street map').getAttribute('aria-pressed'), 'true');
  await mapSettled(page);
  await screenshot(page, 'desktop-40-map');

  // The regional overview: the same sightings, zoomed out to their region.
  await view('Regional overview').click();
  assert.equal(await view('Regional overview').getAttribute('aria-pressed'), 'true');
  await mapSettled(page);
  await page.waitForFunction((z) => [...document.querySelectorAll('[data-testid=results-map] img.leaflet-tile-loaded')]
    .some((i) => Number(new URL(i.src).pathname.split('/')[3]) < z), street);
  assert.equal(await mapSightings(page), n);
  await screenshot(page, 'desktop-41-map-overview');
  await view('Street map').click();
  await mapSettled(page);

  // Zoom in with the map's own control: more tiles at a deeper zoom.
  await page.getByRole('button', { name: 'Zoom in', exact: true }).click();
  await mapSettled(page);
  await page.waitForFunction((z) => [...document.querySelectorAll('[data-testid=results-map] img.leaflet-tile-loaded')]
    .some((i) => Number(new URL(i.src).pathname.split('/')[3]) > z), street);

  // Clicking a pin highlights its row, and only its row.
  const pin = await firstPin(page);
  const id = await pin.getAttribute('data-read-id');
  await pin.click();
  const selected = page.locator('li.read-card.selected');
  await selected.waitFor();
  assert.equal(await selected.count(), 1);
  assert.equal(await selected.getAttribute('data-read-id'), id);
  assert.equal(await pin.getAttribute('aria-pressed'), 'true');
  // And every row's "show on map" reaches its pin, clustered or not.
  for (let i = 0; i < n; i++) {
    await cards.nth(i).getByRole('button', { name: /show on map/ }).click();
    const want = await cards.nth(i).getAttribute('data-read-id');
    await page.locator(`.map-pin.selected[data-read-id="${want}"]`).waitFor();
    await mapSettled(page);
    assert.equal(await page.locator('.map-pin.selected').count(), 1);
  }
  await axe(page, 'results map');
  await page.done();
});

test('"Print report" saves the PDF of the logged query, with a page per sighting', async () => {
  const page = await results();
  const heading = await page.getByRole('heading', { level: 1 }).textContent();
  assert.match(heading, /ABC123 \(PA\): 5 sightings/);
  const banner = await page.getByTestId('logged-banner').textContent();
  const queryId = banner.match(/query #(\d+)/)[1];
  const saved = page.waitForEvent('download');
  await page.getByTestId('print-report').click();
  const download = await saved;
  assert.equal(download.suggestedFilename(), `sightline-query-${queryId}.pdf`);
  const dir = mkdtempSync(join(tmpdir(), 'sightline-report-'));
  const file = join(dir, 'report.pdf');
  await download.saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 5).toString(), '%PDF-');
  await page.getByText('Report saved. Its download is logged.').waitFor();
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.match(text, /ABC123/);
  assert.match(text, new RegExp(`\\b${queryId}\\b`), 'the audit reference is printed');
  for (const address of ['1400 John F Kennedy Blvd', '900 Spring Garden St', '701 Market St', '3100 Kensington Ave', '1 Turnpike Rd']) {
    assert.ok(text.includes(address), `${address} is in the report`);
  }
  const pages = Number(execFileSync('pdfinfo', [file], { encoding: 'utf8' }).match(/Pages:\s+(\d+)/)[1]);
  assert.ok(pages >= 6, `a summary page and one per sighting (${pages} pages)`);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    for (const p of [1, 2, 3]) {
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', String(p), '-l', String(p), '-singlefile', file, join(SHOTS, `desktop-42-report-page-${p}`)]);
    }
  }
  await page.done();
});

test('on a phone the map sits above the list, fits the screen, and pins still select rows', async () => {
  const page = await results(phone());
  const map = page.getByTestId('results-map');
  const box = await map.boundingBox();
  const width = page.viewportSize().width;
  assert.ok(box.width <= width && box.width > width * 0.8, `map width ${box.width} of ${width}`);
  const list = await page.getByTestId('read-list').boundingBox();
  assert.ok(box.y < list.y, 'the map comes first on a phone');
  assert.equal(await mapSightings(page), 5);
  const pin = await firstPin(page);
  const id = await pin.getAttribute('data-read-id');
  await pin.tap();
  await page.locator(`li.read-card.selected[data-read-id="${id}"]`).waitFor();
  await map.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, -120));
  await mapSettled(page);
  await screenshot(page, 'phone-40-map');
  await page.done();
});
