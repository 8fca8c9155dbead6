// The operator's console: onboarding an agency with its first manager,
// registering a source and rotating its key (shown once; the old key stops
// working), placing a camera by clicking the map, a state's collection
// policy changed by keyboard, a misread worked with both photos and no
// agency case text, the operator log searched and an entry verified in the
// browser, a contract end from its window to the destruction
// (after the clock moves past the window), refusals in both directions,
// and the phone layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, control, passwordStep, axe, screenshot, phone, BASE } from './support.mjs';

let browser;
const operator = { username: 'operator', password: 'correct-horse-battery-staple' };
const AGENCY = `Agency T ${process.pid}`;
let seq = 0;
const fresh = (prefix) => `${prefix}.${process.pid}.${++seq}`;

before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

/** The operator signs in (enrolling the first time) and lands on Agencies. */
async function operatorPage(opts) {
  const page = await openPage(browser, opts);
  await passwordStep(page, operator);
  if (!operator.secret) {
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    operator.secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
    const { code } = await control('/totp', { username: operator.username, secret: operator.secret });
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByLabel('I have saved these codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
  } else {
    const { code } = await control('/totp', { username: operator.username });
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.waitForURL('**/operator/agencies');
  await page.getByRole('heading', { name: 'Agencies', level: 1 }).waitFor();
  return page;
}

const fieldError = (page, name) => page.locator(`[data-field="${name}"] > .field-error`);

test('the operator onboards an agency with its first manager, by keyboard; errors show beside their fields', async () => {
  const page = await operatorPage();
  await axe(page, 'agencies');
  const nav = await page.getByRole('navigation', { name: 'Main' }).textContent();
  assert.match(nav, /Agencies.*Sources.*Policies.*Misreads/);
  assert.doesNotMatch(nav, /Query|Alert lists|Inbox|Audit log/);
  await screenshot(page, 'desktop-70-agencies');

  // Nothing filled: the server's problem+json, beside each field.
  await page.getByRole('button', { name: 'Onboard agency' }).click();
  await page.locator('.error-summary').waitFor();
  assert.match(await fieldError(page, 'name').textContent(), /needs a name/);
  assert.match(await fieldError(page, 'seat_cap').textContent(), /must be positive.*1-100000/);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('error-summary')), true);

  // By keyboard: type, Tab to the next field, Enter submits.
  const manager = fresh('t.manager');
  await page.getByLabel('Agency name').focus();
  await page.keyboard.type(AGENCY);
  await page.keyboard.press('Tab');
  await page.keyboard.type('3');
  // The time zone its quarterly reports use (the default is the operator's own).
  assert.equal(await page.getByLabel('Time zone').inputValue(), 'America/New_York');
  await page.getByLabel('Time zone').selectOption('America/Chicago');
  await page.getByLabel('Username').focus();
  await page.keyboard.type(manager);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Terry Manager');
  await page.keyboard.press('Tab');
  await page.keyboard.type(`${manager}@agency-t.test`);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Headquarters');
  await page.keyboard.press('Enter');
  await page.getByTestId('onboard-result').getByText(`${AGENCY} is onboarded with 3 seats`).waitFor();
  const row = page.getByTestId('agencies').locator(`tr[data-agency="${AGENCY}"]`);
  await row.waitFor();
  assert.deepEqual(await row.locator('td').allTextContents(), ['1', '3', 'America/Chicago', 'Contract end'], 'one seat in use (the invited manager) of 3, in Chicago');
  // The manager's registration key went out by mail.
  const { mails } = await control('/mail', { to: `${manager}@agency-t.test`, count: 1 });
  assert.match(mails[0].body, /reg_/);

  // The same name again: a conflict on the name field.
  await page.getByLabel('Agency name').fill(AGENCY);
  await page.getByLabel('Seat cap').fill('2');
  await page.getByRole('button', { name: 'Onboard agency' }).click();
  await page.locator('.error-summary').waitFor();
  assert.match(await fieldError(page, 'name').textContent(), /an agency of that name exists/i);
  await axe(page, 'agencies with errors');
  await page.done();
});

test('the operator registers a source, rotates its key (the old key stops working) and places a camera on the map', async () => {
  const page = await operatorPage();
  await page.getByRole('link', { name: 'Sources' }).click();
  await page.getByRole('heading', { name: 'Sources and cameras', level: 1 }).waitFor();
  const name = `Delaware plaza ${process.pid}`;
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Kind').selectOption('toll_road');
  await page.getByLabel('Collects in (state)').fill('Delaware (DE)');
  await page.getByLabel('Place', { exact: true }).fill('Wilmington, Delaware');
  await page.getByRole('button', { name: 'Register source' }).click();
  const first = (await page.getByTestId('ingest-key').textContent()).trim();
  assert.ok(first.length >= 20, first);
  await axe(page, 'sources with a new key');
  await screenshot(page, 'desktop-72-sources');

  const ingest = (key) => fetch(`${BASE}/api/v1/ingest/reads`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: '[]' }).then((r) => r.status);
  assert.equal(await ingest(first), 200, 'the first key works');

  await page.getByRole('link', { name: `Place ${name}'s cameras` }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Rotate key' }).click();
  await page.getByRole('dialog').getByText('every older key stops working').waitFor();
  await page.getByTestId('confirm-yes').click();
  const second = (await page.getByTestId('key-result').getByTestId('ingest-key').textContent()).trim();
  assert.notEqual(second, first);
  assert.equal(await ingest(first), 401, 'the rotated-out key is refused');
  assert.equal(await ingest(second), 200, 'the new key works');

  // The agent's image service, by keyboard: an address with a path is
  // refused beside its field; a good one is saved, its password never shown.
  const agentUrl = page.getByLabel('Image service address');
  await agentUrl.fill('http://10.1.2.3:8355/img');
  await agentUrl.press('Enter');
  await page.locator('.error-summary').waitFor();
  assert.match(await fieldError(page, 'base_url').textContent(), /only a scheme, a host and a port/);
  await agentUrl.fill('http://10.1.2.3');
  await page.getByLabel('User name (optional)').fill('sightline');
  await page.getByLabel('Password (optional)').fill('agent-pass-1');
  await page.getByLabel('Password (optional)').press('Enter');
  await page.getByTestId('agent-url').filter({ hasText: 'http://10.1.2.3:8355' }).waitFor();
  assert.equal(await page.getByLabel('Password (optional)').inputValue(), '');
  assert.doesNotMatch(await page.getByTestId('agent-panel').textContent(), /agent-pass-1/);
  // A heartbeat sent with the source's key shows as its health.
  const hb = {
    data_type: 'heartbeat', agent_uid: 'AGENT-DE-1', agent_hostname: 'plaza-gate', timestamp: Date.now(),
    video_streams: [{ camera_id: 'DE-1', camera_name: 'north lane', is_streaming: true, fps: 12 }],
  };
  const beat = await fetch(`${BASE}/api/v1/ingest/openalpr`, { method: 'POST', headers: { Authorization: `Bearer ${second}`, 'Content-Type': 'application/json' }, body: JSON.stringify(hb) });
  assert.equal(beat.status, 200);
  await page.reload();
  await page.getByTestId('agent-streams').getByText('north lane').waitFor();
  assert.match(await page.getByTestId('agent-health').textContent(), /plaza-gate/);
  await page.getByTestId('agent-panel').scrollIntoViewIfNeeded();
  await axe(page, 'source agent with its health');
  await screenshot(page, 'desktop-77-source-agent');

  // A camera placed by clicking the map; the fields follow the pin.
  const map = page.getByTestId('camera-map');
  await map.locator('img.leaflet-tile-loaded').first().waitFor();
  await page.getByLabel('Camera id').fill('DE-1');
  // The agent panel above pushes the map down: bring it into the viewport.
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.getByTestId('draft-pin').waitFor();
  const lat = Number(await page.getByLabel('Latitude', { exact: true }).inputValue());
  const lon = Number(await page.getByLabel('Longitude', { exact: true }).inputValue());
  assert.ok(lat > 20 && lat < 55 && lon > -130 && lon < -60, `${lat}, ${lon}: a point in the contiguous US`);
  await page.getByLabel('Nearest address').fill('1 Plaza Rd, Wilmington, DE 19801');
  await page.getByLabel('Nearest intersection').fill('Plaza Rd & I-95');
  await page.getByRole('button', { name: 'Save camera' }).click();
  const camRow = page.getByTestId('cameras').locator('tr[data-camera="DE-1"]');
  await camRow.waitFor();
  assert.match(await camRow.textContent(), new RegExp(`${lat}.*${lon}`.replace(/\./g, '\\.')));
  await map.locator('.camera-pin[data-camera="DE-1"]').waitFor();

  // By keyboard: typed coordinates move the pin; a bad latitude is refused beside its field.
  await page.getByLabel('Camera id').fill('DE-2');
  await page.getByLabel('Latitude', { exact: true }).fill('123');
  await page.getByLabel('Longitude', { exact: true }).fill('-75.55');
  await page.getByLabel('Latitude', { exact: true }).press('Enter');
  await page.locator('.error-summary').waitFor();
  assert.match(await fieldError(page, 'lat').textContent(), /latitude.*-90 to 90/);
  await page.getByLabel('Latitude', { exact: true }).fill('39.7391');
  await page.getByLabel('Latitude', { exact: true }).press('Enter');
  await page.getByTestId('cameras').locator('tr[data-camera="DE-2"]').waitFor();
  const cams = await fetch(`${BASE}/api/v1/admin/sources`).then((r) => r.status);
  assert.equal(cams, 401, 'the operator API needs the session');
  await axe(page, 'source and cameras');
  await screenshot(page, 'desktop-73-cameras');
  await page.done();
});

test('a state\'s collection policy is changed by keyboard, in readable units, with the server\'s refusal beside the field', async () => {
  const page = await operatorPage();
  await page.getByRole('link', { name: 'Policies' }).click();
  const nh = page.getByTestId('policies').locator('tr[data-state="NH"]');
  await nh.waitFor();
  assert.match(await nh.textContent(), /New Hampshire \(NH\)\s*Allowed\s*3 minutes \(180 seconds\)/);
  assert.match(await page.getByTestId('policies').locator('tr[data-state="AR"]').textContent(), /Not allowed/);
  assert.match(await page.getByTestId('policies').locator('tr[data-state="PA"]').textContent(), /1,826 days \(5 years\)/);
  await axe(page, 'policies');
  await screenshot(page, 'desktop-74-policies');

  await nh.getByRole('button', { name: 'Change New Hampshire\'s policy' }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'New Hampshire (NH)' });
  await dlg.waitFor();
  assert.equal(await page.getByLabel('Keep reads for').evaluate((el) => el === document.activeElement), true);
  assert.equal(await page.getByLabel('Unit').inputValue(), 'minutes');
  // 30 seconds: under the minute the server accepts.
  await page.getByLabel('Keep reads for').fill('30');
  await page.getByLabel('Unit').selectOption('seconds');
  await page.getByLabel('Keep reads for').press('Enter');
  await dlg.locator('.error-summary').waitFor();
  assert.match(await fieldError(page, 'retention_seconds').textContent(), /at least a minute.*Accepted: 60 to/);
  await axe(page, 'policy dialog with an error');
  await page.getByLabel('Keep reads for').fill('5');
  await page.getByLabel('Unit').selectOption('minutes');
  await page.getByLabel('Keep reads for').press('Enter');
  await page.getByTestId('policy-status').getByText('New Hampshire: reads kept 5 minutes (300 seconds)').waitFor();
  assert.match(await nh.textContent(), /5 minutes \(300 seconds\)/);
  // Focus returns to the row's button.
  assert.equal(await page.evaluate(() => document.activeElement.closest('tr')?.dataset.state), 'NH');
  await page.reload();
  await nh.waitFor();
  assert.match(await nh.textContent(), /5 minutes \(300 seconds\)/, 'saved on the server');
  await page.done();
});

test('the misread queue shows both photos of the read and the reported kind, never the case; the operator confirms it with a note', async () => {
  const inv = await control('/users', { username: fresh('mis') });
  const filed = await control('/misread', { username: inv.username, kind: 'plate_mismatch', photo_plate: 'ABC128', note: 'seen near the informant Rivera' });
  const page = await operatorPage();
  await page.getByRole('link', { name: 'Misreads' }).click();
  const card = page.locator(`[data-report="${filed.report_id}"]`);
  await card.waitFor();
  const text = await card.textContent();
  assert.match(text, /ABC123 \(PA\)/);
  assert.match(text, /Reported: The plate was read wrongly/);
  assert.match(text, /Photo shows, says the reporter\s*ABC128/);
  for (const kind of ['vehicle', 'plate']) {
    const img = card.locator(`img[data-photo=${kind}]`);
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  }
  const whole = await page.locator('main').textContent();
  for (const secret of ['12345678', 'John Doe', 'criminal-investigation', inv.username, 'informant', 'Rivera']) {
    assert.ok(!whole.includes(secret), `the queue shows no ${secret}`);
  }
  await axe(page, 'misread queue');
  await screenshot(page, 'desktop-76-misreads');

  // No finding chosen: refused beside the choice.
  await card.getByRole('button', { name: 'Resolve report' }).click();
  await card.locator('.error-summary').waitFor();
  assert.match(await card.locator('[data-field="outcome"] > .field-error').textContent(), /say whether it was a misread/i);
  await card.getByLabel('It is a misread: take the read out of new query results').check();
  await card.getByLabel('Note to the reporter').fill('The plate crop reads ABC128.');
  await card.getByRole('button', { name: 'Resolve report' }).click();
  await page.getByTestId('misread-status').getByText(`Report ${filed.report_id} resolved: Confirmed misread`).waitFor();
  assert.equal(await card.count(), 0, 'gone from the open queue');
  const { mails } = await control('/mail', { to: `${inv.username}@agency.test`, count: 1 });
  assert.equal(mails[0].subject, 'Your misread report was confirmed');
  assert.match(mails[0].body, /The plate crop reads ABC128\./);
  await page.getByRole('link', { name: 'Show resolved reports too' }).click();
  await card.waitFor();
  assert.match(await card.textContent(), /Outcome\s*Confirmed misread/);
  await page.done();
});

test('the operator log: the operator\'s own actions, searched by action, opened and verified in this browser; no agency search fields', async () => {
  const page = await operatorPage();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log' }).click();
  await page.getByRole('heading', { name: 'Operator log', level: 1 }).waitFor();
  for (const label of ['Plate', 'State', 'Reason code', 'On behalf of']) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 0, `no ${label} field`);
  }
  assert.equal(await page.getByRole('button', { name: /Excel|PDF/ }).count(), 0, 'no agency exports');
  await page.getByLabel('Action').fill('admin.agency_created');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL('**/operator/log?action=admin.agency_created');
  const rows = page.getByTestId('audit-results').locator('tbody tr');
  await rows.first().waitFor();
  assert.match(await page.getByTestId('audit-results').textContent(), /admin\.agency_created/);
  assert.doesNotMatch(await page.getByTestId('audit-results').textContent(), /query\.run|auth\.login/, 'only the action searched for');
  await axe(page, 'operator log');
  await screenshot(page, 'desktop-77-operator-log');

  // The newest: the agency onboarded by the first test. Signed now, then checked here.
  await control('/checkpoint', { log: 'operator' });
  const seq = await rows.first().getAttribute('data-seq');
  await page.getByRole('link', { name: `Entry ${seq}` }).click();
  await page.getByRole('heading', { name: `Audit entry #${seq}`, level: 1 }).waitFor();
  await page.locator('[data-testid=verify-result][data-state=verified]').waitFor();
  assert.match(await page.getByTestId('verify-result').textContent(), /Verified in this browser/);
  assert.match(await page.locator('main').textContent(), new RegExp(AGENCY));
  assert.equal(await page.getByTestId('replay-link').count(), 0);
  await axe(page, 'operator log entry');
  await page.getByRole('link', { name: 'Back to the search' }).click();
  await page.waitForURL('**/operator/log?action=admin.agency_created');
  await page.done();
});

test('the operator and agency pages refuse each other, by direct URL', async () => {
  const page = await operatorPage();
  for (const path of ['/query', '/results', '/recent', '/audit', '/audit/statistics', '/manage/users', '/alerts', '/alerts/1', '/inbox', '/reads/1']) {
    await page.goto(path);
    await page.getByTestId('role-refused').waitFor();
    assert.match(await page.getByTestId('role-refused').textContent(), /Your account cannot open it/, path);
  }
  await axe(page, 'refused page (operator)');
  await page.done();

  const inv = await control('/users', { username: fresh('ref') });
  const ip = await openPage(browser);
  await passwordStep(ip, inv);
  await ip.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  const secret = (await ip.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
  const { code } = await control('/totp', { username: inv.username, secret });
  await ip.getByLabel('Six-digit code').fill(code);
  await ip.getByRole('button', { name: 'Confirm' }).click();
  await ip.getByLabel('I have saved these codes somewhere safe').check();
  await ip.getByRole('button', { name: 'Continue' }).click();
  await ip.getByRole('button', { name: 'I affirm' }).click();
  await ip.waitForURL('**/query');
  assert.doesNotMatch(await ip.getByRole('navigation', { name: 'Main' }).textContent(), /Agencies|Misreads/);
  for (const path of ['/operator/agencies', '/operator/sources', '/operator/policies', '/operator/misreads', '/operator/log', '/operator/log/entries/1']) {
    await ip.goto(path);
    await ip.getByTestId('role-refused').waitFor();
    assert.match(await ip.getByTestId('role-refused').textContent(), /This page is for the operator/, path);
  }
  await ip.done();
});

test('the operator console on a phone: agencies, sources and the misread queue fit 390 px', async () => {
  const page = await operatorPage(phone());
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert.ok(await fits(), 'agencies fit');
  await axe(page, 'phone agencies');
  await screenshot(page, 'phone-70-agencies');
  await page.getByRole('link', { name: 'Sources' }).click();
  await page.getByRole('heading', { name: 'Sources and cameras', level: 1 }).waitFor();
  await page.getByTestId('sources').locator('a').first().click();
  await page.getByTestId('camera-map').locator('img.leaflet-tile-loaded').first().waitFor();
  assert.ok(await fits(), 'a source with its map fits');
  await axe(page, 'phone source');
  await screenshot(page, 'phone-73-cameras');
  await page.getByRole('link', { name: 'Misreads' }).click();
  await page.getByRole('heading', { name: 'Misread queue', level: 1 }).waitFor();
  assert.ok(await fits(), 'the queue fits');
  await axe(page, 'phone misreads');
  await screenshot(page, 'phone-76-misreads');
  await page.done();
});

// Last: it moves the clock past the transfer window, which ends every session.
test('contract end: the window opens, the counts of what will go are shown, and the agency is destroyed by typing its name', async () => {
  let page = await operatorPage();
  await page.getByTestId('agencies').getByRole('link', { name: `Contract end of ${AGENCY}` }).click();
  await page.getByRole('heading', { name: AGENCY, level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Start contract end' }).click();
  await page.getByRole('dialog').getByText('cannot search or add alert entries').waitFor();
  await page.getByTestId('confirm-yes').click();
  await page.getByTestId('offboarding-state').waitFor();
  assert.equal(await page.getByTestId('offboarding-state').getAttribute('data-state'), 'transfer_window');
  const will = page.getByTestId('will-destroy');
  assert.match(await will.locator('tr[data-kind="users"]').textContent(), /users\s*1/, 'the invited manager');
  await axe(page, 'contract end');
  await screenshot(page, 'desktop-71-contract-end');
  // The window is open and the agency has not confirmed: refused.
  await page.getByLabel('Agency name, to confirm').fill(AGENCY);
  await page.getByRole('button', { name: `Destroy ${AGENCY}'s data` }).click();
  await page.locator('.error-summary').getByText(/has until .* to take its data/).waitFor();
  await page.done();

  // 31 days on the server's clock: the window has run out (and the session with it).
  await control('/clock/advance', { seconds: 31 * 86_400 });
  page = await operatorPage();
  await page.getByTestId('agencies').getByRole('link', { name: AGENCY, exact: true }).click();
  await page.getByTestId('offboarding-state').waitFor();
  assert.equal(await page.getByTestId('offboarding-state').getAttribute('data-state'), 'ready_to_destroy');
  await page.getByLabel('Agency name, to confirm').fill('Agency T');
  await page.getByRole('button', { name: `Destroy ${AGENCY}'s data` }).click();
  await page.locator('.error-summary').waitFor();
  assert.match(await fieldError(page, 'confirm_name').textContent(), /type the agency's name exactly/i);
  await page.getByLabel('Agency name, to confirm').fill(AGENCY);
  await page.getByRole('button', { name: `Destroy ${AGENCY}'s data` }).click();
  await page.getByTestId('destroyed').waitFor();
  assert.match(await page.getByTestId('destroyed').textContent(), new RegExp(`${AGENCY} was destroyed`));
  assert.match(await page.getByTestId('destroyed-counts').locator('tr[data-kind="users"]').textContent(), /1/);
  await page.getByRole('link', { name: 'Agencies', exact: true }).click();
  await page.getByTestId('agencies').waitFor();
  assert.equal(await page.getByTestId('agencies').locator(`tr[data-agency="${AGENCY}"]`).count(), 0);
  await page.done();
});
