// The follow-up in headless Chromium (driven by followup.sh, which sent the
// invitation through a real SMTP server): the patient opens every link of
// the received e-mail on a phone-sized screen, answers, and is thanked
// with the date the clinic will next ask; the clinician finds the
// assessments scored on the chart and the 3-month time point answered in
// the follow-up timeline, with the message and its attempt; the front desk
// logs a call from the outbox view in one click (no answer, then reached,
// which takes the patient off the list), snoozes an alert on the morning
// list (it leaves the list and shows again with "Show snoozed"), assigns
// it to a colleague, and sees the drop-outs still to reach. Each of these
// pages is checked with axe-core at 1280 and 390 px with its content.
// usage: node followup.mjs BASE_URL ARTIFACT_DIR MESSAGE.eml START_DATE
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { axeViolations } from './lib/axe.mjs';
import { harness, watchProblems, show, login, logout, apiCall } from './lib/app.mjs';

const [base, outDir, emlPath, start] = process.argv.slice(2);
if (!base || !outDir || !emlPath || !start) {
  console.error('usage: node followup.mjs BASE_URL ARTIFACT_DIR MESSAGE.eml START_DATE');
  process.exit(2);
}
const h = harness('follow-up', 280);
const { log, problems, expect, watchdog } = h;
const addDays = (iso, n) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
const todayIso = process.env.PROLO_TODAY || new Date().toISOString().slice(0, 10); // the server's day

const b = await launch({ viewport: { width: 1280, height: 900 }, timeout: 15000 });
const page = await b.context.newPage();
watchProblems(page, base, problems);

// No rendering slip shows in main ("null", "undefined", "[object ...]").
async function clean(where) {
  const text = await page.locator('main').innerText();
  const m = /\bnull\b|\bundefined\b|\[object \w+\]|\bNaN\b/.exec(text);
  if (m) problems.push(`${where}: the page shows "${m[0]}"`);
}

async function audit(where) {
  await clean(where);
  for (const [w, hgt] of [[1280, 900], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    problems.push(...await axeViolations(page, `${where} at ${w} px`));
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function shot(name) {
  await page.screenshot({ path: path.join(outDir, `followup-${name}.png`), fullPage: true });
}

try {
  // ---- the patient: the links of the e-mail the SMTP server received ----
  h.step = 'the e-mail';
  const eml = fs.readFileSync(emlPath, 'utf8');
  expect(/Dear Ada,/.test(eml), 'the message does not greet the patient by first name');
  const links = [...new Set(eml.match(/https?:\/\/[^\s<>"]+\/q\/[0-9A-Za-z_-]+/g) || [])];
  expect(links.length === 2, `expected two questionnaire links (NRS and ODI), found ${links.length}`);
  for (const l of links) expect(l.startsWith(base), `link ${l} does not point at this server`);
  log(`the e-mail holds ${links.length} questionnaire links`);

  h.step = 'answering as the patient';
  await page.setViewportSize({ width: 390, height: 844 });
  const expectNext = new Date(`${addDays(start, 182)}T12:00:00Z`).toLocaleDateString('en', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  let answered = 0;
  for (const link of links) {
    await page.goto(link);
    await page.locator('#q-form:not([hidden])').waitFor();
    const boxes = page.locator('#q-items [data-field]');
    const n = await boxes.count();
    expect(n === 1 || n === 10, `a questionnaire of ${n} questions (NRS has 1, ODI 10)`);
    const t = Date.now();
    for (let i = 0; i < n; i++) {
      // NRS: 3 out of 10; ODI: 1 in every section.
      await boxes.nth(i).locator('.scale label', { hasText: new RegExp(`^${n === 1 ? 3 : 1}\\b`) }).first().click();
    }
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.locator('.thanks').waitFor();
    const next = (await page.locator('.next-contact').textContent()).trim();
    expect(next.includes(expectNext), `the thank-you says "${next}", not the 6-month date ${expectNext}`);
    log(`answered ${n === 1 ? 'NRS' : 'ODI'} in ${((Date.now() - t) / 1000).toFixed(1)} s; "${next}"`);
    if (n === 10) await shot('patient-thanks-390');
    answered += 1;
  }
  await audit('questionnaire thank-you page');
  expect(answered === 2, 'not every link was answered');
  await page.goto(links[0]);
  await page.locator('#q-status', { hasText: /already been used|expired/ }).waitFor();

  // ---- the clinician: the chart ----
  h.step = 'the chart of FU1';
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, base, 'clinician');
  expect(await show(page, base, 'patient/FU1') === 'chart', 'the chart did not open');
  const course = page.locator('article.course[data-course="KFU1"]');
  const scored = await course.locator('table tr', { hasText: 'NRS' }).allInnerTexts();
  expect(scored.some((r) => r.includes(todayIso) && /\b3\b/.test(r)), `no NRS of 3 dated today on the chart: ${JSON.stringify(scored)}`);
  const odi = await course.locator('table tr', { hasText: 'ODI' }).allInnerTexts();
  expect(odi.some((r) => r.includes(todayIso) && /\b20\b/.test(r)), `no ODI scored 20 dated today on the chart: ${JSON.stringify(odi)}`);
  const point = course.locator('.fu-point[data-day="91"]');
  expect(await point.getAttribute('data-status') === 'answered', `the 3-month point is "${await point.getAttribute('data-status')}", not answered`);
  const pointText = await point.innerText();
  expect(/Invitation/.test(pointText) && /accepted/i.test(pointText), `the 3-month point does not show the invitation and its accepted attempt: ${pointText}`);
  expect(/Nothing to do: answered/.test(pointText), 'the 3-month point does not say that nothing is left to do');
  const later = await course.locator('.fu-point[data-day="182"]').getAttribute('data-status');
  expect(later === 'upcoming', `the 6-month point is "${later}"`);
  const svgLabel = await course.locator('svg.fu-timeline desc').textContent();
  expect(/3 months Answered/.test(svgLabel), `the timeline's text alternative says "${svgLabel}"`);
  const contactText = await page.locator('.contact-card').innerText();
  expect(/ada\.quill@example\.org/.test(contactText) && /Contactable/.test(contactText), 'the chart does not show the contact details');
  await shot('chart-timeline');
  await audit('chart with a follow-up timeline');
  log('the chart shows the assessments scored and the 3-month point answered');
  await logout(page);

  // ---- the front desk: the outbox view ----
  h.step = 'the outbox view';
  await login(page, base, 'staff');
  expect(await show(page, base, 'followup') === 'followup-desk', 'the outbox view did not open');
  const bert = page.locator('.desk-calls li[data-course="KFU2"]');
  await bert.waitFor();
  const bertText = await bert.innerText();
  expect(/Bert Caller/.test(bertText) && /\+41 79 555 02 02/.test(bertText), `the patient to call lacks name or phone: ${bertText}`);
  expect(await page.locator('.desk-calls li[data-course="KFU1"]').count() === 0, 'a patient who answered is on the list to call');
  const failed = page.locator('table.desk-failed tr', { hasText: 'Finn Bounce' });
  const failedText = await failed.innerText();
  expect(/550/.test(failedText) && /finn\.bounce@example\.org/.test(failedText) && /\+41 79 555 04 04/.test(failedText),
    `the failed delivery does not show the server's reply, the address and the phone: ${failedText}`);
  expect(await page.locator('.desk-calls li[data-course="KFU4"][data-kind="contact_fix"]').count() === 1, 'no task to fix the refused address');
  const unknown = page.locator('table.desk-failed tr[data-state="unknown"]', { hasText: 'Una Known' });
  const unknownText = await unknown.innerText();
  expect(/Outcome unknown/.test(unknownText) && /never resent/.test(unknownText) && /\+41 79 555 05 05/.test(unknownText),
    `the message of unknown outcome is not listed with its label and phone: ${unknownText}`);
  expect(/Not delivered/.test(failedText), `the failed delivery is not labelled: ${failedText}`);
  await audit('outbox view with patients to call');
  await shot('desk');
  await bert.getByRole('button', { name: /^No answer/ }).click();
  await bert.locator('.last-call', { hasText: 'No answer' }).waitFor();
  await bert.getByLabel('Note (optional)').fill('will answer the questions by phone: pain 4');
  await bert.getByRole('button', { name: /^Reached/ }).click();
  await bert.waitFor({ state: 'detached' });
  expect(await page.locator('.desk-calls li[data-course="KFU2"]').count() === 0, 'the patient reached is still on the list');
  const calls = await apiCall(page, 'GET', '/api/calls?course_id=KFU2');
  const results = (calls.data.calls || []).map((c) => `${c.result}/${c.by}/${c.note || ''}/${c.alert_key || ''}`);
  expect(results.length === 2 && results[0].startsWith('reached/nurse/will answer') && results[1].startsWith('no_answer/nurse'),
    `the calls logged are ${JSON.stringify(results)}`);
  log('two calls logged from the outbox view; the patient reached left the list');

  h.step = 'the calls on the chart';
  expect(await show(page, base, 'patient/FU2') === 'chart', 'the chart of FU2 did not open');
  const callsOnChart = await page.locator('article.course[data-course="KFU2"] ul.calls').innerText();
  expect(/Reached/.test(callsOnChart) && /pain 4/.test(callsOnChart) && /No answer/.test(callsOnChart), `the chart shows the calls as "${callsOnChart}"`);

  // ---- the morning list: name and phone, snooze, assign ----
  h.step = 'the morning list';
  expect(await show(page, base, 'today') === 'today', 'the morning list did not open');
  const cleo = page.locator('.alert-list li', { hasText: 'Cleo Later' });
  await cleo.waitFor();
  const cleoText = await cleo.innerText();
  expect(/\+41 79 555 03 03/.test(cleoText), `the morning list does not show the phone where it says to call: ${cleoText}`);
  await audit('morning list with snooze and assign');
  const until = addDays(todayIso, 3);
  await cleo.getByLabel('Snooze until').fill(until);
  await cleo.getByRole('button', { name: /^Snooze/ }).click();
  await cleo.waitFor({ state: 'detached' });
  expect(await show(page, base, 'today') === 'today', 'the morning list did not open again');
  expect(await page.locator('.alert-list li', { hasText: 'Cleo Later' }).count() === 0, 'a snoozed alert is back on the list');
  await page.getByLabel('Show snoozed alerts').check();
  await page.locator('main[data-page="today"]:not([aria-busy])').waitFor();
  const again = page.locator('.alert-list li', { hasText: 'Cleo Later' });
  await again.locator('text=Snoozed until').waitFor();
  expect((await again.innerText()).includes(until), 'the snoozed alert does not say until when');
  await again.getByLabel('Assign to').selectOption('drsmith');
  await again.getByRole('button', { name: /^Assign/ }).click();
  await again.locator('.assigned', { hasText: 'Assigned to drsmith' }).waitFor();
  const list = await apiCall(page, 'GET', `/api/alerts?snoozed=1&today=${todayIso}`);
  const a = (list.data.alerts || []).find((x) => x.course_id === 'KFU3');
  expect(a && a.assigned_to === 'drsmith' && a.snoozed_until === until, `the alert's state is ${JSON.stringify(a)}`);
  const later3 = await apiCall(page, 'GET', `/api/alerts?today=${addDays(todayIso, 3)}`);
  expect((later3.data.alerts || []).some((x) => x.course_id === 'KFU3'), 'the snoozed alert is not back on the list on the day it was snoozed until');
  log('alert snoozed (off the list, back on its day) and assigned');

  // ---- the drop-outs still to reach ----
  h.step = 'the drop-outs';
  expect(await show(page, base, 'followup/dropouts') === 'dropouts', 'the drop-outs page did not open');
  const rows = await page.locator('.dropouts > li').evaluateAll((els) => els.map((e) => e.dataset.course));
  expect(rows.includes('KFU3') && rows.includes('KFU2') && !rows.includes('KFU1'), `the drop-outs listed are ${JSON.stringify(rows)}`);
  await audit('drop-outs still to reach');
  await shot('dropouts');
  await logout(page);

  // ---- roles: a researcher has none of it ----
  h.step = 'the researcher';
  await login(page, base, 'researcher');
  for (const [m, p, body] of [['GET', '/api/followup/desk'], ['GET', '/api/followup/dropouts'], ['POST', '/api/calls', { course_id: 'KFU2', result: 'reached' }],
    ['POST', '/api/alerts/snooze', { key: a.key, until }]]) {
    const r = await apiCall(page, m, p, body);
    expect(r.status === 403, `${m} ${p} as a researcher: ${r.status}`);
  }
  expect(await show(page, base, 'followup') === 'not-available', 'the researcher may open the outbox view');
  await logout(page);
} catch (e) {
  problems.push(`stopped: ${e.message}`);
  try { await shot('failure'); } catch (e2) { /* keep the first error */ }
} finally {
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
log('follow-up in the browser: all checks passed');
