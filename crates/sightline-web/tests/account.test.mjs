// Accounts in the UI, through a real SMTP server (R2.2): registration with
// the key an agency manager's approval mailed, then a forgotten password
// recovered by a security question, a temporary password read from the
// mail, and the forced change at first use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, firstSignIn, control, axe, screenshot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const ANSWERS = [
  ['What was the name of your first school?', 'Lincoln Elementary'],
  ['In what city did your parents meet?', 'Scranton'],
  ['What was your first job?', 'Lifeguard'],
];

test('register with a key, recover a forgotten password, and change the temporary one', async () => {
  const page = await openPage(browser);
  const username = `reg.${process.pid}`;
  const email = `${username}@agency.test`;
  const { registration_key: key } = await control('/registration', { username });

  await page.goto('/signin');
  await page.getByRole('link', { name: 'Register with a key from your manager' }).click();
  await page.waitForURL('**/register');
  await page.getByLabel('Registration key').fill(key);
  await page.getByLabel('Choose a password').fill('short');
  for (let i = 0; i < 3; i++) {
    await page.getByLabel(`Security question ${i + 1}`).selectOption(ANSWERS[i][0]);
    await page.getByLabel(`Answer ${i + 1}`).fill(ANSWERS[i][1]);
  }
  await page.getByRole('button', { name: 'Register' }).click();
  // The password policy's refusal appears beside the password.
  await page.locator('[data-field="password"].has-error').waitFor();
  await axe(page, 'registration with an error');
  await screenshot(page, 'desktop-30-register');
  const password = 'granite harbor violet trumpet';
  await page.getByLabel('Choose a password').fill(password);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { name: 'You are registered' }).waitFor();
  await control('/training', { username });

  const user = { username, password };
  await firstSignIn(page, user);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/signin');

  // Forgot the password.
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Answer your security question' }).waitFor();
  const question = await page.locator('form label').first().textContent();
  const answer = ANSWERS.find(([q]) => q === question)[1];
  await page.getByLabel(question).fill(answer);
  await axe(page, 'recovery question');
  await page.getByRole('button', { name: 'Send temporary password' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  const { mails } = await control('/mail', { to: email, count: 2 });
  const body = mails[mails.length - 1].body;
  const temp = body.split('temporary password is:')[1].trim().split(/\s+/)[0];
  assert.ok(temp.length >= 12, body);

  // The temporary password signs in once; the new password is chosen before anything else.
  await page.getByRole('link', { name: 'Go to sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(temp);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Enter your authenticator code' }).waitFor();
  const { code } = await control('/totp', { username });
  await page.getByLabel('Six-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'I affirm' }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByText('You signed in with a temporary password.').waitFor();
  for (const path of ['/query', '/alerts']) {
    await page.goto(path);
    await page.waitForURL('**/password');
  }
  await axe(page, 'forced password change');
  await screenshot(page, 'desktop-31-password-change');
  await page.getByLabel('Temporary password').fill(temp);
  await page.getByLabel('New password', { exact: true }).fill('copper meadow lantern seventy');
  await page.getByLabel('New password again').fill('copper meadow lantern sixty');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('The two new passwords do not match.').first().waitFor();
  await page.getByLabel('New password again').fill('copper meadow lantern seventy');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL('**/query');
  await page.done();
});
