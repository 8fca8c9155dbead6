// Shared by the browser tests: Chromium from Debian driven by
// playwright-core, the server the Rust harness started, and its control
// server (clock, users, TOTP at the server's time, camera reads).
import { chromium, devices } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

export const BASE = process.env.SIGHTLINE_URL;
const CONTROL = process.env.SIGHTLINE_CONTROL;
const SHOTS = process.env.SIGHTLINE_SCREENSHOTS || '';
if (!BASE || !CONTROL) throw new Error('run these through `cargo test -p sightline-server --test browser` (scripts/test.sh)');

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function control(path, body) {
  const resp = await fetch(CONTROL + path, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(resp.status, 200, `control ${path}`);
  return resp.json();
}

let userSeq = 0;
/** A fresh investigator (HSI program, training current) nobody has signed in as. */
export async function newInvestigator(prefix = 'web') {
  userSeq += 1;
  const username = `${prefix}.${process.pid}.${userSeq}`;
  return control('/users', { username });
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium' });
}

/**
 * A page that records every CSP violation and console error; `done()`
 * asserts there were none. `opts` are Playwright context options.
 */
export async function openPage(browser, opts = {}) {
  const context = await browser.newContext({ baseURL: BASE, timezoneId: 'America/New_York', locale: 'en-US', viewport: { width: 1280, height: 900 }, ...opts });
  const page = await context.newPage();
  const problems = [];
  // Every document the page loads reports its CSP violations here, so a
  // violation before a navigation or reload is not lost.
  const csp = [];
  await context.exposeBinding('__reportCsp', (_source, text) => { csp.push(text); });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile || ''}`));
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (401|403|404|409|410|413|415|422|429|503)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.problems = problems;
  page.csp = csp;
  page.done = async () => {
    assert.deepEqual(csp, [], 'CSP violations reported by the browser');
    assert.deepEqual(problems, [], 'console errors');
    await context.close();
  };
  return page;
}

export const phone = () => ({ ...devices['iPhone 13'], baseURL: BASE, timezoneId: 'America/New_York', locale: 'en-US' });

/** axe-core in the page; fails on any serious or critical violation. */
export async function axe(page, what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe-core on ${what}`);
}

export async function screenshot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

/** Username and password on the sign-in screen. */
export async function passwordStep(page, user) {
  await page.goto('/signin');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** First sign-in: password, TOTP enrolment, recovery codes, rules. */
export async function firstSignIn(page, user, { shots = false, landing = '**/query' } = {}) {
  await page.goto('/');
  await page.waitForURL('**/signin**');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  if (shots) await screenshot(page, 'desktop-02-enrol');
  const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
  const { code } = await control('/totp', { username: user.username, secret });
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  const codes = await page.getByRole('list', { name: 'Recovery codes' }).locator('li').allTextContents();
  await page.getByLabel('I have saved these codes somewhere safe').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Rules of behavior' }).waitFor();
  if (shots) await screenshot(page, 'desktop-03-rules');
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL(landing);
  return { secret, codes };
}

/** A later sign-in: password, a fresh TOTP code, rules. */
export async function signIn(page, user) {
  await passwordStep(page, user);
  await page.getByRole('heading', { name: 'Enter your authenticator code' }).waitFor();
  const { code } = await control('/totp', { username: user.username });
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Rules of behavior' }).waitFor();
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL('**/query');
}

/** Fills the query form with the seed's example query (R3.2). */
export async function fillSeedQuery(page, { plate = 'ABC123', state = 'Pennsylvania (PA)' } = {}) {
  await page.getByLabel('Plate', { exact: true }).fill(plate);
  await page.getByLabel('State or jurisdiction').fill(state);
  await page.getByLabel('Reason code').selectOption('criminal-investigation');
  await page.getByLabel('Previous 60 days').check();
  await page.getByLabel('Case reference').fill('Subject name John Doe, case number 12345678');
  await page.getByLabel('For myself').check();
}

/** Waits until no zoom, pan or cluster animation is running on the results map. */
export async function mapSettled(page) {
  await page.getByTestId('results-map').locator('.map-pin, .map-cluster').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim, .leaflet-pan-anim')
    && [...document.querySelectorAll('[data-testid=results-map] img.leaflet-tile')].every((i) => i.complete));
}

/** Sightings the map shows: single pins plus the counts on clusters. */
export async function mapSightings(page) {
  await mapSettled(page);
  return page.getByTestId('results-map').evaluate((el) => el.querySelectorAll('.map-pin').length
    + [...el.querySelectorAll('.map-cluster')].reduce((n, c) => n + Number(c.dataset.count), 0));
}

// The index among `selector` in the map of the first one inside the map's
// visible frame (the map keeps a margin of markers beyond it), or -1.
function firstInView(map, selector) {
  return map.evaluate((el, sel) => {
    const frame = el.getBoundingClientRect();
    return [...el.querySelectorAll(sel)].findIndex((m) => {
      const b = m.getBoundingClientRect();
      const [x, y] = [b.x + b.width / 2, b.y + b.height / 2];
      return x > frame.left && x < frame.right && y > frame.top && y < frame.bottom;
    });
  }, selector);
}

/** Opens clusters (a click zooms in, or fans out pins at one spot) until a single pin shows. */
export async function firstPin(page) {
  const map = page.getByTestId('results-map');
  for (let i = 0; i < 12; i++) {
    await mapSettled(page);
    const pin = await firstInView(map, '.map-pin');
    if (pin >= 0) return map.locator('.map-pin').nth(pin);
    const cluster = await firstInView(map, '.map-cluster');
    if (cluster < 0) break;
    await map.locator('.map-cluster').nth(cluster).click();
  }
  throw new Error('no single pin in view after opening clusters');
}

/** The zoom of the street tiles the map shows, from their URLs. */
export async function tileZoom(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid=results-map] img.leaflet-tile-loaded'));
  return page.getByTestId('results-map').evaluate((el) => {
    const zs = [...el.querySelectorAll('img.leaflet-tile-loaded')].map((i) => Number(new URL(i.src).pathname.split('/')[3]));
    return Math.max(...zs);
  });
}
