// Administration: users and roles, the audit log (who read or changed what,
// when, from where), and each user's own password change.
import { h, field, formValues, table, pretty } from '../dom.js';
import { api, query, ApiError } from '../api.js';
import { may, homePage } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import { ROLES, PASSWORD_MIN, labelFor } from '../vocab.js';

// When, in the browser's clock ("2026-03-02 08:15"), or "never".
function when(t) {
  if (typeof t !== 'number' || !t) return 'never';
  const d = new Date(t * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function userState(u) {
  return [u.disabled ? 'disabled' : 'active', u.must_change_password ? ' · must change password' : ''].join('');
}

export async function usersView({ state, go }) {
  const res = await api('GET', '/api/users');
  const users = (res && res.users) || [];
  const canOpen = may(state.user, 'users.sessions');
  const list = table(users, [
    [(u) => (canOpen ? h('a', { href: `#/users/${encodeURIComponent(u.name)}` }, u.name) : u.name), 'User'],
    [(u) => labelFor(ROLES, u.role), 'Role'], [(u) => u.clinic || 'all clinics', 'Clinic'],
    [(u) => userState(u), 'State'],
    [(u) => (u.last_login_at ? `${when(u.last_login_at)}${u.last_login_addr ? ` from ${u.last_login_addr}` : ''}` : 'never'), 'Last login'],
    [(u) => String(u.open_sessions ?? 0), 'Open sessions', 'num']], `${users.length} users`);
  const form = makeForm({
    label: 'Add a user',
    submitLabel: 'Add user',
    body: [h('div', { class: 'grid' },
      field({ name: 'name', label: 'User name', required: true, autocomplete: 'off' }),
      field({ name: 'role', label: 'Role', type: 'select', required: true, options: ROLES, blank: 'Choose…',
        hint: 'Staff cannot record injections; researchers see only de-identified totals.' }),
      field({ name: 'clinic', label: 'Clinic', hint: 'Clinic code; blank for an administrator of all clinics', value: state.user.clinic || '' }),
      field({ name: 'password', label: 'First password', type: 'password', required: true, autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN} characters, not a common password. Hand it over in person.` }))],
    collect: (f) => {
      const v = formValues(f, ['name', 'role', 'clinic', 'password']);
      if (!v.password) throw invalid('password', 'Enter a first password.');
      return v;
    },
    send: (body, opts) => api('POST', '/api/users', body, opts),
    done: (r, body) => {
      state.flash = { text: `User ${body.name} added as ${labelFor(ROLES, body.role)}.` };
      go('#/users');
    },
  });
  return h('section', {}, h('h1', {}, 'Users'),
    canOpen ? h('p', { class: 'hint' }, 'Open a user to disable or enable the account, change the role, reset the password or end sessions.') : null,
    list, may(state.user, 'users.add') ? [h('h2', {}, 'Add a user'), form] : null);
}

// One user's page: the account, its role, a one-time password, its open
// sessions. Each button is offered only with its route in the user's
// `can`; the server refuses what the rules forbid (the last active
// admin), and the page says why.
export async function userView({ params, state, go }) {
  const name = params.user;
  const res = await api('GET', `/api/users/${encodeURIComponent(name)}/sessions`);
  const u = res.user;
  const sessions = res.sessions || [];
  const here = `#/users/${encodeURIComponent(name)}`;
  const problem = h('p', { class: 'form-error', role: 'alert', tabindex: '-1' });
  const act = async (button, method, path, body, done) => {
    problem.textContent = '';
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const r = await api(method, path, body);
      state.flash = done(r);
      go(here);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      problem.textContent = e.message || 'The request failed.';
      problem.focus();
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  };
  const base = `/api/users/${encodeURIComponent(name)}`;
  const button = (label, cls, onclick) => {
    const b = h('button', { type: 'button', class: cls }, label);
    b.addEventListener('click', () => onclick(b));
    return b;
  };
  const ended = (r) => (r.sessions_ended ? ` ${r.sessions_ended} open session${r.sessions_ended === 1 ? '' : 's'} ended.` : '');

  const account = [];
  if (!u.disabled && may(state.user, 'users.disable')) {
    account.push(button('Disable account', 'danger', (b) => act(b, 'POST', `${base}/disable`, {},
      (r) => ({ text: `${name} is disabled and cannot log in.${ended(r)}` }))));
  }
  if (u.disabled && may(state.user, 'users.enable')) {
    account.push(button('Enable account', 'primary', (b) => act(b, 'POST', `${base}/enable`, {},
      () => ({ text: `${name} is enabled and may log in again.` }))));
  }
  if (may(state.user, 'users.reset')) {
    account.push(button('Reset password', '', (b) => act(b, 'POST', `${base}/reset`, {},
      (r) => ({ tone: 'warn', otp: r.one_time_password,
        text: `One-time password for ${name}: ${r.one_time_password} — shown only now: hand it over in person. ${name} must change it at the next login.${ended(r)}` }))));
  }

  const roleForm = may(state.user, 'users.role') ? makeForm({
    label: 'Change role',
    submitLabel: 'Change role',
    body: [h('div', { class: 'grid' },
      field({ name: 'role', label: 'Role', type: 'select', required: true, options: ROLES, value: u.role }),
      field({ name: 'clinic', label: 'Clinic', value: u.clinic || '', hint: 'Clinic code of a clinician or staff user; ignored for an administrator' }))],
    collect: (f) => {
      const v = formValues(f, ['role', 'clinic']);
      return { role: v.role || '', clinic: v.clinic || '' };
    },
    send: (body, opts) => api('POST', `${base}/role`, body, opts),
    done: (r) => {
      state.flash = { text: `${name} is now ${labelFor(ROLES, r.user.role)}${r.user.clinic ? ` of clinic ${r.user.clinic}` : ''}.` };
      go(here);
    },
  }) : null;

  const canRevoke = may(state.user, 'users.sessions.revoke');
  const sessionRows = table(sessions, [
    [(x) => `${when(x.created_at)}${x.current ? ' (this session)' : ''}`, 'Opened'],
    [(x) => when(x.last_seen), 'Last seen'], [(x) => x.addr || '—', 'From'],
    ...(canRevoke ? [[(x) => button(`End session opened ${when(x.created_at)}`, 'small', (b) => act(b, 'POST', `${base}/sessions/revoke`, { session: x.id },
      () => ({ text: `The session of ${name} opened ${when(x.created_at)} has ended.` }))), 'Action']] : [])],
  `${sessions.length} open session${sessions.length === 1 ? '' : 's'}`);

  return h('section', {}, h('h1', {}, `User ${name}`),
    h('p', {}, h('a', { href: '#/users' }, 'All users')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Role'), h('dd', {}, labelFor(ROLES, u.role)),
      h('dt', {}, 'Clinic'), h('dd', {}, u.clinic || 'all clinics'),
      h('dt', {}, 'State'), h('dd', {}, userState(u)),
      h('dt', {}, 'Last login'), h('dd', {}, u.last_login_at ? `${when(u.last_login_at)}${u.last_login_addr ? ` from ${u.last_login_addr}` : ''}` : 'never'),
      h('dt', {}, 'Created'), h('dd', {}, when(u.created_at))),
    problem,
    account.length ? [h('h2', {}, 'Account'), h('div', { class: 'actions' }, account)] : null,
    roleForm ? [h('h2', {}, 'Role'), roleForm] : null,
    h('h2', {}, 'Open sessions'),
    sessions.length ? sessionRows : h('p', { class: 'muted' }, 'No open sessions.'),
    canRevoke && sessions.length ? h('div', { class: 'actions' }, button('End all sessions', 'danger', (b) => act(b, 'POST', `${base}/sessions/revoke`, { all: true },
      (r) => ({ text: `All sessions of ${name} have ended.${ended(r)}` })))) : null);
}

const AUDIT_FILTERS = ['user', 'action', 'record', 'from', 'to'];

export async function auditView({ query: q, go }) {
  const params = {};
  for (const k of AUDIT_FILTERS) if (q.get(k)) params[k] = q.get(k);
  const res = await api('GET', `/api/audit${query(params)}`);
  const rows = (res && (res.entries || res.audit || res.rows)) || [];
  const f = h('form', { class: 'form filters', 'aria-label': 'Filter the audit log' },
    h('div', { class: 'grid' },
      field({ name: 'user', label: 'User', value: params.user }),
      field({ name: 'action', label: 'Action', value: params.action, hint: 'e.g. read, create, login' }),
      field({ name: 'record', label: 'Record', value: params.record, hint: 'e.g. a patient or course id' }),
      field({ name: 'from', label: 'From', type: 'date', value: params.from }),
      field({ name: 'to', label: 'To', type: 'date', value: params.to })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Filter'), h('a', { class: 'button', href: '#/audit' }, 'Clear')));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = {};
    for (const k of AUDIT_FILTERS) {
      const v = f.querySelector(`[name="${k}"]`).value.trim();
      if (v) p[k] = v;
    }
    go(`#/audit${query(p)}`);
  });
  const cols = [[(r) => r.time || r.at || r.ts || '', 'Time'], ['user', 'User'], [(r) => pretty(r.action), 'Action'],
    [(r) => r.record || [r.record_kind, r.record_id].filter(Boolean).join(' ') || '', 'Record'],
    [(r) => r.source || r.addr || r.source_address || '', 'From'], [(r) => r.detail || r.status || '', 'Detail']];
  return h('section', {}, h('h1', {}, 'Audit log'),
    h('p', { class: 'hint' }, 'Every read of a patient record and every change, in a hash-chained log that `prolo audit verify` checks.'),
    f, rows.length ? table(rows, cols, `${rows.length} entries${res && res.truncated ? ' (newest first; narrow the filter to see more)' : ''}`)
      : h('p', { class: 'muted' }, 'No entries match.'));
}

export async function passwordView({ state, go }) {
  const forced = !!(state.user && state.user.must_change_password);
  const form = makeForm({
    label: 'Change password',
    submitLabel: 'Change password',
    body: [h('div', { class: 'grid' },
      field({ name: 'old_password', label: forced ? 'One-time password' : 'Current password', type: 'password', required: true, autocomplete: 'current-password' }),
      field({ name: 'new_password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password',
        hint: PASSWORD_MIN ? `At least ${PASSWORD_MIN} characters, not a common password.` : null }),
      field({ name: 'new_password2', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' }))],
    collect: (f) => {
      const v = formValues(f, ['old_password', 'new_password', 'new_password2']);
      if (v.new_password !== v.new_password2) throw invalid('new_password2', 'The two new passwords differ.');
      return { old_password: v.old_password || '', new_password: v.new_password || '' };
    },
    send: (body, opts) => api('POST', '/api/password', body, opts),
    done: async () => {
      if (forced) {
        // The account's full rights come back with the new password.
        const me = await api('GET', '/api/me');
        if (me && me.user) state.user = me.user;
      }
      state.flash = { text: 'Password changed.' };
      go(homePage(state.user));
    },
  });
  return h('section', {}, h('h1', {}, forced ? 'Choose a new password' : 'Change your password'),
    forced ? h('div', { class: 'notice warn', role: 'status' },
      'Your password was reset by an administrator. Choose a new password to go on: until then nothing else is open to you.') : null,
    form);
}
