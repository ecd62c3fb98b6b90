// The appointments in the browser: the front desk books a course's next
// session from the chart (the date comes from the protocol's interval, the
// time is typed), finds it on the day view, reschedules it from the week
// view, downloads the course's calendar (the booking's UID with SEQUENCE
// 1), cancels it (the calendar then says CANCELLED under the same UID) and
// marks a booking of today a no-show; a refused time is shown next to its
// field; a phone-width day view has no sideways scrolling. Every wait is
// bounded.
// usage: node booking.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { harness, watchProblems, show, login, apiCall, isoDay } from './lib/app.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node booking.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const h = harness('booking', 240);
const { log, problems, expect, watchdog } = h;

const b = await launch({ viewport: { width: 1024, height: 1200 }, timeout: 15000, context: { acceptDownloads: true } });
const page = await b.context.newPage();
watchProblems(page, base, problems);
const PID = `BK${Date.now() % 100000}`;
const CID = `${PID}-K1`;

async function must(method, p, body) {
  const r = await apiCall(page, method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

async function download(button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await dl.path();
  return fs.readFileSync(file, 'utf8').replace(/\r\n /g, '').split('\r\n');
}

let rc = 0;
try {
  h.step = 'setup';
  await login(page, base, 'clinician');
  await must('POST', '/api/patients', { patient_id: PID, clinic: 'C01', sex: 'female', first_name: 'Ada', last_name: 'Byron' });
  await must('POST', '/api/courses', {
    course_id: CID, patient_id: PID, modality: 'dextrose', condition: 'knee_oa', start_date: isoDay(-10),
    planned_sessions: 4, interval_days: 14,
  });
  await must('POST', '/api/sessions', { course_id: CID, session_no: 1, date: isoDay(-10) });
  // another course of the same patient, booked for tomorrow at 10:00
  await must('POST', '/api/courses', {
    course_id: `${PID}-K2`, patient_id: PID, modality: 'prp', condition: 'tendinopathy', start_date: isoDay(-3),
    planned_sessions: 2, interval_days: 21,
  });
  await must('POST', '/api/bookings', { course_id: `${PID}-K2`, date: isoDay(1), time: '10:00' });
  const other = await must('POST', '/api/bookings', { course_id: `${PID}-K2`, session_no: 2, date: isoDay(0), time: '23:00' });
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('main[data-page="login"]').waitFor();

  h.step = 'book from the chart (front desk)';
  await login(page, base, 'staff');
  expect(await page.locator('#nav a', { hasText: 'Bookings' }).count() === 1, 'no Bookings in the menu');
  await show(page, base, `patient/${PID}`);
  const card = page.locator(`article[data-course="${CID}"]`);
  await card.getByRole('link', { name: 'Book next session' }).click();
  await page.locator('main[data-page="booking-new"]:not([aria-busy])').waitFor();
  const date = page.locator('[data-field="date"] input');
  expect(await date.inputValue() === isoDay(4), `the default date is ${await date.inputValue()}, not last session + 14 days (${isoDay(4)})`);
  expect(await page.locator('[data-field="session_no"] input').inputValue() === '2', 'the default session is not 2');
  // the patient is booked elsewhere at that time: refused next to the time
  await date.fill(isoDay(1));
  await page.locator('[data-field="time"] input').fill('10:15');
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  const timeErr = page.locator('[data-field="time"] .field-error');
  await page.locator('[data-field="time"] .field-error:not(:empty)').waitFor();
  expect(/booked already at 10:00/.test(await timeErr.textContent()), `the conflict is not shown at the time: ${await timeErr.textContent()}`);
  await date.fill(isoDay(4));
  await page.locator('[data-field="time"] input').fill('10:30');
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await page.locator('main[data-page="chart"]:not([aria-busy])').waitFor();
  expect(/Booked: session 2 of course/.test(await page.locator('main .notice').first().textContent()), 'no confirmation');
  const item = card.locator('li.booking[data-status="booked"]');
  await item.waitFor();
  expect(/10:30/.test(await item.textContent()), 'the booking is not on the chart');
  const bookings = (await must('GET', `/api/bookings?course_id=${CID}`)).bookings;
  expect(bookings.length === 1 && bookings[0].time === '10:30' && bookings[0].date === isoDay(4), 'the server has not the booking');
  const id = bookings[0].id;
  const uid = bookings[0].uid;
  log(`booked ${uid}`);

  h.step = 'the day view';
  await show(page, base, `bookings?view=day&date=${isoDay(4)}`);
  const li = page.locator(`li.booking[data-booking="${id}"]`);
  await li.waitFor();
  expect(/Patient/.test(await li.textContent()) && /session 2/.test(await li.textContent()), 'the day view lacks the booking');
  await page.screenshot({ path: path.join(outDir, 'booking-day.png'), fullPage: true });

  h.step = 'reschedule from the week view, by keyboard';
  await page.getByRole('link', { name: 'Week', exact: true }).click();
  await page.locator('main[data-page="bookings"]:not([aria-busy])').waitFor();
  expect(/week of/.test(await page.locator('h1').textContent()), 'not the week view');
  const move = page.locator(`li.booking[data-booking="${id}"]`).getByRole('button', { name: /^Reschedule/ });
  await move.focus();
  await page.keyboard.press('Enter');
  const form = page.locator(`#move-${id}`);
  await form.waitFor();
  await form.getByLabel('New date').fill(isoDay(5));
  await form.getByLabel('New time').fill('11:15');
  await form.getByLabel('New time').press('Enter');
  await page.locator(`li.booking[data-booking="${id}"]`, { hasText: '11:15' }).waitFor();
  const moved = (await must('GET', `/api/bookings?course_id=${CID}`)).bookings[0];
  expect(moved.date === isoDay(5) && moved.time === '11:15' && moved.sequence === 1, `not moved: ${JSON.stringify(moved)}`);

  h.step = 'the course calendar, after the move';
  await show(page, base, `patient/${PID}`);
  let ics = await download(card.getByRole('button', { name: 'Download calendar (.ics)' }));
  let at = ics.indexOf(`UID:${uid}`);
  expect(at > 0, 'the calendar lacks the booking');
  let ev = ics.slice(at, ics.indexOf('END:VEVENT', at));
  expect(ev.includes('SEQUENCE:1') && ev.includes('STATUS:CONFIRMED'), `the moved event: ${ev.join(' | ')}`);
  expect(ics.filter((l) => l === `UID:${uid}`).length === 1, 'the booking twice in one calendar');

  h.step = 'cancel from the chart';
  await card.locator(`li.booking[data-booking="${id}"]`).getByRole('button', { name: /^Cancel/ }).click();
  await page.getByRole('button', { name: 'Yes, cancel it' }).click();
  await page.locator(`article[data-course="${CID}"] li.booking[data-booking="${id}"][data-status="cancelled"]`).waitFor();
  ics = await download(page.locator(`article[data-course="${CID}"]`).getByRole('button', { name: 'Download calendar (.ics)' }));
  at = ics.indexOf(`UID:${uid}`);
  ev = ics.slice(at, ics.indexOf('END:VEVENT', at));
  expect(ev.includes('STATUS:CANCELLED') && ev.includes('SEQUENCE:2'), `the cancelled event: ${ev.join(' | ')}`);

  h.step = 'a booking of today missed';
  await show(page, base, 'bookings');
  const today = page.locator(`li.booking[data-booking="${other.booking.id}"]`);
  await today.getByRole('button', { name: /no-show/i }).click();
  await page.locator(`li.booking[data-booking="${other.booking.id}"][data-status="no_show"]`).waitFor();

  h.step = 'a phone';
  await page.setViewportSize({ width: 390, height: 844 });
  await show(page, base, `bookings?view=week&date=${isoDay(1)}`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(!wide, 'the week view scrolls sideways on a phone');
  await page.screenshot({ path: path.join(outDir, 'booking-week-phone.png'), fullPage: true });

  expect(problems.length === 0, `problems: ${problems.join('; ')}`);
  log('ok: booked, rescheduled, cancelled, missed');
} catch (e) {
  rc = 1;
  console.error(`FAIL ${e.message}`);
  if (problems.length) console.error(problems.join('\n'));
  try { await page.screenshot({ path: path.join(outDir, 'booking-failure.png'), fullPage: true }); } catch (e2) { /* ignore */ }
} finally {
  clearTimeout(watchdog);
  await b.close();
}
process.exit(rc);
