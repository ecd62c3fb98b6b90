// Keyboard use of every page of the web app (the app's own list,
// web/js/pages.js) as an administrator, who may open them all, plus the
// login page and the patient's questionnaire page: Tab goes through every
// control, in document order (no positive tabindex, nothing skipped), each
// stop is a control the keyboard can work (a link, button, form control,
// summary, or a scrolling region) and shows a focus ring at least 2 px wide
// with at least 3:1 contrast against the colour behind it. "Skip to
// content" moves focus into main without changing the page. Dialogs (none
// yet) must keep focus inside and give it back when they close. Enter and
// Space work the menu, links, buttons, disclosure triangles, the pain
// scale and the forms (log in, search, answer the questionnaire).
// usage: node keyboard.mjs BASE_URL ARTIFACT_DIR   (users: see e2e.sh)
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { watchProblems, show, login, logout, apiCall, seed, appPages, pathFor, USERS } from './lib/app.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node keyboard.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
const watchdog = setTimeout(() => { console.error('FAIL: the keyboard test did not finish within 420 s'); process.exit(1); }, 420000);
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const problems = [];
const fail = (msg) => problems.push(msg);

const b = await launch({ viewport: { width: 1280, height: 900 }, timeout: 15000 });
const page = await b.context.newPage();
watchProblems(page, base, problems);

// Numbers the tab stops in document order (data-kb) and describes them.
async function markStops() {
  return page.evaluate(() => {
    for (const el of document.querySelectorAll('[data-kb]')) el.removeAttribute('data-kb');
    const reachable = (el) => {
      if (el.disabled || el.tabIndex < 0 || el.closest('[hidden], [inert]')) return false;
      for (let a = el.parentElement; a; a = a.parentElement) {
        if (a.tagName === 'DETAILS' && !a.open && !(el.tagName === 'SUMMARY' && el.parentElement === a)) return false;
      }
      const st = getComputedStyle(el);
      return st.visibility !== 'hidden' && el.getClientRects().length > 0;
    };
    const stops = Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')).filter(reachable);
    return stops.map((el, i) => {
      el.dataset.kb = String(i);
      return {
        i,
        key: el.type === 'radio' ? `radio group ${el.name}` : `#${i}`,
        what: `<${el.tagName.toLowerCase()}${el.getAttribute('role') ? ` role=${el.getAttribute('role')}` : ''}> "${(el.getAttribute('aria-label') || el.textContent || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`,
        inMain: !!el.closest('main'),
        skip: el.matches('a.skip'),
      };
    });
  });
}

// What has focus, and how its focus ring looks against what is behind it.
async function focused() {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { kb: null };
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c || '');
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = (c) => {
      const f = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    let ringEl = el;
    let st = getComputedStyle(el);
    // a visually hidden radio shows its ring on its label
    if ((st.outlineStyle === 'none' || parseFloat(st.outlineWidth) === 0) && el.type === 'radio' && el.closest('label')) {
      ringEl = el.closest('label');
      st = getComputedStyle(ringEl);
    }
    const width = st.outlineStyle === 'none' ? 0 : parseFloat(st.outlineWidth) || 0;
    const inside = (parseFloat(st.outlineOffset) || 0) < 0;
    const layers = [];
    for (let a = inside ? ringEl : ringEl.parentElement; a; a = a.parentElement) {
      const c = parse(getComputedStyle(a).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255 };
    for (const c of layers.reverse()) bg = { r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a), b: c.b * c.a + bg.b * (1 - c.a) };
    const ring = parse(st.outlineColor) || { r: 0, g: 0, b: 0 };
    const [hi, lo] = [lum(ring), lum(bg)].sort((x, y) => y - x);
    return {
      kb: el.dataset.kb ?? null,
      tag: el.tagName.toLowerCase(),
      parts: el.tagName === 'INPUT' && /^(date|time|datetime-local|month|week)$/.test(el.type),
      native: el.matches('a[href], button, input, select, textarea, summary'),
      region: el.getAttribute('role') === 'region' && el.tabIndex === 0,
      width, ratio: (hi + 0.05) / (lo + 0.05), ring: st.outlineColor,
      bg: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`,
      inMain: !!el.closest('main'),
      text: (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 40),
    };
  });
}

function checkRing(where, f) {
  if (f.width < 2) fail(`${where}: <${f.tag}> "${f.text}" has no visible focus ring (outline ${f.width} px)`);
  else if (f.ratio < 3) fail(`${where}: the focus ring of <${f.tag}> "${f.text}" (${f.ring} on ${f.bg}) has a contrast of ${f.ratio.toFixed(2)}:1, below 3:1`);
}

// Tabs from the first stop round to it again.
async function tabThrough(where) {
  const stops = await markStops();
  if (!stops.length) { fail(`${where}: nothing to tab to`); return stops; }
  await page.evaluate(() => document.querySelector('[data-kb="0"]').focus());
  const reached = new Set([stops[0].key]);
  let last = 0;
  let outside = 0;
  // (a date field takes one Tab per part: day, month, year)
  for (let n = 0; n < 3 * stops.length + 4; n++) {
    await page.keyboard.press('Tab');
    const f = await focused();
    if (f.kb === null) {
      // past the last control focus leaves the page once, then wraps
      if (++outside > 2) { fail(`${where}: focus left the page and did not come back`); break; }
      continue;
    }
    const i = Number(f.kb);
    checkRing(where, f);
    if (i === 0) break; // round again
    if (!f.native && !f.region) fail(`${where}: <${f.tag}> "${f.text}" takes focus but is not a control the keyboard can work`);
    if (i < last || (i === last && !f.parts)) fail(`${where}: focus went back from ${stops[last].what} to ${stops[i].what}`);
    last = i;
    reached.add(stops[i].key);
  }
  const missed = [...new Set(stops.map((s) => s.key))].filter((k) => !reached.has(k));
  for (const k of missed) fail(`${where}: Tab never reaches ${stops.find((s) => s.key === k).what}`);
  return stops;
}

async function pressOn(selector, key) {
  await page.locator(selector).first().focus();
  await page.keyboard.press(key);
}

// Dialogs: an opener (aria-haspopup=dialog) opens one with Enter; focus
// goes in, stays in under Tab, and comes back to the opener on Escape.
async function checkDialogs(where) {
  const openers = await page.locator('main [aria-haspopup="dialog"]').count();
  for (let k = 0; k < openers; k++) {
    const opener = page.locator('main [aria-haspopup="dialog"]').nth(k);
    await opener.focus();
    await page.keyboard.press('Enter');
    const dlg = page.locator('dialog[open], [role="dialog"]:not([hidden]), [role="alertdialog"]:not([hidden])').first();
    await dlg.waitFor({ timeout: 5000 });
    for (let n = 0; n < 12; n++) {
      if (!await dlg.evaluate((d) => d.contains(document.activeElement))) { fail(`${where}: focus left an open dialog`); break; }
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'hidden', timeout: 5000 });
    if (!await opener.evaluate((o) => o === document.activeElement)) fail(`${where}: closing a dialog did not give focus back to its opener`);
  }
  return openers;
}

let pagesDone = 0;
let dialogs = 0;
try {
  // ---- logged out: log in with the keyboard only ----
  await page.goto(`${base}/#/login`);
  await page.locator('main[data-page="login"]').waitFor();
  await tabThrough('login page');
  const [name, pw] = USERS.admin;
  await page.getByLabel('User name').focus();
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(pw);
  await page.keyboard.press('Enter');
  await page.locator('#top:not([hidden])').waitFor();
  await page.locator('main[data-page]:not([aria-busy])').waitFor();
  log('logged in with the keyboard');
  await logout(page);
  await login(page, base, 'clinician');
  const params = await seed(page);
  await logout(page);
  await login(page, base, 'admin');

  const pages = await appPages(page);
  for (const p of pages) {
    if (p.name === 'login') continue;
    const where = `${p.name} (#/${p.path})`;
    const hashPath = pathFor(p, params);
    const shown = await show(page, base, hashPath);
    if (shown !== p.name) { fail(`${where}: shows "${shown}"`); continue; }
    const stops = await tabThrough(where);
    if (!stops[0] || !stops[0].skip) fail(`${where}: the first stop is not "Skip to content"`);
    // Skip to content: focus into main, same page, next Tab inside main.
    const hash = await page.evaluate(() => location.hash);
    await pressOn('a.skip', 'Enter');
    const after = await page.evaluate(() => ({
      hash: location.hash, page: (document.querySelector('main') || {}).dataset?.page,
      inMain: !!document.activeElement.closest('main'),
    }));
    if (after.hash !== hash || after.page !== p.name) fail(`${where}: "Skip to content" changed the page (to ${after.hash}, ${after.page})`);
    if (!after.inMain) fail(`${where}: "Skip to content" did not move focus to the main content`);
    await page.keyboard.press('Tab');
    const next = await focused();
    const firstInMain = stops.find((s) => s.inMain);
    // (a radio group is one stop: Tab enters it at its chosen radio)
    if (firstInMain && Number(next.kb) !== firstInMain.i && (stops[Number(next.kb)] || {}).key !== firstInMain.key) fail(`${where}: after "Skip to content", Tab goes to "${next.text}", not to ${firstInMain.what}`);
    dialogs += await checkDialogs(where);
    pagesDone += 1;

    // Enter and Space on this page's own controls.
    if (p.name === 'chart') {
      const fig = 'article.course:last-of-type .chart-data > summary';
      await pressOn(fig, 'Enter');
      if (!await page.locator('article.course:last-of-type .chart-data').first().evaluate((d) => d.open)) fail(`${where}: Enter does not open a chart's table`);
      await pressOn(fig, 'Space');
      if (await page.locator('article.course:last-of-type .chart-data').first().evaluate((d) => d.open)) fail(`${where}: Space does not close a chart's table`);
      await pressOn('article.course:last-of-type a:text-is("Record a questionnaire")', 'Enter');
      await page.locator('main[data-page="outcome-new"]').waitFor();
    }
    if (p.name === 'session-new') {
      const rows = () => page.locator('.injection-row').count();
      const n0 = await rows();
      await pressOn('button.add-injection', 'Space');
      if (await rows() !== n0 + 1) fail(`${where}: Space on "+ Add injection" does not add a row`);
      await pressOn(`button[aria-label="Remove injection ${n0 + 1}"]`, 'Enter');
      if (await rows() !== n0) fail(`${where}: Enter on "Remove" does not remove the row`);
      const f = await focused();
      if (f.kb === null && f.tag === undefined) fail(`${where}: focus is lost after removing a row`);
    }
    if (p.name === 'outcome-new') {
      await pressOn('.scale input[type="radio"]', 'Space');
      await page.keyboard.press('ArrowRight');
      const v = await page.locator('.scale input:checked').getAttribute('value');
      if (v !== '1') fail(`${where}: Space and an arrow key on the pain scale chose ${v}, not 1`);
    }
    if (p.name === 'patients') {
      await page.locator('#patient-q').focus();
      await page.keyboard.type('Turing');
      await page.keyboard.press('Enter');
      await page.locator('main[data-page="patients"] a', { hasText: params.pid }).waitFor();
    }
  }
  // The menu and the log-out button with the keyboard.
  await pressOn('#nav a:text-is("Patients")', 'Enter');
  await page.locator('main[data-page="patients"]').waitFor();
  await pressOn('#logout', 'Space');
  await page.locator('main[data-page="login"]').waitFor();
  log(`${pagesDone} pages tabbed through as admin; ${dialogs} dialogs`);

  // ---- the patient's questionnaire page, on a phone ----
  await login(page, base, 'clinician');
  const made = await apiCall(page, 'POST', '/api/questionnaire-links', { patient_id: params.pid, course_id: params.cid, instrument: 'NRS' });
  if (made.status >= 300) throw new Error(`could not make a questionnaire link: ${made.status}`);
  await logout(page);
  await b.context.clearCookies();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(new URL(made.data.url, base).href);
  await page.locator('#q-form:not([hidden])').waitFor();
  await tabThrough('questionnaire page');
  await pressOn('.scale input[type="radio"]', 'Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const v = await page.locator('.scale input:checked').getAttribute('value');
  if (v !== '2') fail(`questionnaire page: Space and arrow keys chose ${v}, not 2`);
  await page.keyboard.press('Tab');
  const f = await focused();
  if (!/Send my answers/.test(f.text)) fail(`questionnaire page: Tab after the scale goes to "${f.text}", not to "Send my answers"`);
  // Enter sends the answers: the page thanks the patient or, when the
  // accessibility test already answered for this course today, shows the
  // server's refusal; either way the keyboard sent the form.
  await page.keyboard.press('Enter');
  await page.locator('.thanks, #q-error:not([hidden]):not(:empty)').first().waitFor();
  await page.screenshot({ path: path.join(outDir, 'keyboard-questionnaire.png') });
  log(`questionnaire page sent with the keyboard (${await page.locator('.thanks').count() ? 'thanked' : 'refused as a second answer today'})`);
} catch (e) {
  fail(`stopped: ${e.message}`);
  try { await page.screenshot({ path: path.join(outDir, 'keyboard-failure.png'), fullPage: true }); } catch (e2) { /* keep the first error */ }
} finally {
  await b.close();
  clearTimeout(watchdog);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
log('keyboard: every page passed');
