// Shared by the accessibility and keyboard tests: the users of e2e.sh,
// logging in and out, a patient with courses to show on every page, and
// the app's own list of pages (web/js/pages.js, which its router uses), so
// that a new page is checked as soon as it is routed.

export const USERS = {
  admin: ['admin', 'admin-pass-1'],
  clinician: ['drsmith', 'clinician-pass-1'],
  staff: ['nurse', 'staff-pass-1'],
  researcher: ['analyst', 'researcher-pass-2'],
};
export const ROLES = Object.keys(USERS);

// A browser test's bounded run: a watchdog that fails it after seconds,
// timestamped log lines, the problems watchProblems collects, and expect,
// whose error names the step the test is at (h.step).
export function harness(what, seconds) {
  const t0 = Date.now();
  const h = {
    step: 'start',
    problems: [],
    watchdog: setTimeout(() => { console.error(`FAIL: the ${what} test did not finish within ${seconds} s`); process.exit(1); }, seconds * 1000),
    log: (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`),
    expect: (ok, msg) => { if (!ok) throw new Error(`${h.step}: ${msg}`); },
  };
  return h;
}

// A day counted from the run's day (PROLO_TODAY, the server's; else the
// clock's), as YYYY-MM-DD.
export function isoDay(offsetDays) {
  const day = process.env.PROLO_TODAY ? Date.parse(`${process.env.PROLO_TODAY}T12:00:00Z`) : Date.now();
  return new Date(day + offsetDays * 86400000).toISOString().slice(0, 10);
}

// Collects page errors, console errors and requests outside the app.
export function watchProblems(page, base, problems) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (400|401|403|404|409|410)/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !/^(data|blob|about):/.test(u)) problems.push(`request outside the app: ${u}`);
  });
}

// Shows #/PATH and waits until main says which page it shows (data-page,
// set by the router once the page is drawn and focused). Returns it.
export async function show(page, base, path) {
  await page.evaluate(() => { const m = document.getElementById('main'); if (m) m.removeAttribute('data-page'); });
  const url = `${base}/#/${path}`;
  if (page.url() === url) await page.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
  else await page.goto(url);
  const main = page.locator('main[data-page]:not([aria-busy])');
  await main.waitFor();
  return main.getAttribute('data-page');
}

export async function login(page, base, role) {
  const [name, pw] = USERS[role];
  await show(page, base, 'login');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#top:not([hidden])').waitFor();
  await page.locator('main[data-page]:not([aria-busy])').waitFor();
}

export async function logout(page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('main[data-page="login"]').waitFor();
}

// A JSON request from the logged-in page (its cookie and CSRF token).
export async function apiCall(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const headers = { Accept: 'application/json', 'X-CSRF-Token': sessionStorage.getItem('prolo.csrf') || '' };
    if (b !== undefined) headers['Content-Type'] = 'application/json';
    if (m === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
    const r = await fetch(p, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    return { status: r.status, data };
  }, [method, path, body]);
}

async function must(page, method, path, body) {
  const r = await apiCall(page, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

// A patient whose chart has something in every part: a running course
// with sessions, pain scores and a side effect (and so an alert), and an
// ended one (so the outcomes have numbers). Made once per registry, as the
// clinician; returns the ids the pages are shown with.
export const PID = 'A11Y-001';
export async function seed(page) {
  const have = await apiCall(page, 'GET', `/api/patients/${PID}`);
  if (have.status === 200) return samples(have.data);
  await must(page, 'POST', '/api/patients', {
    patient_id: PID, clinic: 'C01', sex: 'male', birth_year: 1955, first_name: 'Alan', last_name: 'Turing',
    contraindications: 'anticoagulants',
  });
  const course = async (cid, condition, start, scores, ended) => {
    await must(page, 'POST', '/api/courses', {
      course_id: cid, patient_id: PID, modality: 'dextrose', condition, start_date: start,
      planned_sessions: 3, interval_days: 21, status: 'planned',
    });
    for (let i = 0; i < scores.length; i++) {
      const day = isoDay(-60 + 21 * i);
      await must(page, 'POST', '/api/outcomes', { course_id: cid, date: day, instrument: 'NRS', items: [scores[i]] });
      if (i < 2) {
        await must(page, 'POST', '/api/sessions', {
          course_id: cid, session_no: i + 1, date: day, proliferant: 'dextrose', concentration_pct: 15,
          injections: [{ course_id: cid, session_no: i + 1, seq: 1, site: 'medial collateral ligament', side: 'left', volume_ml: 4 },
            { course_id: cid, session_no: i + 1, seq: 2, site: 'pes anserinus', side: 'left', volume_ml: 3 }],
        });
      }
    }
    await must(page, 'POST', '/api/adverse-events', { course_id: cid, date: isoDay(-59), kind: 'soreness', duration_days: 3, grade: 1 });
    if (ended) await must(page, 'POST', `/api/courses/${cid}/end`, { status: 'completed', end_date: isoDay(-18), reason: 'pain much lower' });
  };
  await course(`${PID}-C1`, 'knee_oa', isoDay(-60), [7, 5, 3], true);
  await course(`${PID}-C2`, 'tendinopathy', isoDay(-60), [8, 6], false);
  // its next session booked, so the chart and the bookings show one
  await must(page, 'POST', '/api/bookings', { course_id: `${PID}-C2`, date: isoDay(0), time: '23:30' });
  return samples(await must(page, 'GET', `/api/patients/${PID}`));
}

// The sample values of the pages' :name parts, from the running course of
// the chart: its first session, assessment and side effect (the pages
// that correct a record), and its first assessment's name for the history
// page (its API collection and key, as one path segment).
function samples(chart) {
  const c = (chart.courses || []).find((x) => x.status === 'planned' || x.status === 'active');
  const o = c.outcomes[0];
  return {
    pid: PID, cid: c.course_id, sno: c.sessions[0].session_no, date: o.date, instrument: o.instrument,
    seq: c.adverse_events[0].seq, record: `outcomes/${c.course_id}/${o.date}/${o.instrument}`,
    name: 'dextrose-lbp', // a shipped protocol (protocols/default.protocols)
    user: 'nurse', // a user's page (users/:user)
  };
}

// The app's pages, read from the running app (the module its router uses).
export async function appPages(page) {
  return page.evaluate(async () => {
    const m = await import('/static/js/pages.js');
    return m.PAGES;
  });
}

export function mayOpen(can, p) {
  return p.needs.every((r) => can.includes(r));
}

// The page's path with its :name segments filled in from params.
export function pathFor(p, params) {
  return p.path.split('/').map((seg) => {
    if (!seg.startsWith(':')) return seg;
    const v = params[seg.slice(1)];
    if (v === undefined) throw new Error(`page ${p.name}: no sample value for :${seg.slice(1)} (add one to the tests)`);
    return encodeURIComponent(v);
  }).join('/');
}

export async function userCan(page) {
  const me = await apiCall(page, 'GET', '/api/me');
  return (me.data && me.data.user && me.data.user.can) || [];
}
