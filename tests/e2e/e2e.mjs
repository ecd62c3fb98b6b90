// End-to-end test of the clinic's web app in headless Chromium against a
// real `prolo serve`: a clinician logs in, registers a patient, plans a
// course (the form offers the server's conditions, a clinic-added one
// too), records a baseline and sessions with injections, sends a
// questionnaire link that the "patient" answers on a phone-sized screen,
// reads the chart (the pain chart must be drawn), plans a second course
// for the clinic-added condition, and reads the outcomes dashboard; an
// admin sees users and the audit log; a researcher sees only the
// outcomes. A clinician corrects an assessment (its history says so in
// words), meets someone else's change to a side effect, voids another;
// staff may not correct sessions. Validation messages must appear next to the field at fault.
// Screenshots go to the artifact folder. Every wait is bounded.
// usage: node e2e.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { isoDay } from './lib/app.mjs';

// A change's history gives the day of its time on the server's clock (not
// the run's day, which PROLO_TODAY may hold): the wall clock's UTC day just
// before the change or, when the run crosses midnight, just after.
const wallDay = () => new Date().toISOString().slice(0, 10);
const changedOn = (line, words, before) => [before, wallDay()].some((d) => line.includes(words.replace('DAY', d)));

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node e2e.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const USERS = {
  clinician: ['drsmith', 'clinician-pass-1'],
  staff: ['nurse', 'staff-pass-1'],
  admin: ['admin', 'admin-pass-1'],
};

const watchdog = setTimeout(() => {
  console.error('FAIL: the browser test did not finish within 300 s');
  process.exit(1);
}, 300000);

let step = 'start';
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const t0 = Date.now();
function expect(ok, msg) {
  if (!ok) throw new Error(`${step}: ${msg}`);
}

const b = await launch({ viewport: { width: 1024, height: 1366 }, timeout: 15000 });
const page = await b.context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  const t = m.text();
  // 4xx answers to deliberate bad input are logged by the browser as
  // "Failed to load resource"; everything else is a problem.
  if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (400|401|403|404|409|410|503)/.test(t)) {
    problems.push(`console: ${t}`);
  }
});
page.on('requestfailed', (r) => {
  if (!r.url().startsWith(base)) problems.push(`request outside the app: ${r.url()}`);
});
page.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith(base) && !/^(data|blob|about):/.test(u)) problems.push(`request outside the app: ${u}`);
});

async function shot(name) {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
}

async function heading(text) {
  await page.locator('main h1', { hasText: text }).first().waitFor({ state: 'visible' });
}

async function login(role) {
  const [name, pw] = USERS[role];
  await page.goto(`${base}/#/login`);
  await heading('Log in');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#top:not([hidden])').waitFor();
  log(`logged in as ${name}`);
}

async function logout() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await heading('Log in');
}

// The error slot of the field named `name` (within scope) must say something.
async function fieldError(scope, name, pattern) {
  const slot = scope.locator(`[data-field="${name}"] .field-error`).first();
  await slot.waitFor({ state: 'visible' });
  const text = (await slot.textContent()).trim();
  expect(pattern.test(text), `error next to ${name} reads "${text}", expected ${pattern}`);
  const control = scope.locator(`[data-field="${name}"] [aria-invalid="true"]`);
  expect(await control.count() > 0, `the ${name} control is not marked aria-invalid`);
  return text;
}

async function openChart() {
  await page.locator('main h1', { hasText: 'Ada Lovelace' }).waitFor();
}

async function recordNrs(date, score) {
  await page.locator('article.course').first().getByRole('link', { name: 'Record a questionnaire' }).click();
  await heading('Record a questionnaire');
  await page.getByLabel('Date').fill(date);
  await page.locator('.scale label', { hasText: new RegExp(`^${score}$`) }).click();
  await page.getByRole('button', { name: 'Save questionnaire' }).click();
  await openChart();
}

async function recordSession(no, date, sites) {
  await page.locator('article.course').first().getByRole('link', { name: 'Record a session' }).click();
  await heading(`Record session ${no}`);
  const sess = page.locator('.session-fields');
  expect(await sess.locator('[name="session_no"]').inputValue() === String(no), 'the next session number is not suggested');
  await sess.locator('[name="date"]').fill(date);
  await sess.locator('[name="proliferant"]').selectOption('dextrose');
  await sess.locator('[name="concentration_pct"]').fill('15');
  await sess.locator('[name="anaesthetic"]').fill('lidocaine');
  await sess.locator('[name="anaesthetic_pct"]').fill('0.5');
  // The rows start from the previous session's injections (to confirm):
  // as many rows as the sites of today, added or removed.
  const rows = page.locator('.injection-row');
  for (let n = await rows.count(); n < sites.length; n++) await page.getByRole('button', { name: '+ Add injection' }).click();
  for (let n = await rows.count(); n > sites.length; n--) await page.getByRole('button', { name: `Remove injection ${n}` }).click();
  expect(await rows.count() === sites.length, `expected ${sites.length} injection rows`);
  for (const box of await page.locator('.injection-row [name="confirmed"]').all()) await box.check();
  for (let i = 0; i < sites.length; i++) {
    await rows.nth(i).locator('[name="site"]').fill(sites[i]);
    await rows.nth(i).locator('[name="volume_ml"]').fill('5');
    await rows.nth(i).locator('[name="guidance"]').selectOption('ultrasound');
    expect(await rows.nth(i).locator('[name="concentration_pct"]').inputValue() === '15', 'injection rows do not start from the session values');
  }
  await page.getByRole('button', { name: 'Record session' }).click();
  await openChart();
  log(`session ${no} recorded (${sites.length} injections)`);
}

try {
  // ---- clinician: log in (a wrong password first) ----
  step = 'login';
  await page.goto(`${base}/`);
  await heading('Log in');
  await page.getByLabel('User name').fill('drsmith');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await fieldError(page, 'password', /.+/);
  await shot('01-login-error');
  await page.getByLabel('Password').fill(USERS.clinician[1]);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading('Today');
  await shot('02-today');
  log('today page shown');

  // ---- register a patient; a bad year first ----
  step = 'register';
  await page.getByRole('link', { name: 'New patient' }).click();
  await heading('Register a new patient');
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Patient id').fill('E2E-001');
  await page.getByLabel('Sex').selectOption('female');
  await page.getByLabel('Year of birth').fill('1800');
  await page.getByLabel('NSAIDs in the last 48 h').check();
  await page.getByRole('button', { name: 'Register patient' }).click();
  await fieldError(page, 'birth_year', /1900/);
  await shot('03-register-error');
  await page.getByLabel('Year of birth').fill('1968');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await openChart();
  expect(await page.locator('.contraindications li').count() === 1, 'the contraindication is not on the chart');
  log('patient registered');

  // ---- plan a course: an unknown protocol first, then by hand ----
  step = 'plan';
  const start = isoDay(-50);
  await page.getByRole('link', { name: 'Plan a course' }).click();
  await heading('Plan a course');
  // the conditions come from the server: the built-in ones in its order,
  // then the clinic's own (added with `prolo condition add` in e2e.sh)
  const condOptions = await page.getByLabel('Condition').evaluate((sel) => Array.from(sel.options, (o) => [o.value, o.textContent]));
  const condCodes = condOptions.map(([v]) => v).filter(Boolean).join(',');
  expect(condCodes === 'low_back_pain,neck_pain,knee_oa,tendinopathy,ligament_sprain,plantar_fasciitis',
    `the condition list offers ${condCodes}`);
  expect(condOptions.some(([v, t]) => v === 'plantar_fasciitis' && t === 'Plantar fasciitis (M72.2)'),
    `the clinic's condition is not offered by its name: ${JSON.stringify(condOptions)}`);
  await page.getByLabel('Condition').selectOption('low_back_pain');
  await page.getByLabel('Treatment').selectOption('dextrose');
  await page.getByLabel('Protocol (optional)').fill('no-such-protocol');
  await page.getByLabel('Start date').fill(start);
  await page.getByRole('button', { name: 'Plan course' }).click();
  await fieldError(page, 'protocol', /protocol/);
  await page.getByLabel('Protocol (optional)').fill('');
  await page.getByLabel('Planned sessions').fill('3');
  await page.getByLabel('Days between sessions').fill('21');
  await page.getByRole('button', { name: 'Plan course' }).click();
  await openChart();
  expect(await page.locator('article.course').count() === 1, 'the planned course is not on the chart');
  log('course planned');

  // ---- baseline, sessions with injections, follow-ups ----
  step = 'record';
  await recordNrs(start, 8);
  // a session whose second injection has no site: the error lands in row 2
  await page.locator('article.course').first().getByRole('link', { name: 'Record a session' }).click();
  await heading('Record session 1');
  await page.locator('.session-fields [name="date"]').fill(start);
  await page.getByRole('button', { name: '+ Add injection' }).click();
  await page.getByRole('button', { name: '+ Add injection' }).click();
  expect(await page.locator('.injection-row').count() === 3, 'adding injection rows failed');
  await page.getByRole('button', { name: 'Remove injection 3' }).click();
  expect(await page.locator('.injection-row').count() === 2, 'removing an injection row failed');
  await page.locator('.injection-row').nth(0).locator('[name="site"]').fill('L5-S1 facet');
  await page.getByRole('button', { name: 'Record session' }).click();
  await fieldError(page.locator('.injection-row').nth(1), 'site', /required/);
  await shot('04-session-error');
  await page.getByRole('link', { name: 'Cancel' }).click();
  await openChart();
  await recordSession(1, start, ['L5-S1 facet', 'iliolumbar ligament']);

  // session 2 was due four weeks ago: the morning list says so
  step = 'today list';
  await page.getByRole('link', { name: 'Today' }).click();
  await heading('Today');
  const mine = page.locator('.alert-list li', { hasText: 'E2E-001' });
  await mine.first().waitFor();
  const before = await mine.count();
  const total = await page.locator('.alert-list li').count();
  await mine.first().locator('input[name="note"]').fill('phoned, booked for next week');
  await mine.first().getByRole('button', { name: /^Acknowledge/ }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.alert-list li').length < n, total, { timeout: 10000 });
  expect(await mine.count() === before - 1, 'the acknowledged alert is still listed');
  await shot('04b-today-acknowledged');
  log('alert acknowledged');
  await page.goto(`${base}/#/patient/E2E-001`);
  await openChart();
  await recordNrs(isoDay(-29), 6);
  await recordSession(2, isoDay(-29), ['L5-S1 facet', 'iliolumbar ligament', 'sacroiliac ligament']);
  await recordNrs(isoDay(-8), 4);
  await recordSession(3, isoDay(-8), ['L5-S1 facet']);
  expect(await page.locator('tr.session-row').count() === 3, 'the chart does not list 3 sessions');

  // ---- questionnaire link, answered by the patient without logging in ----
  step = 'questionnaire link';
  await page.getByRole('link', { name: 'Send questionnaire link' }).click();
  await heading('Send a questionnaire link');
  await page.getByLabel('Questionnaire').selectOption('NRS');
  await page.getByRole('button', { name: 'Create link' }).click();
  const link = await page.locator('#q-link').inputValue();
  expect(/\/q\/[A-Za-z0-9_-]+$/.test(link), `the link looks wrong: ${link}`);
  await shot('05-link');
  log('questionnaire link created');
  await logout();

  step = 'patient questionnaire';
  await b.context.clearCookies();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(link);
  await page.locator('#q-title', { hasText: 'Ada' }).waitFor();
  const qText = await page.locator('body').innerText();
  expect(!qText.includes('Lovelace') && !qText.includes('E2E-001') && !qText.includes('1968'), 'the questionnaire page shows more than the first name');
  const buttons = page.locator('.scale label');
  expect(await buttons.count() === 11, 'NRS should offer 11 buttons (0-10)');
  const box = await buttons.first().boundingBox();
  expect(box && box.height >= 44 && box.width >= 24, `the answer buttons are too small for a thumb (${JSON.stringify(box)})`);
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.locator('[data-field="item-1"] .field-error', { hasText: /.+/ }).waitFor();
  await buttons.filter({ hasText: /^3$/ }).click();
  await shot('06-patient-questionnaire');
  await page.getByRole('button', { name: 'Send my answers' }).click();
  await page.locator('.thanks').waitFor();
  await shot('07-patient-thanks');
  await page.goto(link);
  await page.locator('#q-status', { hasText: /already been used|expired/ }).waitFor();
  log('patient answered; the link is spent');
  await page.setViewportSize({ width: 1024, height: 1366 });

  // ---- the chart: pain trajectory drawn ----
  step = 'chart';
  await login('clinician');
  await page.getByRole('link', { name: 'Patients' }).click();
  await heading('Patients');
  await page.getByLabel('Find a patient').fill('Ada');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'E2E-001' }).click();
  await openChart();
  const chart = page.locator('svg.pain-chart').first();
  await chart.waitFor();
  const info = await chart.evaluate((svg) => ({
    d: (svg.querySelector('path.series') || { getAttribute: () => '' }).getAttribute('d') || '',
    points: svg.querySelectorAll('.points circle').length,
    baseline: svg.querySelectorAll('line.ref.baseline').length,
    half: svg.querySelectorAll('line.ref.half').length,
    sessions: svg.querySelectorAll('.sessions line').length,
    w: svg.getBoundingClientRect().width,
  }));
  expect((info.d.match(/[ML]/g) || []).length === 4, `the pain line should join 4 scores: d="${info.d}"`);
  expect(info.points === 4 && info.baseline === 1 && info.half === 1 && info.sessions === 3,
    `pain chart parts: ${JSON.stringify(info)}`);
  expect(info.w > 200, 'the pain chart is not visible');
  const summary = await page.locator('.pain-summary').first().innerText();
  expect(/8 → 3/.test(summary) && /responding/.test(summary), `pain summary: ${summary}`);
  await shot('08-chart');
  log('chart drawn');

  // ---- a side effect, then end the course ----
  step = 'side effect';
  await page.getByRole('link', { name: 'Record a side effect' }).click();
  await heading('Record a side effect');
  await page.getByLabel('Side effect').selectOption('soreness');
  await page.getByLabel('Started on').fill(isoDay(-8));
  await page.getByLabel('Lasted (days)').fill('2');
  await page.getByLabel('Grade (CTCAE 1–5)').selectOption('1');
  await page.getByRole('button', { name: 'Save side effect' }).click();
  await openChart();
  await page.locator('table', { hasText: 'Soreness' }).waitFor();
  // an infection is urgent: it heads the morning list
  await page.getByRole('link', { name: 'Record a side effect' }).click();
  await heading('Record a side effect');
  await page.getByLabel('Side effect').selectOption('infection');
  await page.getByLabel('Started on').fill(isoDay(-1));
  await page.getByLabel('Grade (CTCAE 1–5)').selectOption('2');
  await page.getByRole('button', { name: 'Save side effect' }).click();
  await openChart();
  await page.getByRole('link', { name: 'Today' }).click();
  await heading('Today');
  const first = page.locator('.alert-list li').first();
  await first.waitFor();
  expect(await first.getAttribute('class') === 'urgent' && (await first.innerText()).includes('E2E-001'),
    `the infection is not first and urgent: ${await first.innerText()}`);
  await shot('08b-today-urgent');
  await page.goto(`${base}/#/patient/E2E-001`);
  await openChart();

  step = 'end course';
  await page.getByRole('link', { name: 'End course' }).click();
  await heading('End course');
  await page.getByLabel('How did the course end?').selectOption('completed');
  await page.getByLabel('Reason').fill('pain much lower after 3 sessions');
  await page.getByRole('button', { name: 'End course' }).click();
  await openChart();
  await page.locator('article.course .badge', { hasText: 'Completed' }).waitFor();
  log('course ended');

  // ---- a second course, for the clinic's own condition ----
  step = 'clinic condition';
  await page.getByRole('link', { name: 'Plan a course' }).click();
  await heading('Plan a course');
  await page.getByLabel('Condition').selectOption('plantar_fasciitis');
  await page.getByLabel('Treatment').selectOption('dextrose');
  await page.getByLabel('Planned sessions').fill('3');
  await page.getByLabel('Days between sessions').fill('28');
  await page.getByRole('button', { name: 'Plan course' }).click();
  await openChart();
  expect(await page.locator('article.course').count() === 2, 'the course for the clinic\'s condition is not on the chart');
  await page.locator('article.course h3', { hasText: 'Plantar fasciitis' }).waitFor();
  // a clinician may record sessions and end a running course
  const running = page.locator('article.course', { hasText: 'Plantar fasciitis' });
  expect(await running.getByRole('link', { name: 'Record a session' }).count() === 1, 'a clinician is not offered to record a session');
  expect(await running.getByRole('link', { name: 'End course' }).count() === 1, 'a clinician is not offered to end the course');
  const runningEnd = await running.getByRole('link', { name: 'End course' }).getAttribute('href');
  await shot('08c-clinic-condition');
  log('course planned for a clinic-added condition');

  // ---- the outcomes dashboard ----
  step = 'dashboard';
  await page.getByRole('link', { name: 'Outcomes' }).click();
  await heading('Outcomes');
  await page.locator('svg.rate-chart').first().waitFor();
  const dash = await page.evaluate(() => ({
    rates: document.querySelectorAll('svg.rate-chart rect').length,
    intervals: document.querySelectorAll('svg.rate-chart path.interval').length,
    km: document.querySelectorAll('svg.km-chart path.series').length,
    stat: (document.querySelector('.stat-value') || {}).textContent,
  }));
  expect(dash.rates >= 1 && dash.intervals >= 1 && dash.km >= 1, `dashboard charts: ${JSON.stringify(dash)}`);
  expect(dash.stat === '1', `the dashboard should count 1 ended course, shows ${dash.stat}`);
  await shot('09-dashboard');
  expect(await page.locator('select[name="condition"] option[value="plantar_fasciitis"]').count() === 1,
    'the dashboard filter does not offer the clinic\'s condition');
  await page.getByLabel('Treatment', { exact: true }).selectOption('prp');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('.notice', { hasText: 'No ended courses' }).waitFor();
  log('dashboard drawn and filtered');

  // ---- correct the chart: an assessment amended (with its history in
  // words), a side effect amended while someone else changed it (409),
  // another voided ----
  step = 'amend assessment';
  await page.goto(`${base}/#/patient/E2E-001`);
  await openChart();
  const lbp = page.locator('article.course', { hasText: 'Low back pain' });
  await lbp.getByRole('link', { name: `Edit assessment NRS of ${start}` }).click();
  await heading('Edit assessment NRS');
  expect(await page.locator('.scale input:checked').getAttribute('value') === '8', 'the edit form is not filled with the score 8');
  await page.locator('.scale label', { hasText: /^3$/ }).click();
  await page.getByRole('button', { name: 'Save the change' }).click();
  await fieldError(page, 'reason', /why/i);
  await page.getByLabel('Reason for the change').fill('typing error');
  const amendedFrom = wallDay();
  await page.getByRole('button', { name: 'Save the change' }).click();
  await openChart();
  await page.locator('.notice', { hasText: 'Changed: assessment NRS' }).waitFor();
  const nrsRow = lbp.locator('tr', { hasText: start }).filter({ hasText: 'NRS' });
  expect(/\b3\b/.test(await nrsRow.locator('td').nth(2).innerText()), `the chart does not show the new score: ${await nrsRow.innerText()}`);
  const painNow = await lbp.locator('.pain-summary').innerText();
  expect(/^Pain 3 →/.test(painNow), `the pain summary does not start from the corrected baseline: ${painNow}`);
  await lbp.getByRole('link', { name: `History of assessment NRS of ${start}` }).click();
  await heading('History of assessment NRS');
  const line = (await page.locator('ol.record-history li').allInnerTexts()).join('\n');
  expect(changedOn(line, 'NRS 8 → 3 on DAY by drsmith: typing error', amendedFrom), `the history reads: ${line}`);
  await shot('09b-history');
  log('assessment corrected 8 → 3; its history says so');

  step = 'amend side effect, conflict';
  await page.goto(`${base}/#/patient/E2E-001`);
  await openChart();
  await lbp.getByRole('link', { name: `Edit side effect soreness of ${isoDay(-8)}` }).click();
  await heading('Edit side effect soreness');
  expect(await page.getByLabel('Lasted (days)').inputValue() === '2', 'the side effect form is not filled in');
  await page.getByLabel('Lasted (days)').fill('4');
  await page.getByLabel('Reason for the change').fill('phoned the patient');
  // meanwhile, someone else grades it 2
  const other = await page.evaluate(async () => {
    const chart = await (await fetch('/api/patients/E2E-001')).json();
    const c = chart.courses.find((x) => x.condition === 'low_back_pain');
    const ae = c.adverse_events.find((a) => a.kind === 'soreness');
    const r = await fetch(`/api/adverse-events/${c.course_id}/${ae.seq}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('prolo.csrf'), 'If-Match': `"${ae.version}"` },
      body: JSON.stringify({ grade: 2, reason: 'graded at the follow-up' }),
    });
    return r.status;
  });
  expect(other === 200, `the concurrent change failed: ${other}`);
  await page.getByRole('button', { name: 'Save the change' }).click();
  const conflict = page.locator('main .form-error[role="alert"]');
  await conflict.filter({ hasText: /someone else changed/i }).waitFor();
  await page.locator('.conflict', { hasText: 'The record now holds' }).waitFor();
  expect(await page.getByLabel('Grade (CTCAE 1–5)').inputValue() === '2', 'the form does not show the current grade after a conflict');
  expect(await page.getByLabel('Lasted (days)').inputValue() === '2', 'the form does not show the current duration after a conflict');
  await shot('09c-conflict');
  await page.getByLabel('Lasted (days)').fill('4');
  await page.getByRole('button', { name: 'Save the change' }).click();
  await openChart();
  await lbp.locator('tr', { hasText: 'Soreness' }).filter({ hasText: '4 d' }).waitFor();
  log('a conflicting change is shown, and the change made again');

  step = 'void side effect';
  const infection = lbp.locator('tr', { hasText: 'Infection' });
  expect(await infection.count() === 1, 'the infection is not on the chart');
  await lbp.getByRole('link', { name: `Void side effect infection of ${isoDay(-1)} (entered in error)` }).click();
  await heading('Void side effect infection');
  await page.getByLabel('Reason').fill('entered for the wrong patient');
  await page.getByRole('button', { name: 'Void side effect' }).click();
  await fieldError(page, 'confirm', /confirm/);
  await page.getByLabel(/Yes, void this side effect/).check();
  const voidedFrom = wallDay();
  await page.getByRole('button', { name: 'Void side effect' }).click();
  await openChart();
  expect(await lbp.locator('tr', { hasText: 'Infection' }).count() === 0, 'the voided side effect is still on the chart');
  await page.locator('.notice').getByRole('link', { name: 'Its history' }).click();
  await heading('History of side effect infection');
  const vline = (await page.locator('ol.record-history li').allInnerTexts()).join('\n');
  expect(changedOn(vline, 'Voided (entered in error) on DAY by drsmith: entered for the wrong patient', voidedFrom), `the voided record's history reads: ${vline}`);
  log('side effect voided: gone from the chart, its history kept');

  // ---- staff: no session recording, no ending a course (the server's
  // permission matrix, sent as user.can, says so) ----
  step = 'staff';
  await logout();
  await login('staff');
  await page.goto(`${base}/#/patient/E2E-001`);
  await openChart();
  await page.locator('article.course h3', { hasText: 'Plantar fasciitis' }).waitFor();
  expect(await page.getByRole('link', { name: 'Record a session' }).count() === 0, 'staff are offered to record a session');
  expect(await page.getByRole('link', { name: 'End course' }).count() === 0, 'staff are offered to end a course');
  expect(await page.getByRole('link', { name: 'Record a questionnaire' }).count() === 2, 'staff are not offered to record a questionnaire');
  // staff may correct assessments but not sessions (user.can says so)
  expect(await page.getByRole('link', { name: /^Edit session/ }).count() === 0, 'staff are offered to edit a session');
  expect(await page.getByRole('link', { name: /^Void session/ }).count() === 0, 'staff are offered to void a session');
  expect(await page.getByRole('link', { name: /^Edit assessment/ }).count() > 0, 'staff are not offered to correct an assessment');
  expect(await page.getByRole('link', { name: /^History of session/ }).count() > 0, 'staff are not offered a session\'s history');
  await page.goto(`${base}/${runningEnd}`);
  await heading('Not available');
  await page.goto(`${base}/#/patient/E2E-001/course/E2E-001-C1/session/1/edit`);
  await heading('Not available');
  log('staff see no session recording, no "End course" and no "Edit" for sessions');

  // ---- admin: users and audit ----
  step = 'admin';
  await logout();
  await login('admin');
  await page.getByRole('link', { name: 'Users' }).click();
  await heading('Users');
  await page.locator('main table', { hasText: 'drsmith' }).waitFor();
  await page.getByLabel('User name').fill('researcher1');
  await page.getByLabel('Role').selectOption('researcher');
  await page.getByLabel('First password').fill('researcher-pass-1');
  await page.getByRole('button', { name: 'Add user' }).click();
  await page.locator('main table', { hasText: 'researcher1' }).waitFor();
  await page.getByRole('link', { name: 'Audit log' }).click();
  await heading('Audit log');
  await page.locator('main table', { hasText: 'patient.read' }).waitFor();
  await shot('10-audit');
  log('admin pages work');

  // ---- researcher: outcomes only ----
  step = 'researcher';
  await logout();
  USERS.researcher = ['researcher1', 'researcher-pass-1'];
  await login('researcher');
  await heading('Outcomes');
  const nav = await page.locator('#nav a').allInnerTexts();
  expect(nav.join(',') === 'Outcomes', `a researcher's menu: ${nav.join(',')}`);
  await page.goto(`${base}/#/patient/E2E-001`);
  await heading('Not available');
  await page.goto(`${base}/#/patient/E2E-001/history/${encodeURIComponent('patients/E2E-001')}`);
  await heading('Not available');
  log('researcher sees outcomes only: no chart, no history');
} catch (e) {
  problems.push(e.message);
  try { await shot('failure'); } catch (e2) { /* keep the first error */ }
} finally {
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
log('web app end-to-end: all steps passed');
