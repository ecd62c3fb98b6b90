// The clinic's web app: a hash router over the pages listed in pages.js.
// The server enforces every permission; the menu, the pages and the buttons
// follow the user's `can` list (the server's permission matrix, sent with
// the user), so nurses and researchers see a short menu and nothing the
// server would refuse.
import { api, setCsrf, hasCsrf, onAuthLost } from './api.js';
import { h, clear, toast } from './dom.js';
import { loginView } from './views/login.js';
import { todayView } from './views/today.js';
import { patientsView, newPatientView } from './views/patients.js';
import { chartView } from './views/chart.js';
import { instrumentsView } from './views/instruments.js';
import { courseFormView, sessionFormView, outcomeFormView, aeFormView, endCourseView, linkView } from './views/course.js';
import { dashboardView } from './views/dashboard.js';
import { editView, voidView, historyView } from './views/amend.js';
import { usersView, userView, auditView, passwordView } from './views/admin.js';
import { deskView, dropoutsView, contactEditView } from './views/followup.js';
import { bookingsView, bookingFormView } from './views/bookings.js';
import { loadVocab, forgetVocab } from './vocab.js';
import { PAGES, may, mayOpen, matchPage, homePage } from './pages.js';
import { mergeView } from './views/merge.js';
import { protocolsView, protocolView } from './views/protocols.js';
import { readDateFormat, forgetDateFormat, localizeDates } from './dates.js';
import { settingsView } from './views/settings.js';

export const state = { user: null, flash: null, returnTo: '' };

// The view of each page in pages.js (the one list the tests read too).
const VIEWS = {
  login: loginView,
  today: todayView,
  patients: patientsView,
  'patient-new': newPatientView,
  chart: chartView,
  'course-new': courseFormView,
  'session-new': sessionFormView,
  'outcome-new': outcomeFormView,
  'ae-new': aeFormView,
  'course-end': endCourseView,
  link: linkView,
  'followup-desk': deskView,
  dropouts: dropoutsView,
  'contact-edit': contactEditView,
  'patient-edit': editView('patient'),
  'patient-void': voidView('patient'),
  'course-edit': editView('course'),
  'course-void': voidView('course'),
  'session-edit': editView('session'),
  'session-void': voidView('session'),
  'outcome-edit': editView('outcome'),
  'outcome-void': voidView('outcome'),
  'ae-edit': editView('ae'),
  'ae-void': voidView('ae'),
  'record-history': historyView,
  report: dashboardView,
  users: usersView,
  user: userView,
  audit: auditView,
  password: passwordView,
  'patient-merge': mergeView,
  protocols: protocolsView,
  protocol: protocolView,
  instruments: instrumentsView,
  bookings: bookingsView,
  'booking-new': bookingFormView,
  settings: settingsView,
};
for (const p of PAGES) if (!VIEWS[p.name]) throw new Error(`page ${p.name} has no view`);
for (const name of Object.keys(VIEWS)) if (!PAGES.some((p) => p.name === name)) throw new Error(`view ${name} is not in pages.js`);

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

export function homeFor(user) {
  return homePage(user);
}

function renderNav() {
  const top = document.getElementById('top');
  const nav = document.getElementById('nav');
  top.hidden = !state.user;
  clear(nav);
  if (!state.user) return;
  const here = location.hash.split('?')[0];
  for (const p of PAGES) {
    if (!p.nav || !mayOpen(state.user, p)) continue;
    const href = `#/${p.path}`;
    nav.append(h('a', { href, 'aria-current': here === href ? 'page' : null }, p.nav));
  }
  const who = document.getElementById('whoami');
  who.textContent = '';
  who.append(h('a', { href: '#/password', class: 'who-link', title: 'Change password' }, state.user.name),
    ` · ${state.user.role}${state.user.clinic ? ` · ${state.user.clinic}` : ''}`);
}

let routeSeq = 0;

let routedHash = '';

// "Skip to content" and any other in-page link (#main, no slash) moves
// focus to its target; it is not a page name and must not leave the page.
function inPageAnchor() {
  const hash = location.hash;
  if (!hash || hash.startsWith('#/')) return false;
  const target = document.getElementById(decodeURIComponent(hash.slice(1)));
  if (!target) return false;
  history.replaceState(null, '', routedHash || `${location.pathname}${location.search}`);
  focusOn(target);
  return true;
}

function focusOn(el) {
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus();
}

export async function route() {
  if (inPageAnchor()) return;
  routedHash = location.hash;
  const seq = ++routeSeq;
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const query = new URLSearchParams(qs || '');
  const main = document.getElementById('main');
  if (!state.user && path !== 'login') {
    go('#/login');
    return;
  }
  // A one-time password must be changed before anything else.
  if (state.user && state.user.must_change_password && path !== 'password') {
    go('#/password');
    return;
  }
  if (path === '' || (state.user && path === 'login')) {
    go(homeFor(state.user));
    return;
  }
  renderNav();
  const m = matchPage(path);
  clear(main);
  // data-page names what main shows (a page of pages.js, not-found,
  // not-available or error); aria-busy is set while it loads.
  main.removeAttribute('data-page');
  if (!m) {
    main.append(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: homeFor(state.user) }, 'Back to the start page')));
    main.dataset.page = 'not-found';
    return;
  }
  if (!mayOpen(state.user, m.page)) {
    main.append(h('h1', {}, 'Not available'), h('p', {}, 'Your role does not include this page.'));
    main.dataset.page = 'not-available';
    return;
  }
  main.setAttribute('aria-busy', 'true');
  main.append(h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  let shown = m.page.name;
  try {
    // The clinic's date format, read again on each navigation (another
    // user may have changed it), while the page loads (dates.js).
    const formatRead = state.user ? readDateFormat() : null;
    // The forms' lists come from the server once per login.
    if (state.user) await loadVocab();
    const content = await VIEWS[m.page.name]({ params: m.params, query, state, go, may });
    await formatRead;
    if (seq !== routeSeq) return; // a newer navigation won
    clear(main);
    main.append(content);
    localizeDates(main);
  } catch (e) {
    if (seq !== routeSeq) return;
    clear(main);
    main.removeAttribute('aria-busy');
    if (e && e.status === 401) return; // onAuthLost took over
    shown = 'error';
    main.append(h('h1', {}, 'Could not load this page'),
      h('p', { class: 'form-error' }, e && e.message ? e.message : String(e)),
      h('p', {}, h('a', { href: location.hash, class: 'button' }, 'Try again')));
    console.error(e);
  }
  if (seq !== routeSeq) return;
  main.removeAttribute('aria-busy');
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} · prolo` : 'prolo';
  if (state.flash) {
    const f = state.flash;
    state.flash = null;
    const note = h('div', { class: `notice ${f.tone || 'ok'}`, role: 'status' }, f.text,
      f.link ? [' ', h('a', { href: f.link.href }, f.link.text)] : null);
    if (heading) heading.after(note); else main.prepend(note);
  }
  // Keyboard and screen-reader users land on the new page's heading.
  const focusTarget = main.querySelector('[autofocus]') || heading;
  if (focusTarget) {
    if (!focusTarget.hasAttribute('tabindex') && focusTarget === heading) focusTarget.setAttribute('tabindex', '-1');
    focusTarget.focus({ preventScroll: false });
  }
  main.dataset.page = shown;
}

export function signedIn(user, csrf) {
  state.user = user;
  if (csrf) setCsrf(csrf);
  loadVocab().catch(() => {}); // early; route() waits for it and shows a failure
}

async function logout() {
  try {
    await api('POST', '/api/logout', {}, { quietAuth: true });
  } catch (e) {
    // the session may be gone already; leave anyway
  }
  state.user = null;
  setCsrf('');
  forgetVocab();
  forgetDateFormat();
  go('#/login');
}

async function boot() {
  onAuthLost(() => {
    if (!state.user) return;
    state.returnTo = location.hash; // back to this page after logging in again
    state.user = null;
    setCsrf('');
    forgetVocab();
    forgetDateFormat();
    toast('Your session has ended. Please log in again.');
    go('#/login');
  });
  document.getElementById('logout').addEventListener('click', logout);
  for (const a of document.querySelectorAll('a.skip')) {
    a.addEventListener('click', (ev) => {
      const target = document.getElementById(a.getAttribute('href').slice(1));
      if (!target) return;
      ev.preventDefault();
      focusOn(target);
    });
  }
  window.addEventListener('hashchange', route);
  // A reload keeps the session cookie and (in this tab) the CSRF token; a
  // session without a token it can send is treated as logged out.
  try {
    const me = await api('GET', '/api/me', undefined, { quietAuth: true });
    const user = me && (me.user || me);
    if (user && user.name && (me.csrf_token || hasCsrf())) signedIn(user, me.csrf_token);
  } catch (e) {
    setCsrf('');
  }
  route();
}

boot();
