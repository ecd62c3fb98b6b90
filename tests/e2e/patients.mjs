// A patient's registry life in the browser: the front desk registers a
// patient twice and the form shows the possible duplicate (with a link to
// its chart) and registers only when told "another person"; a clinician
// plans a course from a protocol picked from the list (which says what
// each holds), records a session and finds the next session's form
// filled in from it (the last visit's sites as rows to confirm, the
// condition's sites offered), and a dextrose concentration outside the
// protocol asked about before it is saved; a contraindication recorded
// later shows on the course; an edit that makes a patient look like
// another waits for confirmation as a registration does; the duplicate is
// picked from the merge page's list of possible duplicates, merged into the
// first registration and the merge undone by an admin; the
// clinic's date format shows on the chart. Every wait is bounded.
// usage: node patients.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { harness, watchProblems, show, login, logout, apiCall, isoDay } from './lib/app.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node patients.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const h = harness('patients browser', 240);
const { log, problems, expect, watchdog } = h;

const b = await launch({ viewport: { width: 1280, height: 1000 }, timeout: 15000 });
const page = await b.context.newPage();
watchProblems(page, base, problems);
const shot = (name) => page.screenshot({ path: path.join(outDir, `patients-${name}.png`), fullPage: true });
const heading = (text) => page.locator('main h1', { hasText: text }).first().waitFor({ state: 'visible' });

async function register(id, first, last, year, phone) {
  await show(page, base, 'patients/new');
  await page.getByLabel('First name').fill(first);
  await page.getByLabel('Last name').fill(last);
  await page.getByLabel('Patient id').fill(id);
  await page.getByLabel('Sex').selectOption('female');
  await page.getByLabel('Year of birth').fill(String(year));
  if (phone) await page.getByLabel('Phone').fill(phone);
  await page.getByRole('button', { name: 'Register patient' }).click();
}

try {
  // ---- the front desk registers a patient twice ----
  h.step = 'duplicate';
  await login(page, base, 'staff');
  await register('GH-1', 'Grace', 'Hopper', 1906, '+1 555 010 2030');
  await heading('Grace Hopper');
  await register('GH-2', 'grace', 'HOPPER', 1906);
  const box = page.locator('.confirm-box .notice');
  await box.waitFor({ state: 'visible' });
  const text = await box.innerText();
  expect(/possibly registered already/.test(text), `the warning reads: ${text}`);
  expect(await box.getByRole('link', { name: 'Grace Hopper (GH-1)' }).count() === 1, 'the match is not linked');
  expect(/same name and year of birth/.test(text), `the match does not say why: ${text}`);
  expect((await page.locator('[data-field="last_name"] .field-error').innerText()).length > 0, 'the field at fault is not named');
  const none = await apiCall(page, 'GET', '/api/patients?q=GH-2');
  expect(none.data.patients.length === 0, 'the duplicate was saved before it was confirmed');
  await shot('01-duplicate');
  await box.getByRole('button', { name: 'Register anyway: another person' }).click();
  await heading('grace HOPPER');
  log('a possible duplicate is shown and registered only when confirmed');

  // ---- an edit that makes a patient look like another waits as well ----
  h.step = 'edit duplicate';
  await register('AL-1', 'Ada', 'Lovelace', 1965);
  await heading('Ada Lovelace');
  await show(page, base, 'patient/AL-1/edit');
  await page.getByLabel('Phone').fill('555-010-2030');
  await page.getByLabel('Reason for the change').fill('new phone number');
  await page.getByRole('button', { name: 'Save the change' }).click();
  const ebox = page.locator('.confirm-box .notice');
  await ebox.waitFor({ state: 'visible' });
  const etext = await ebox.innerText();
  expect(/possibly registered already/.test(etext), `the edit's warning reads: ${etext}`);
  expect(await ebox.getByRole('link', { name: 'Grace Hopper (GH-1)' }).count() === 1, 'the edit\'s match is not linked');
  expect(/same phone/.test(etext), `the edit's match does not say why: ${etext}`);
  expect((await page.locator('[data-field="phone"] .field-error').innerText()).length > 0, 'the edit\'s field at fault is not named');
  const unsaved = await apiCall(page, 'GET', '/api/patients/AL-1');
  expect(!unsaved.data.patient.phone && unsaved.data.patient.version === 1, 'the edit was saved before it was confirmed');
  await shot('01b-edit-duplicate');
  await ebox.getByRole('button', { name: 'Save anyway: another person' }).click();
  await heading('Ada Lovelace');
  const saved = await apiCall(page, 'GET', '/api/patients/AL-1');
  expect(saved.data.patient.phone === '555-010-2030' && saved.data.patient.version === 2, 'the confirmed edit was not saved');
  log('an edit into a possible duplicate is shown and saved only when confirmed');

  // ---- a course from a protocol picked from the list ----
  h.step = 'protocols';
  await logout(page);
  await login(page, base, 'clinician');
  const nav = await page.locator('#nav a').allInnerTexts();
  expect(nav.includes('Protocols'), `the clinician's menu lacks Protocols: ${nav}`);
  await page.locator('#nav a', { hasText: 'Protocols' }).click();
  await heading('Protocols');
  const row = page.locator('main table tr', { hasText: 'Dextrose prolotherapy, knee osteoarthritis' });
  expect(/3 sessions, every 28 days/.test(await row.innerText()), 'the list does not say what the protocol holds');
  await row.getByRole('link').click();
  await heading('Dextrose prolotherapy, knee osteoarthritis');
  const facts = await page.locator('main dl.facts').innerText();
  expect(/15–25 %/.test(facts) && /0\.5–6 mL per site/.test(facts) && /pes anserine/.test(facts), `the protocol page reads: ${facts}`);
  await shot('02-protocol');
  h.step = 'plan';
  await show(page, base, 'patient/GH-1/course/new');
  await page.getByLabel('Condition').selectOption('knee_oa');
  await page.getByLabel('Treatment').selectOption('dextrose');
  const protocolInput = page.getByLabel('Protocol (optional)');
  expect(await protocolInput.getAttribute('list') === 'protocol-options', 'the protocol field offers no list');
  const offered = await page.locator('#protocol-options option').evaluateAll((os) => os.map((o) => `${o.value} ${o.textContent}`));
  expect(offered.some((o) => o.startsWith('dextrose-knee-oa') && /3 sessions/.test(o)), `the protocols offered: ${offered}`);
  await protocolInput.fill('dextrose-knee-oa');
  await page.locator('.protocol-holds', { hasText: '3 sessions, every 28 days' }).waitFor();
  await page.getByLabel('Start date').fill(isoDay(-40));
  await page.getByRole('button', { name: 'Plan course' }).click();
  await heading('Grace Hopper');
  log('course planned from a protocol picked from the list');

  // ---- session 1, then session 2's form starts from it ----
  h.step = 'session 1';
  const course = page.locator('article.course').first();
  await course.getByRole('link', { name: 'Record a session' }).click();
  await heading('Record session 1');
  expect(await page.locator('.session-fields [name="proliferant"]').inputValue() === 'dextrose', 'the injectate does not come from the protocol');
  expect(await page.locator('.session-fields [name="concentration_pct"]').inputValue() === '25', 'the concentration does not come from the protocol');
  expect(await page.locator('.session-fields [name="anaesthetic"]').inputValue() === 'lidocaine', 'the anaesthetic does not come from the protocol');
  const siteList = await page.locator('.injection-row [name="site"]').first().getAttribute('list');
  const sitesOffered = await page.locator(`datalist#${siteList} option`).evaluateAll((os) => os.map((o) => o.value));
  expect(sitesOffered.includes('pes anserine') && !sitesOffered.includes('L5-S1 facet capsule'), `the knee course offers: ${sitesOffered}`);
  await page.locator('.session-fields [name="date"]').fill(isoDay(-40));
  const sites = ['pes anserine', 'medial collateral ligament', 'intra-articular knee'];
  await page.getByRole('button', { name: '+ Add injection' }).click();
  await page.getByRole('button', { name: '+ Add injection' }).click();
  const rows = page.locator('.injection-row');
  for (let i = 0; i < 3; i++) {
    await rows.nth(i).locator('[name="site"]').fill(sites[i]);
    await rows.nth(i).locator('[name="side"]').selectOption('right');
    await rows.nth(i).locator('[name="volume_ml"]').fill(String(i + 2));
  }
  await page.getByRole('button', { name: 'Record session' }).click();
  await heading('Grace Hopper');
  h.step = 'session 2 pre-filled';
  await course.getByRole('link', { name: 'Record a session' }).click();
  await heading('Record session 2');
  expect(await rows.count() === 3, `session 2 starts with ${await rows.count()} rows, not the 3 sites of session 1`);
  for (let i = 0; i < 3; i++) {
    expect(await rows.nth(i).locator('[name="site"]').inputValue() === sites[i], `row ${i + 1} is not ${sites[i]}`);
    expect(await rows.nth(i).locator('[name="side"]').inputValue() === 'right', `row ${i + 1} lost its side`);
    expect(await rows.nth(i).locator('[name="volume_ml"]').inputValue() === String(i + 2), `row ${i + 1} lost its volume`);
  }
  expect(/injections of session 1/.test(await page.locator('.prefilled').innerText()), 'the form does not say where the rows come from');
  await shot('03-session-prefilled');
  // A row taken over is given only when confirmed.
  await page.locator('.session-fields [name="date"]').fill(isoDay(-12));
  await page.getByRole('button', { name: 'Record session' }).click();
  const unconfirmed = rows.nth(0).locator('[data-field="confirmed"] .field-error');
  await unconfirmed.waitFor({ state: 'visible' });
  expect(/Given again today/.test(await unconfirmed.innerText()), 'an unconfirmed row is not refused at the row');
  await rows.nth(2).getByRole('button', { name: 'Remove injection 3' }).click();
  for (let i = 0; i < 2; i++) await rows.nth(i).getByLabel(/Given again today/).check();
  h.step = 'implausible concentration';
  await page.locator('.session-fields [name="date"]').fill(isoDay(-12));
  await page.locator('.session-fields [name="concentration_pct"]').fill('40');
  for (let i = 0; i < 2; i++) await rows.nth(i).locator('[name="concentration_pct"]').fill('40');
  await page.getByRole('button', { name: 'Record session' }).click();
  const ask = page.locator('.confirm-box .notice');
  await ask.waitFor({ state: 'visible' });
  expect(/outside protocol dextrose-knee-oa/.test(await ask.innerText()), `the warning reads: ${await ask.innerText()}`);
  const chart0 = await apiCall(page, 'GET', '/api/patients/GH-1');
  expect(chart0.data.courses[0].sessions.length === 1, 'the session was saved before it was confirmed');
  await ask.getByRole('button', { name: 'Save anyway' }).click();
  await heading('Grace Hopper');
  expect(await page.locator('tr.session-row').count() === 2, 'the confirmed session is not on the chart');
  const s2 = (await apiCall(page, 'GET', '/api/patients/GH-1')).data.courses[0].sessions.find((x) => x.session_no === 2);
  expect(s2.injections.map((i) => i.site).join(',') === 'pes anserine,medial collateral ligament', `session 2 holds ${JSON.stringify(s2.injections)}`);
  log('session form pre-filled from the last visit; an implausible concentration confirmed');

  // ---- a contraindication recorded later shows on the course ----
  h.step = 'late contraindication';
  const pt = await apiCall(page, 'PATCH', '/api/patients/GH-1', { contraindications: ['anticoagulants', 'bleeding_disorder'], reason: 'told us today' });
  expect(pt.status === 200, `amending the patient: ${pt.status}`);
  await show(page, base, 'patient/GH-1');
  const warn = page.locator('article.course .course-warnings');
  await warn.waitFor({ state: 'visible' });
  expect(/Recorded after this course was planned/.test(await warn.innerText()), 'the course does not warn');
  log('a contraindication recorded later warns on the course');

  // ---- merge the duplicate from the chart ----
  h.step = 'merge';
  await logout(page);
  await login(page, base, 'staff');
  await apiCall(page, 'POST', '/api/courses', { course_id: 'GH-2-C1', patient_id: 'GH-2', modality: 'prp', condition: 'knee_oa', start_date: isoDay(-5), planned_sessions: 3 });
  await show(page, base, 'patient/GH-1');
  await page.getByRole('link', { name: 'Merge a duplicate' }).click();
  await heading('Merge a duplicate');
  await page.getByRole('button', { name: 'Merge into this patient' }).click();
  expect((await page.locator('[data-field="merged"] .field-error').innerText()).length > 0, 'an empty id is not refused at the field');
  // The possible duplicates are listed, each picked with its button (by keyboard here).
  const dups = page.locator('ul.duplicate-list li');
  await dups.first().waitFor({ state: 'visible' });
  const found = await dups.allInnerTexts();
  expect(found.length === 2 && /^Ada Lovelace \(AL-1\), born 1965: same phone/.test(found[0]) &&
    /^grace HOPPER \(GH-2\), born 1906: same name and year of birth/.test(found[1]), `the possible duplicates: ${found}`);
  await page.getByRole('button', { name: 'Pick grace HOPPER (GH-2) as the duplicate to merge' }).focus();
  await page.keyboard.press('Enter');
  expect(await page.getByLabel('Patient id of the duplicate').inputValue() === 'GH-2', 'picking did not fill in the id');
  expect(await page.evaluate(() => document.activeElement && document.activeElement.name) === 'reason', 'the reason is not next after picking');
  await page.locator('.pick-status', { hasText: 'grace HOPPER (GH-2) picked' }).waitFor();
  await shot('03b-merge-pick');
  await page.keyboard.type('registered twice: same name and birth year');
  await page.getByRole('button', { name: 'Merge into this patient' }).click();
  await heading('Grace Hopper');
  expect(await page.locator('article.course').count() === 2, 'the duplicate\'s course did not move');
  expect(/Merged into this patient: GH-2/.test(await page.locator('.merged-list').innerText()), 'the chart does not list the merge');
  await show(page, base, 'patient/GH-2');
  await page.locator('.merged-from', { hasText: 'GH-2 was merged into this patient (GH-1)' }).waitFor();
  expect(await page.locator('main h1').innerText() === 'Grace Hopper', 'the merged id does not lead to the survivor');
  await shot('04-merged');
  expect(await page.getByRole('button', { name: /^Undo the merge/ }).count() === 0, 'staff are offered to undo a merge');
  await show(page, base, 'patient/GH-1/merge');
  expect(await page.getByRole('button', { name: /^Undo the merge/ }).count() === 0, 'staff are offered to undo a merge');
  h.step = 'unmerge';
  await logout(page);
  await login(page, base, 'admin');
  await show(page, base, 'patient/GH-1/merge');
  await page.getByLabel('Why undo the merge of GH-2').fill('two people after all');
  await page.getByRole('button', { name: 'Undo the merge of GH-2' }).click();
  await heading('Grace Hopper');
  expect(await page.locator('article.course').count() === 1, 'the course did not go back');
  await show(page, base, 'patient/GH-2');
  expect(await page.locator('article.course').count() === 1 && await page.locator('.merged-from').count() === 0, 'GH-2 is not itself again');
  log('merged from the chart, undone by an admin');

  // ---- the clinic's date format ----
  h.step = 'date format';
  const set = await apiCall(page, 'PATCH', '/api/settings', { clinic: 'C01', date_format: 'dmy' });
  expect(set.status === 200, `setting the date format: ${set.status}`);
  await logout(page);
  await login(page, base, 'staff');
  await show(page, base, 'patient/GH-1');
  const [y, m, d] = isoDay(-40).split('-');
  const started = await page.locator('article.course dl.facts').first().innerText();
  expect(started.includes(`${d}.${m}.${y}`) && !started.includes(isoDay(-40)), `the chart shows: ${started}`);
  await shot('05-dmy');
  await logout(page);
  await login(page, base, 'admin');
  await apiCall(page, 'PATCH', '/api/settings', { clinic: 'C01', date_format: 'iso' });
  log('dates in the clinic\'s format');
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
log('patients in the browser: all steps passed');
