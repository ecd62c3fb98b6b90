// Users who come and go, in the browser: an administrator adds two users,
// one of whom is logged in in another browser; the administrator disables
// that user from the user's page (keyboard only, at phone width), and the
// other browser's next step lands on the login page, where the account is
// said to be disabled; the administrator enables it again, resets the
// other user's password and reads the one-time password once; that user
// logs in with it, is held on the password page (the menu offers nothing)
// until a new password is chosen (a common one is refused next to its
// field), and then reaches the app. Every wait is bounded.
// usage: node users.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { harness, watchProblems, show, login, apiCall } from './lib/app.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node users.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const h = harness('users', 240);
const { log, problems, expect, watchdog } = h;

const A = await launch({ viewport: { width: 390, height: 844 }, timeout: 15000 });
const B = await launch({ viewport: { width: 1280, height: 900 }, timeout: 15000 });
const admin = await A.context.newPage();
const other = await B.context.newPage();
watchProblems(admin, base, problems);
watchProblems(other, base, problems);
const stamp = Date.now().toString(36);
const leaver = `leaver-${stamp}`;
const forgetful = `forgetful-${stamp}`;
const first = 'a long first secret';

async function loginAs(page, name, pw) {
  await show(page, base, 'login');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Log in' }).click();
}

// Tabs (at most 80 times) until the focused element has the accessible
// text, then presses Enter: the page is worked by keyboard alone.
async function tabTo(page, text) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const t = await page.evaluate(() => (document.activeElement ? document.activeElement.textContent.trim() : ''));
    if (t === text) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  throw new Error(`${h.step}: "${text}" is not reached by Tab`);
}

try {
  h.step = 'the administrator adds two users';
  await login(admin, base, 'admin');
  for (const name of [leaver, forgetful]) {
    const r = await apiCall(admin, 'POST', '/api/users', { name, role: 'staff', clinic: 'C01', password: first });
    expect(r.status === 201, `POST /api/users ${name}: ${r.status} ${JSON.stringify(r.data)}`);
  }

  h.step = 'the leaver works in another browser';
  await loginAs(other, leaver, first);
  await other.locator('#top:not([hidden])').waitFor();
  expect(await show(other, base, 'patients') === 'patients', 'the leaver cannot open the patients page');

  h.step = 'the administrator disables the leaver (keyboard, 390 px)';
  expect(await show(admin, base, 'users') === 'users', 'no users page');
  const row = admin.locator('main tr', { hasText: leaver });
  expect(await row.locator('td', { hasText: /^1$/ }).count() === 1, `the users page does not show the leaver's open session: ${await row.innerText()}`);
  await row.getByRole('link', { name: leaver }).click();
  await admin.locator('main[data-page="user"]:not([aria-busy])').waitFor();
  expect(await admin.locator('main table', { hasText: '127.0.0.1' }).count() === 1, 'the open session is not listed');
  await admin.screenshot({ path: path.join(outDir, 'users-user-390.png'), fullPage: true });
  await tabTo(admin, 'Disable account');
  await admin.locator('main .notice', { hasText: `${leaver} is disabled` }).waitFor();
  await admin.locator('main dd', { hasText: 'disabled' }).first().waitFor();
  expect(await admin.locator('main', { hasText: 'No open sessions.' }).count() === 1, 'the session is still listed');
  const wide = await admin.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(wide <= 1, `the user page is ${wide} px wider than a phone`);

  h.step = 'the leaver\'s next step ends at the login page';
  await other.locator('#nav a', { hasText: 'Today' }).click();
  await other.locator('main[data-page="login"]').waitFor();
  await loginAs(other, leaver, first);
  await other.locator('[data-field="username"] .field-error', { hasText: 'disabled' }).waitFor();

  h.step = 'the administrator enables the leaver again';
  await admin.getByRole('button', { name: 'Enable account' }).click();
  await admin.locator('main .notice', { hasText: `${leaver} is enabled` }).waitFor();

  h.step = 'the administrator resets the other user\'s password';
  expect(await show(admin, base, `users/${forgetful}`) === 'user', 'no page for the user');
  await admin.getByRole('button', { name: 'Reset password' }).click();
  const note = admin.locator('main .notice', { hasText: 'One-time password' });
  await note.waitFor();
  const otp = ((await note.innerText()).match(/[a-z2-9]{4}(?:-[a-z2-9]{4}){3}/) || [])[0];
  expect(otp, `no one-time password shown: ${await note.innerText()}`);
  await admin.screenshot({ path: path.join(outDir, 'users-reset-390.png'), fullPage: true });
  expect(await show(admin, base, `users/${forgetful}`) === 'user', 'the user page again');
  expect(!(await admin.locator('main').innerText()).includes(otp), 'the one-time password is shown a second time');
  expect((await admin.locator('main').innerText()).includes('must change password'), 'the page does not say the password must change');

  h.step = 'the user logs in with the one-time password';
  await loginAs(other, forgetful, otp);
  await other.locator('main[data-page="password"]:not([aria-busy])').waitFor();
  expect(await other.locator('main h1').innerText() === 'Choose a new password', 'not the forced password page');
  expect(await other.locator('#nav a').count() === 0, 'the menu offers pages before the password is changed');
  expect(await show(other, base, 'patients') === 'password', 'another page opens before the password is changed');
  await other.getByLabel('One-time password').fill(otp);
  await other.locator('main [name="new_password"]').fill('Password2024!');
  await other.getByLabel('New password again').fill('Password2024!');
  await other.getByRole('button', { name: 'Change password' }).click();
  await other.locator('[data-field="new_password"] .field-error', { hasText: 'common' }).waitFor();
  await other.locator('main [name="new_password"]').fill('a quiet harbour at dusk');
  await other.getByLabel('New password again').fill('a quiet harbour at dusk');
  await other.getByRole('button', { name: 'Change password' }).click();
  await other.locator('main[data-page="today"]:not([aria-busy])').waitFor();
  expect(await other.locator('#nav a', { hasText: 'Patients' }).count() === 1, 'the menu is not back after the change');
  log('disabled, enabled, reset and changed');
} catch (e) {
  problems.push(e.message);
  try {
    await admin.screenshot({ path: path.join(outDir, 'users-failure-admin.png'), fullPage: true });
    await other.screenshot({ path: path.join(outDir, 'users-failure-other.png'), fullPage: true });
  } catch (e2) { /* keep the first error */ }
} finally {
  await A.close();
  await B.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
log('users: ok');
