// A clinic's settings in the browser: the administrator (of all clinics)
// opens "Clinic settings" from the menu, finds clinic C01 with ISO dates,
// each format shown with today's date as its example; a zone the system
// does not know is refused next to the time zone field and nothing
// changes; then day.month.year and Europe/Berlin are saved and said so.
// The clinic's clinician then sees the chart's dates as day.month.year;
// the clinician and the nurse have no such menu entry, the page answers
// "Not available", and the server refuses their PATCH with 403; a bad
// format sent straight to the API is refused naming date_format. Then,
// with the clinician still logged in in a second browser, the
// administrator switches to month/day/year: the clinician's next in-app
// navigation (menu, then the patient's link; no reload) shows the chart in
// the new format, and axe-core finds nothing on the chart or the settings
// page. Every wait is bounded.
// usage: node settings.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { axeViolations } from './lib/axe.mjs';
import { harness, watchProblems, show, login, logout, apiCall, seed, isoDay } from './lib/app.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node settings.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const h = harness('settings', 300);
const { log, problems, expect, watchdog } = h;

const b = await launch({ viewport: { width: 1280, height: 900 }, timeout: 15000 });
const page = await b.context.newPage();
let b2 = null; // the second user's browser (its own cookies)
watchProblems(page, base, problems);
const shot = (name) => page.screenshot({ path: path.join(outDir, `settings-${name}.png`), fullPage: true });
const dmy = (iso) => iso.split('-').reverse().join('.');
const settings = async () => (await apiCall(page, 'GET', '/api/settings?clinic=C01')).data;

try {
  h.step = 'a chart to look at';
  await login(page, base, 'clinician');
  const params = await seed(page);
  const start = isoDay(-60); // the seeded courses' start
  expect(await show(page, base, `patient/${params.pid}`) === 'chart', 'no chart');
  expect((await page.locator('article.course dl.facts').first().innerText()).includes(start), 'the chart does not show the ISO start date');
  await logout(page);

  h.step = 'the administrator opens the settings';
  await login(page, base, 'admin');
  await page.locator('#nav a', { hasText: 'Clinic settings' }).click();
  await page.locator('main[data-page="settings"]:not([aria-busy])').waitFor();
  expect(await page.locator('main h2').first().innerText() === 'Clinic C01', `not C01's settings: ${await page.locator('main h2').first().innerText()}`);
  const iso = page.getByRole('radio', { name: /year-month-day/ });
  expect(await iso.isChecked(), 'ISO is not the format in force');
  const today = await page.evaluate(() => { const d = new Date(); const p = (n) => String(n).padStart(2, '0'); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; });
  const [y, m, d] = today.split('-');
  const choices = await page.locator('fieldset[data-field="date_format"] label').allInnerTexts();
  expect(choices.length === 3 && choices[0].includes(today) && choices[1].includes(`${d}.${m}.${y}`) && choices[2].includes(`${m}/${d}/${y}`),
    `the formats are not shown with today's date: ${choices.join(' | ')}`);
  expect(await page.getByLabel('Time zone').inputValue() !== '', 'no time zone shown');
  await shot('01-iso');

  h.step = 'a zone the system does not know';
  await page.getByRole('radio', { name: /day\.month\.year/ }).check();
  await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const tzError = page.locator('[data-field="tz"] .field-error:not(:empty)');
  await tzError.waitFor();
  expect(await page.getByLabel('Time zone').getAttribute('aria-invalid') === 'true', 'the time zone field is not marked invalid');
  expect(await page.evaluate(() => document.activeElement && document.activeElement.name) === 'tz', 'focus is not on the time zone field');
  const before = await settings();
  expect(before.date_format === 'iso' && before.tz !== 'Mars/Olympus_Mons', `a refused save changed the settings: ${JSON.stringify(before)}`);
  await shot('02-bad-zone');

  h.step = 'day.month.year and Europe/Berlin';
  await page.getByLabel('Time zone').fill('Europe/Berlin');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const note = page.locator('main .notice[role="status"]');
  await note.waitFor();
  const said = await note.innerText();
  expect(said.includes(`${d}.${m}.${y}`) && said.includes('Europe/Berlin'), `the success note says: ${said}`);
  const after = await settings();
  expect(after.date_format === 'dmy' && after.tz === 'Europe/Berlin', `saved: ${JSON.stringify(after)}`);
  expect(await page.getByRole('radio', { name: /day\.month\.year/ }).isChecked(), 'the page does not show the saved format');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('main .form-error:not(:empty)', { hasText: 'Nothing to save' }).waitFor();
  await shot('03-saved');

  h.step = 'a bad format straight to the API';
  const bad = await apiCall(page, 'PATCH', '/api/settings', { clinic: 'C01', date_format: 'yyyy.dd.mm' });
  expect(bad.status === 400 && bad.data.error.field === 'date_format', `PATCH a bad format: ${bad.status} ${JSON.stringify(bad.data)}`);
  await logout(page);

  h.step = 'the clinic\'s chart in day.month.year';
  await login(page, base, 'clinician');
  expect(await show(page, base, `patient/${params.pid}`) === 'chart', 'no chart');
  const facts = await page.locator('article.course dl.facts').first().innerText();
  expect(facts.includes(dmy(start)) && !facts.includes(start), `the chart shows: ${facts}`);
  await shot('04-chart-dmy');

  for (const role of ['clinician', 'staff']) {
    h.step = `the ${role} neither sees nor reaches the page`;
    if (role !== 'clinician') {
      await logout(page);
      await login(page, base, role);
    }
    expect(await page.locator('#nav a', { hasText: 'Clinic settings' }).count() === 0, 'the menu offers the settings');
    expect(await show(page, base, 'settings') === 'not-available', 'the page opens');
    const r = await apiCall(page, 'PATCH', '/api/settings', { clinic: 'C01', date_format: 'iso', tz: 'UTC' });
    expect(r.status === 403, `PATCH /api/settings: ${r.status}`);
  }
  const last = await settings();
  expect(last.date_format === 'dmy' && last.tz === 'Europe/Berlin', `refused changes changed the settings: ${JSON.stringify(last)}`);
  log('settings: set by the admin, refused to the others');

  h.step = 'the clinician, logged in elsewhere, reads the chart in day.month.year';
  b2 = await launch({ viewport: { width: 1280, height: 900 }, timeout: 15000 });
  const other = await b2.context.newPage();
  watchProblems(other, base, problems);
  await login(other, base, 'clinician');
  expect(await show(other, base, `patient/${params.pid}`) === 'chart', 'no chart for the second user');
  const factsB = other.locator('article.course dl.facts').first();
  expect((await factsB.innerText()).includes(dmy(start)), `the second user's chart shows: ${await factsB.innerText()}`);
  // Set on this document only: a full reload would lose it.
  await other.evaluate(() => { window.sameDocument = 'yes'; });

  h.step = 'the administrator switches to month/day/year';
  await logout(page);
  await login(page, base, 'admin');
  await page.locator('#nav a', { hasText: 'Clinic settings' }).click();
  await page.locator('main[data-page="settings"]:not([aria-busy])').waitFor();
  await page.getByRole('radio', { name: /month\/day\/year/ }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('main .notice[role="status"]').waitFor();
  expect((await settings()).date_format === 'mdy', 'month/day/year was not saved');
  const axeSettings = await axeViolations(page, 'settings after a save');
  expect(axeSettings.length === 0, axeSettings.join('\n'));
  await shot('05-mdy');

  h.step = 'the clinician\'s next navigation shows month/day/year';
  const mdy = (iso) => { const [yy, mm, dd] = iso.split('-'); return `${mm}/${dd}/${yy}`; };
  // the page already shown keeps its text until the next navigation
  expect((await factsB.innerText()).includes(dmy(start)), 'the open page changed by itself');
  await other.locator('#nav a', { hasText: 'Patients' }).click();
  await other.locator('main[data-page="patients"]:not([aria-busy])').waitFor();
  await other.locator(`main a[href="#/patient/${encodeURIComponent(params.pid)}"]`).first().click();
  await other.locator('main[data-page="chart"]:not([aria-busy])').waitFor();
  const factsNow = await factsB.innerText();
  expect(factsNow.includes(mdy(start)) && !factsNow.includes(dmy(start)) && !factsNow.includes(start),
    `after the change, the second user's chart shows: ${factsNow}`);
  expect(await other.evaluate(() => window.sameDocument) === 'yes', 'the page was reloaded');
  const axeChart = await axeViolations(other, 'chart in month/day/year');
  expect(axeChart.length === 0, axeChart.join('\n'));
  await other.screenshot({ path: path.join(outDir, 'settings-06-other-user-mdy.png'), fullPage: true });
  log('settings: a changed format reaches another user on the next navigation');
} catch (e) {
  problems.push(e.message);
  try { await shot('failure'); } catch (e2) { /* keep the first error */ }
} finally {
  if (b2) await b2.close();
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
log('settings: ok');
