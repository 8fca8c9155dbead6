// The web app's security headers as the browser sees them, the service
// worker's cache (the app shell and nothing else), and the recent-queries
// screen, which re-opens a query as a new, logged one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, newInvestigator, firstSignIn, fillSeedQuery, axe, screenshot, BASE } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('every response carries the strict CSP; no inline code is needed', async () => {
  for (const path of ['/', '/query', '/app.js', '/app.css', '/sw.js', '/api/v1/me', '/api/v1/nope', '/healthz']) {
    const resp = await fetch(BASE + path);
    const csp = resp.headers.get('content-security-policy');
    assert.ok(csp, `${path} has a CSP`);
    for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(d), `${path}: ${d}`);
    }
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), path);
    assert.equal(resp.headers.get('x-content-type-options'), 'nosniff');
  }
  // HSTS only where TLS is in play (a proxy says so).
  assert.equal((await fetch(`${BASE}/`)).headers.get('strict-transport-security'), null);
  const tls = await fetch(`${BASE}/`, { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.match(tls.headers.get('strict-transport-security'), /max-age=\d+/);
  // Unknown API paths stay problems, never the app's page.
  const nope = await fetch(`${BASE}/api/v1/nope`);
  assert.equal(nope.status, 404);
  assert.equal(nope.headers.get('content-type'), 'application/problem+json');
  // Assets revalidate by ETag.
  const js = await fetch(`${BASE}/app.js`);
  const again = await fetch(`${BASE}/app.js`, { headers: { 'If-None-Match': js.headers.get('etag') } });
  assert.equal(again.status, 304);
});

test('the browser enforces the CSP: an injected inline script does not run', async () => {
  const page = await openPage(browser);
  await page.goto('/signin');
  await page.getByLabel('Username').waitFor();
  const ran = await page.evaluate(() => new Promise((resolve) => {
    window.__inline = false;
    document.addEventListener('securitypolicyviolation', () => resolve(window.__inline), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.__inline = true';
    document.body.append(s);
    setTimeout(() => resolve(window.__inline), 2000);
  }));
  assert.equal(ran, false, 'inline script blocked');
  assert.equal(page.csp.length, 1, 'the browser reported the violation');
  // This page caused that violation on purpose; clear it for done().
  page.csp.splice(0, page.csp.length);
  page.problems.splice(0, page.problems.length);
  await page.done();
});

test('the service worker caches the app shell only, never API responses or photos', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('sw');
  await firstSignIn(page, user);
  await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated');
  await page.reload(); // now controlled by the worker
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  await page.waitForFunction(() => [...document.querySelectorAll('img[data-photo]')].some((i) => i.complete && i.naturalWidth > 0));
  const cached = await page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
    }
    return out;
  });
  assert.ok(cached.includes('/app.js') && cached.includes('/'), `shell cached: ${cached}`);
  assert.deepEqual(cached.filter((p) => p.startsWith('/api/')), [], 'no API response or photo cached');
  // Photos and API responses tell every cache not to keep them.
  const photo = await page.locator('img[data-photo]').first().getAttribute('src');
  const headers = await page.evaluate(async (u) => Object.fromEntries((await fetch(u)).headers), photo);
  assert.match(headers['cache-control'], /no-store/);
  await page.done();
});

test('the manifest makes the app installable', async () => {
  const resp = await fetch(`${BASE}/manifest.webmanifest`);
  assert.equal(resp.headers.get('content-type'), 'application/manifest+json');
  const m = await resp.json();
  assert.equal(m.scope, '/');
  assert.equal(m.start_url, '/query');
  assert.equal(m.display, 'standalone');
  for (const icon of m.icons) {
    const r = await fetch(BASE + icon.src);
    assert.equal(r.status, 200, icon.src);
    if (icon.type === 'image/png') {
      const bytes = Buffer.from(await r.arrayBuffer());
      assert.equal(bytes.readUInt32BE(16), Number(icon.sizes.split('x')[0]), `${icon.src} is ${icon.sizes}`);
    }
  }
});

test('recent queries show the group\'s queries too, with who ran them (R3.10)', async () => {
  const a = await openPage(browser);
  const b = await openPage(browser);
  const alice = await newInvestigator('grpa');
  const bob = await newInvestigator('grpb');
  await firstSignIn(a, alice);
  await firstSignIn(b, bob);
  // Alice makes a case team with Bob (the alert-group API, from her session).
  const status = await a.evaluate(async (member) => (await fetch('/api/v1/alert-groups', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Doe task force', members: [member] }),
  })).status, bob.username);
  assert.equal(status, 201);
  await fillSeedQuery(b);
  await b.getByRole('button', { name: 'Run query' }).click();
  await b.waitForURL('**/results');
  const id = (await b.getByTestId('logged-banner').textContent()).match(/query #(\d+)/)[1];
  await a.goto('/recent');
  const item = a.locator(`li[data-query-id="${id}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), new RegExp(`by Investigator ${bob.username.replace(/\./g, '\\.')}`));
  // "Only mine" leaves it out.
  await a.getByRole('link', { name: 'Only mine' }).click();
  await a.getByRole('heading', { name: 'Recent queries' }).waitFor();
  assert.equal(await a.locator(`li[data-query-id="${id}"]`).count(), 0);
  await a.done();
  await b.done();
});

test('recent queries re-open as a new, logged query', async () => {
  const page = await openPage(browser);
  const user = await newInvestigator('recent');
  await firstSignIn(page, user);
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  const first = (await page.getByTestId('logged-banner').textContent()).match(/query #(\d+)/)[1];
  await page.getByRole('link', { name: 'Recent' }).click();
  await page.waitForURL('**/recent');
  const item = page.locator(`li[data-query-id="${first}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /ABC123 \(PA\)/);
  assert.match(await item.textContent(), /by you/);
  await axe(page, 'recent queries');
  await screenshot(page, 'desktop-09-recent');
  await item.getByRole('button', { name: /Run again.*ABC123 \(PA\)/ }).click();
  await page.waitForURL('**/query');
  assert.equal(await page.getByLabel('Plate', { exact: true }).inputValue(), 'ABC123');
  assert.equal(await page.getByLabel('Case reference').inputValue(), 'Subject name John Doe, case number 12345678');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  const second = (await page.getByTestId('logged-banner').textContent()).match(/query #(\d+)/)[1];
  assert.ok(Number(second) > Number(first), 'a new audit entry');
  // A reload keeps no results: they lived only in the page.
  await page.reload();
  await page.getByRole('heading', { name: 'No results to show' }).waitFor();
  await page.done();
});

test('an unattended screen locks after 30 minutes without input, taking the results with it', async () => {
  const page = await openPage(browser);
  await page.clock.install();
  const user = await newInvestigator('idle');
  await firstSignIn(page, user);
  await fillSeedQuery(page);
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForURL('**/results');
  await page.locator('li.read-card').first().waitFor();
  // The badge keeps polling in the background; that is not activity.
  await page.clock.fastForward('29:00');
  assert.ok(page.url().endsWith('/results'), 'still open at 29 minutes');
  await page.clock.fastForward('01:30');
  await page.waitForURL('**/signin');
  await page.getByText('Sightline locked after 30 minutes without activity.').waitFor();
  assert.equal(await page.locator('li.read-card').count(), 0);
  await page.goBack();
  await page.waitForURL('**/signin');
  await page.done();
});
