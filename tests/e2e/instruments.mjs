// The clinic's questionnaire wording in the browser (see instruments.sh):
// the patient page shows the loaded item texts and answer labels, points
// out skipped items (focus on the first), sends on the second press, and a
// page without a loaded wording says so; axe finds no WCAG A/AA violation
// on the patient page; the chart shows the patient's and staff's answers
// of the day, each with its subscales; the admin's Questionnaires page
// lists the loaded wording. Every wait is bounded.
// usage: node instruments.mjs BASE_URL ARTIFACT_DIR FIXTURE_JSON
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { login, logout, apiCall, watchProblems } from './lib/app.mjs';
import { axeViolations } from './lib/axe.mjs';

const [base, outDir, fixture] = process.argv.slice(2);
const w = JSON.parse(fs.readFileSync(fixture, 'utf8'));
const watchdog = setTimeout(() => { console.error('FAIL: did not finish within 200 s'); process.exit(1); }, 200000);
let step = 'start';
function expect(ok, msg) {
  if (!ok) throw new Error(`${step}: ${msg}`);
}

const b = await launch({ viewport: { width: 1280, height: 1000 }, timeout: 15000 });
const page = await b.context.newPage();
const problems = [];
watchProblems(page, base, problems);
const shot = (name) => page.screenshot({ path: path.join(outDir, `instr-${name}.png`), fullPage: true });
let rc = 0;
try {
  step = 'links';
  await login(page, base, 'clinician');
  const links = {};
  for (const instrument of ['WOMAC', 'KOOS']) {
    const r = await apiCall(page, 'POST', '/api/questionnaire-links', { patient_id: 'IP1', course_id: 'IK1', instrument });
    expect(r.status === 201, `link for ${instrument}: ${r.status} ${JSON.stringify(r.data)}`);
    links[instrument] = `${base}${r.data.url}`;
  }
  await logout(page);
  await b.context.clearCookies();

  step = 'KOOS page without wording';
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(links.KOOS);
  await page.locator('#q-missing').waitFor();
  expect((await page.locator('#q-missing').innerText()).includes('Please do not guess'), 'the missing-wording note');
  expect((await page.locator('[data-field="item-1"] legend').innerText()).startsWith('Question 1 (wording not shown'), 'KOOS item 1 says its wording is not shown');

  step = 'WOMAC page with the loaded wording';
  await page.goto(links.WOMAC);
  await page.locator('#q-title', { hasText: 'Iris' }).waitFor();
  expect(await page.locator('#q-missing').count() === 0, 'no missing note when the wording is loaded');
  const legend1 = await page.locator('[data-field="item-1"] legend').innerText();
  expect(legend1 === `1. ${w.items[0].text}`, `item 1 reads "${legend1}"`);
  expect((await page.locator('[data-field="item-24"] legend').innerText()) === `24. ${w.items[23].text}`, 'item 24 text');
  expect(await page.locator('[data-field="item-1"] .choices label').count() === 5, 'five labelled answers');
  expect((await page.locator('[data-field="item-1"] .choices label').nth(4).innerText()) === w.labels[4], 'label of answer 4');
  expect((await page.locator('.q-licence').innerText()) === w.licence, 'the licence line');
  expect((await page.locator('.q-intro').innerText()) === w.intro, 'the intro');
  const v = await axeViolations(page, 'questionnaire with wording (390 px)');
  expect(v.length === 0, `axe: ${JSON.stringify(v.map((x) => x.id))}`);

  step = 'skipped items pointed out';
  for (let k = 1; k <= 24; k++) {
    if (k === 2 || k === 9) continue; // skipped on purpose
    await page.locator(`[data-field="item-${k}"] .choices label`).nth(2).click(); // "Some (test)" = 2
  }
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.locator('#q-error:not([hidden])').waitFor();
  const note = await page.locator('#q-error').innerText();
  expect(note.includes('You have not answered questions 2 and 9'), `the skipped note: ${note}`);
  expect(await page.evaluate(() => document.activeElement && document.activeElement.name) === 'item-2', 'focus on the first skipped question');
  expect((await page.locator('[data-field="item-9"] .field-error').innerText()) === 'Not answered yet.', 'item 9 marked');
  expect(await page.locator('.thanks').count() === 0, 'not sent on the first press');
  await shot('skipped');

  step = 'sent as it is';
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.locator('.thanks').waitFor();

  step = 'chart';
  await page.setViewportSize({ width: 1280, height: 1000 });
  await login(page, base, 'clinician');
  await page.goto(`${base}/#/patient/IP1`);
  const table = page.locator('table', { has: page.locator('caption', { hasText: 'Questionnaires' }) });
  await table.waitFor();
  const rows = table.locator('tbody tr');
  expect(await rows.count() === 2, `two WOMAC rows, got ${await rows.count()}`);
  const texts = await rows.allInnerTexts();
  const pat = texts.find((t) => t.includes('Patient (link)'));
  const staff = texts.find((t) => t.includes('Staff'));
  // Patient: pain 4 answers of 2 (item 2 missing) -> 2 x 5 = 10; stiffness
  // 2 + 2 = 4; function 16 answers of 2 (item 9 missing) -> 2 x 17 = 34;
  // total 48 of 0-96 (WOMAC user guide: one missing pain item and up to
  // three missing function items are replaced by the subscale's mean).
  expect(pat && pat.includes('48 of 0–96 points') && pat.includes('Pain: 10 of 20') && pat.includes('Stiffness: 4 of 8') && pat.includes('Function: 34 of 68'), `patient row: ${pat}`);
  expect(staff && staff.includes('24 of 0–96 points') && staff.includes('Pain: 5 of 20'), `staff row: ${staff}`);
  await rows.filter({ hasText: 'Patient (link)' }).locator('details.answers summary').click();
  const answers = await rows.filter({ hasText: 'Patient (link)' }).locator('details.answers').innerText();
  expect(answers.includes(`${w.items[0].text} — 2 (${w.labels[2]})`) && answers.includes('not answered'), `answers with wording: ${answers.slice(0, 300)}`);
  await shot('chart');
  await logout(page);

  step = 'admin page';
  await login(page, base, 'admin');
  await page.goto(`${base}/#/instruments?clinic=C01`);
  await page.locator('main h1', { hasText: 'Questionnaire wording' }).waitFor();
  const body = await page.locator('main').innerText();
  expect(body.includes('Loaded: version made-up test wording 1, language en'), 'WOMAC listed as loaded');
  expect(body.includes('Not loaded: patients see item numbers only'), 'KOOS listed as not loaded');
  expect(problems.length === 0, `problems: ${problems.join('; ')}`);
  console.log('ok: wording shown, skipped items pointed out, sent; chart shows subscales of both answers');
} catch (e) {
  rc = 1;
  console.error(`FAIL ${e.message}`);
  try { await shot('failure'); } catch (x) { /* ignore */ }
} finally {
  clearTimeout(watchdog);
  await b.close();
}
process.exit(rc);
