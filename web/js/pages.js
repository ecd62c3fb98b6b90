// The pages of the clinic's web app, in the one list that the router
// (app.js) and the browser tests (tests/e2e) both read, so no page can be
// left out of the accessibility checks. No imports: this module is data.
//
// Each page names the API routes it needs, by the names of the server's
// permission matrix (the server lists the ones a user may use in
// user.can, from GET /api/me and POST /api/login). A page, a menu entry or
// a button is offered only to a user whose `can` holds every route it
// needs, so the UI offers nothing the server would refuse.
//
// path: hash path with :name segments; nav: the menu label, if any (menu
// order is the order of this list).
export const PAGES = [
  { name: 'login', path: 'login', needs: [] },
  { name: 'today', path: 'today', needs: ['alerts.list'], nav: 'Today' },
  // The follow-up's front desk: patients to call, undelivered messages,
  // drop-outs still to reach (views/followup.js).
  { name: 'followup-desk', path: 'followup', needs: ['followup.list', 'calls.add'], nav: 'Follow-up calls' },
  { name: 'dropouts', path: 'followup/dropouts', needs: ['followup.list'], nav: 'Drop-outs' },
  // The front desk's day and week of bookings (?view=week&date=YYYY-MM-DD).
  { name: 'bookings', path: 'bookings', needs: ['bookings.list'], nav: 'Bookings' },
  { name: 'patients', path: 'patients', needs: ['patients.list'], nav: 'Patients' },
  { name: 'patient-new', path: 'patients/new', needs: ['patients.add'], nav: 'New patient' },
  { name: 'chart', path: 'patient/:pid', needs: ['patients.get'] },
  { name: 'course-new', path: 'patient/:pid/course/new', needs: ['patients.get', 'courses.add'] },
  { name: 'session-new', path: 'patient/:pid/course/:cid/session/new', needs: ['patients.get', 'sessions.add'] },
  { name: 'outcome-new', path: 'patient/:pid/course/:cid/outcome/new', needs: ['patients.get', 'outcomes.add'] },
  { name: 'ae-new', path: 'patient/:pid/course/:cid/ae/new', needs: ['patients.get', 'adverse-events.add'] },
  { name: 'course-end', path: 'patient/:pid/course/:cid/end', needs: ['patients.get', 'courses.end'] },
  { name: 'link', path: 'patient/:pid/course/:cid/link', needs: ['patients.get', 'questionnaire-links.add'] },
  { name: 'contact-edit', path: 'patient/:pid/contact', needs: ['patients.get', 'contacts.get', 'contacts.set'] },
  { name: 'booking-new', path: 'patient/:pid/course/:cid/book', needs: ['patients.get', 'bookings.add'] },
  // Correcting a record (amend, void, history): each kind of record has
  // its edit and void pages, offered with the role's own routes.
  { name: 'patient-edit', path: 'patient/:pid/edit', needs: ['patients.get', 'patients.amend'] },
  { name: 'patient-void', path: 'patient/:pid/void', needs: ['patients.get', 'patients.void'] },
  { name: 'course-edit', path: 'patient/:pid/course/:cid/edit', needs: ['patients.get', 'courses.amend'] },
  { name: 'course-void', path: 'patient/:pid/course/:cid/void', needs: ['patients.get', 'courses.void'] },
  { name: 'session-edit', path: 'patient/:pid/course/:cid/session/:sno/edit', needs: ['patients.get', 'sessions.amend'] },
  { name: 'session-void', path: 'patient/:pid/course/:cid/session/:sno/void', needs: ['patients.get', 'sessions.void'] },
  { name: 'outcome-edit', path: 'patient/:pid/course/:cid/outcome/:date/:instrument/edit', needs: ['patients.get', 'outcomes.amend'] },
  { name: 'outcome-void', path: 'patient/:pid/course/:cid/outcome/:date/:instrument/void', needs: ['patients.get', 'outcomes.void'] },
  { name: 'ae-edit', path: 'patient/:pid/course/:cid/ae/:seq/edit', needs: ['patients.get', 'adverse-events.amend'] },
  { name: 'ae-void', path: 'patient/:pid/course/:cid/ae/:seq/void', needs: ['patients.get', 'adverse-events.void'] },
  // :record is the record's API collection and key in one segment, e.g.
  // outcomes%2FK1%2F2026-03-02%2FNRS; it stays reachable once voided.
  { name: 'record-history', path: 'patient/:pid/history/:record', needs: ['patients.get', 'courses.get'] },
  // A patient registered twice: merge the duplicate into this one (and,
  // for admins, undo a merge).
  { name: 'patient-merge', path: 'patient/:pid/merge', needs: ['patients.get', 'patients.merge'] },
  { name: 'report', path: 'report', needs: ['report'], nav: 'Outcomes' },
  // What each treatment protocol holds, and a page per protocol.
  { name: 'protocols', path: 'protocols', needs: ['protocols'], nav: 'Protocols' },
  { name: 'protocol', path: 'protocol/:name', needs: ['protocols'] },
  { name: 'users', path: 'users', needs: ['users.list'], nav: 'Users' },
  // One user: the account, its role, a one-time password, its sessions.
  { name: 'user', path: 'users/:user', needs: ['users.list', 'users.sessions'] },
  { name: 'audit', path: 'audit', needs: ['audit.list'], nav: 'Audit log' },
  // A clinic's date format and time zone (views/settings.js).
  { name: 'settings', path: 'settings', needs: ['settings.get', 'settings.set', 'clinics.zone'], nav: 'Clinic settings' },
  { name: 'instruments', path: 'instruments', needs: ['instruments.get'], nav: 'Questionnaires' },
  { name: 'password', path: 'password', needs: ['password'] },
];

// Whether the user's role may use the named API route.
export function may(user, route) {
  return !!user && Array.isArray(user.can) && user.can.includes(route);
}

// Whether the user may open the page (the login page is open to all).
export function mayOpen(user, page) {
  return page.needs.every((r) => may(user, r));
}

// The page whose path matches, with its :name parameters, or null.
export function matchPage(path) {
  const parts = path.split('/').filter(Boolean);
  for (const page of PAGES) {
    const pp = page.path.split('/');
    if (pp.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pp.length; i++) {
      if (pp[i].startsWith(':')) params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (pp[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) return { page, params };
  }
  return null;
}

// The first page a user sees after logging in: the day's list when the
// role has it, otherwise the first menu page the role may open.
export function homePage(user) {
  const first = PAGES.find((p) => p.nav && mayOpen(user, p));
  return first ? `#/${first.path}` : '#/password';
}
