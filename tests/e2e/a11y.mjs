// Accessibility of every page of the web app, checked with axe-core
// (WCAG 2.1 A and AA: wcag2a, wcag2aa, wcag21a, wcag21aa) in headless
// Chromium at 1280 px and at 390 px (a phone). Each page of the app's own
// list (web/js/pages.js, the list its router uses) is shown to every role
// that may open it (admin, clinician, staff, researcher) and, for the other
// roles, must answer "Not available"; each form is checked again with its
// error messages showing; then the login page and the patient's
// questionnaire page (empty, with an error, answered, spent), the
// follow-up opt-out page (by keyboard, and its answer). Any
// violation fails the run, naming the page, the width, the rule and the
// element. The server's Content-Security-Policy must stay strict.
// usage: node a11y.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { axeViolations, AXE_VERSION } from './lib/axe.mjs';
import {
  ROLES, watchProblems, show, login, logout, apiCall, seed, appPages, mayOpen, pathFor, userCan,
} from './lib/app.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node a11y.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const WIDTHS = [[1280, 900], [390, 844]];
const watchdog = setTimeout(() => { console.error('FAIL: the accessibility test did not finish within 420 s'); process.exit(1); }, 420000);
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const problems = [];
let checks = 0;

const b = await launch({ viewport: { width: 1280, height: 900 }, timeout: 15000 });
const page = await b.context.newPage();
watchProblems(page, base, problems);

// axe at each width; the page is laid out again, not reloaded.
async function audit(where) {
  for (const [w, hgt] of WIDTHS) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const v = await axeViolations(page, `${where} at ${w} px`);
    problems.push(...v);
    checks += 1;
    // At phone width nothing may push the page sideways: wide tables and
    // charts scroll inside their own region.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > w + 1) problems.push(`${where} at ${w} px: the page is ${wide} px wide and scrolls sideways`);
  }
  await page.setViewportSize({ width: WIDTHS[0][0], height: WIDTHS[0][1] });
}

async function shot(name) {
  await page.screenshot({ path: path.join(outDir, `a11y-${name}.png`), fullPage: true });
}

// The page at 1280 px and at phone width, for people to look at.
async function shots(name) {
  await shot(name);
  await page.setViewportSize({ width: WIDTHS[1][0], height: WIDTHS[1][1] });
  await shot(`${name}-390`);
  await page.setViewportSize({ width: WIDTHS[0][0], height: WIDTHS[0][1] });
}

try {
  log(`axe-core ${AXE_VERSION}`);
  const first = await page.goto(`${base}/`);
  const csp = first.headers()['content-security-policy'] || '';
  if (!/script-src 'self'(;|$)/.test(csp) || /unsafe-(inline|eval)/.test(csp)) {
    problems.push(`the Content-Security-Policy is not strict: "${csp}"`);
  }
  await page.locator('main[data-page="login"]').waitFor();
  const pages = await appPages(page);
  if (!pages.length || !pages.some((p) => p.name === 'login')) throw new Error('could not read the app\'s pages');
  log(`the app lists ${pages.length} pages: ${pages.map((p) => p.name).join(', ')}`);

  // ---- logged out: the login page, empty and with an error ----
  await audit('login page');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-field="username"] .field-error:not(:empty)').waitFor();
  await audit('login page with an error');

  // ---- the data every page is shown with ----
  await login(page, base, 'clinician');
  const params = await seed(page);
  // The same person registered twice, so the merge page is checked with
  // its list of possible duplicates (each with its Pick button).
  const twin = await apiCall(page, 'POST', '/api/patients', {
    patient_id: `${params.pid}-TWIN`, clinic: 'C01', sex: 'male', birth_year: 1955, first_name: 'Alan', last_name: 'Turing', confirm: true,
  });
  if (twin.status !== 201) throw new Error(`could not register the duplicate: ${twin.status} ${JSON.stringify(twin.data)}`);
  log(`shown with patient ${params.pid}, course ${params.cid}`);
  await logout(page);

  const errorStates = new Set();
  const seenBy = new Map(pages.map((p) => [p.name, []]));
  for (const role of ROLES) {
    await login(page, base, role);
    const can = await userCan(page);
    if (!can.length) throw new Error(`GET /api/me lists nothing the ${role} may use`);
    // The menu offers exactly the menu pages the role may open.
    const nav = await page.locator('#nav a').allInnerTexts();
    const want = pages.filter((p) => p.nav && mayOpen(can, p)).map((p) => p.nav);
    if (nav.join('|') !== want.join('|')) problems.push(`${role}: the menu shows ${nav.join(', ')}; the role may open ${want.join(', ')}`);
    for (const p of pages) {
      if (p.name === 'login') continue;
      const where = `${p.name} (#/${p.path}) as ${role}`;
      const shown = await show(page, base, pathFor(p, params));
      if (!mayOpen(can, p)) {
        if (shown !== 'not-available') problems.push(`${where}: a page the role may not open shows "${shown}", not "Not available"`);
        continue;
      }
      if (shown !== p.name) {
        problems.push(`${where}: shows "${shown}" (${await page.locator('main h1').first().innerText().catch(() => '?')})`);
        continue;
      }
      seenBy.get(p.name).push(role);
      if (p.name === 'patient-merge' && await page.locator('main button.pick-duplicate').count() === 0) {
        problems.push(`${where}: the possible duplicate is not listed, so its list was not checked`);
      }
      await audit(where);
      if (role === 'admin' || role === 'clinician') await shots(`${p.name}-${role}`);
      // Each form once more with its error messages showing (not the
      // password form: a wrong current password would end the session).
      const form = page.locator('main form[data-form]');
      if (!errorStates.has(p.name) && p.name !== 'password' && await form.count() === 1) {
        errorStates.add(p.name);
        await form.locator('button[type="submit"]').click();
        await page.waitForFunction(() => {
          const f = document.querySelector('main form[data-form]');
          const done = f && !f.querySelector('button[type="submit"][aria-busy]');
          return done && (document.querySelector('main .field-error:not(:empty), main .form-error:not(:empty), main .link-result .card'));
        }, null, { timeout: 10000 });
        await audit(`${where}, submitted empty`);
      }
    }
    // A page that does not exist.
    if (role === 'clinician') {
      const shown = await show(page, base, 'no-such-page');
      if (shown !== 'not-found') problems.push(`#/no-such-page shows "${shown}"`);
      await audit(`the "Page not found" page as ${role}`);
    }
    await logout(page);
    log(`${role}: pages checked`);
  }
  for (const [name, roles] of seenBy) {
    if (name !== 'login' && roles.length === 0) problems.push(`page ${name}: no role could open it, so it was not checked`);
  }

  // ---- the patient's questionnaire page ----
  await login(page, base, 'clinician');
  const made = await apiCall(page, 'POST', '/api/questionnaire-links', { patient_id: params.pid, course_id: params.cid, instrument: 'NRS' });
  if (made.status >= 300) throw new Error(`could not make a questionnaire link: ${made.status} ${JSON.stringify(made.data)}`);
  await logout(page);
  await b.context.clearCookies();
  const link = new URL(made.data.url, base).href;
  await page.goto(link);
  await page.locator('#q-form:not([hidden])').waitFor();
  await audit('questionnaire page');
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.locator('[data-field="item-1"] .field-error:not(:empty)').waitFor();
  await audit('questionnaire page with an error');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('.scale label', { hasText: /^4$/ }).click();
  await shot('questionnaire-390');
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.locator('.thanks').waitFor();
  await audit('questionnaire page, answered');
  await page.goto(link);
  await page.locator('#q-status', { hasText: /already been used|expired/ }).waitFor();
  await audit('questionnaire page, link spent');
  log('questionnaire page checked');

  // ---- the patient's opt-out page (from a follow-up message), by keyboard ----
  // A token nobody holds: the page is the same, the answer says so.
  await page.goto(`${base}/optout/${'0'.repeat(64)}`);
  await page.locator('#o-send').waitFor();
  await audit('opt-out page');
  await page.setViewportSize({ width: 390, height: 844 });
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'o-send');
  }
  if (!reached) problems.push('opt-out page: the button is not reached by Tab');
  await page.keyboard.press('Enter');
  await page.locator('#o-status', { hasText: /not valid/ }).waitFor();
  await shot('optout-390');
  await audit('opt-out page, unknown link');
  log('opt-out page checked');
} catch (e) {
  problems.push(`stopped: ${e.message}`);
  try { await shot('failure'); } catch (e2) { /* keep the first error */ }
} finally {
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  console.error(`${problems.length} problem(s) in ${checks} axe checks`);
  process.exit(1);
}
log(`accessibility: ${checks} axe checks (WCAG 2.1 A and AA), no violations`);
