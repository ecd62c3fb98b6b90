// The clinic's web app: a hash router over a handful of views. The server
// enforces every permission; the navigation only hides what a role cannot
// use so that nurses and researchers see a short, relevant menu.
import { api, setCsrf, hasCsrf, onAuthLost } from './api.js';
import { h, clear, toast } from './dom.js';
import { loginView } from './views/login.js';
import { todayView } from './views/today.js';
import { patientsView, newPatientView } from './views/patients.js';
import { chartView } from './views/chart.js';
import { courseFormView, sessionFormView, outcomeFormView, aeFormView, endCourseView, linkView } from './views/course.js';
import { dashboardView } from './views/dashboard.js';
import { usersView, auditView, passwordView } from './views/admin.js';
import { loadVocab, forgetVocab } from './vocab.js';

export const state = { user: null, flash: null, returnTo: '' };

// What each role may open (mirrors docs/security.md; the server decides).
export const can = {
  clinical: (u) => !!u && u.role !== 'researcher',
  recordSession: (u) => !!u && (u.role === 'admin' || u.role === 'clinician'),
  admin: (u) => !!u && u.role === 'admin',
  report: (u) => !!u,
};

const NAV = [
  ['#/today', 'Today', can.clinical],
  ['#/patients', 'Patients', can.clinical],
  ['#/patients/new', 'New patient', can.clinical],
  ['#/report', 'Outcomes', can.report],
  ['#/users', 'Users', can.admin],
  ['#/audit', 'Audit log', can.admin],
];

// Route table: [pattern, view, permission]. Patterns use :name segments.
const ROUTES = [
  ['login', loginView, null],
  ['today', todayView, can.clinical],
  ['patients', patientsView, can.clinical],
  ['patients/new', newPatientView, can.clinical],
  ['patient/:pid', chartView, can.clinical],
  ['patient/:pid/course/new', courseFormView, can.clinical],
  ['patient/:pid/course/:cid/session/new', sessionFormView, can.recordSession],
  ['patient/:pid/course/:cid/outcome/new', outcomeFormView, can.clinical],
  ['patient/:pid/course/:cid/ae/new', aeFormView, can.clinical],
  ['patient/:pid/course/:cid/end', endCourseView, can.clinical],
  ['patient/:pid/course/:cid/link', linkView, can.clinical],
  ['report', dashboardView, can.report],
  ['users', usersView, can.admin],
  ['audit', auditView, can.admin],
  ['password', passwordView, can.report],
];

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

export function homeFor(user) {
  return user && user.role === 'researcher' ? '#/report' : '#/today';
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, view, perm] of ROUTES) {
    const pp = pattern.split('/');
    if (pp.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pp.length; i++) {
      if (pp[i].startsWith(':')) params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (pp[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) return { view, perm, params };
  }
  return null;
}

function renderNav() {
  const top = document.getElementById('top');
  const nav = document.getElementById('nav');
  top.hidden = !state.user;
  clear(nav);
  if (!state.user) return;
  const here = location.hash.split('?')[0];
  for (const [href, label, perm] of NAV) {
    if (!perm(state.user)) continue;
    nav.append(h('a', { href, 'aria-current': here === href ? 'page' : null }, label));
  }
  const who = document.getElementById('whoami');
  who.textContent = '';
  who.append(h('a', { href: '#/password', class: 'who-link', title: 'Change password' }, state.user.name),
    ` · ${state.user.role}${state.user.clinic ? ` · ${state.user.clinic}` : ''}`);
}

let routeSeq = 0;

export async function route() {
  const seq = ++routeSeq;
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const query = new URLSearchParams(qs || '');
  const main = document.getElementById('main');
  if (!state.user && path !== 'login') {
    go('#/login');
    return;
  }
  if (path === '' || (state.user && path === 'login')) {
    go(homeFor(state.user));
    return;
  }
  renderNav();
  const m = match(path);
  clear(main);
  if (!m) {
    main.append(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: homeFor(state.user) }, 'Back to the start page')));
    return;
  }
  if (m.perm && !m.perm(state.user)) {
    main.append(h('h1', {}, 'Not available'), h('p', {}, 'Your role does not include this page.'));
    return;
  }
  main.append(h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  try {
    // The forms' lists come from the server once per login.
    if (state.user) await loadVocab();
    const content = await m.view({ params: m.params, query, state, go, can });
    if (seq !== routeSeq) return; // a newer navigation won
    clear(main);
    main.append(content);
  } catch (e) {
    if (seq !== routeSeq) return;
    clear(main);
    if (e && e.status === 401) return; // onAuthLost took over
    main.append(h('h1', {}, 'Could not load this page'),
      h('p', { class: 'form-error' }, e && e.message ? e.message : String(e)),
      h('p', {}, h('a', { href: location.hash, class: 'button' }, 'Try again')));
    console.error(e);
  }
  if (seq !== routeSeq) return;
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} · prolo` : 'prolo';
  if (state.flash) {
    const f = state.flash;
    state.flash = null;
    const note = h('div', { class: `notice ${f.tone || 'ok'}`, role: 'status' }, f.text);
    if (heading) heading.after(note); else main.prepend(note);
  }
  // Keyboard and screen-reader users land on the new page's heading.
  const focusTarget = main.querySelector('[autofocus]') || heading;
  if (focusTarget) {
    if (!focusTarget.hasAttribute('tabindex') && focusTarget === heading) focusTarget.setAttribute('tabindex', '-1');
    focusTarget.focus({ preventScroll: false });
  }
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
  go('#/login');
}

async function boot() {
  onAuthLost(() => {
    if (!state.user) return;
    state.returnTo = location.hash; // back to this page after logging in again
    state.user = null;
    setCsrf('');
    forgetVocab();
    toast('Your session has ended. Please log in again.');
    go('#/login');
  });
  document.getElementById('logout').addEventListener('click', logout);
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
