// Administration: users and roles, the audit log (who read or changed what,
// when, from where), and each user's own password change.
import { h, field, formValues, table, pretty } from '../dom.js';
import { api, query } from '../api.js';
import { may, homePage } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import { ROLES, PASSWORD_MIN, labelFor } from '../vocab.js';

export async function usersView({ state, go }) {
  const res = await api('GET', '/api/users');
  const users = (res && res.users) || [];
  const list = table(users, [['name', 'User'], [(u) => labelFor(ROLES, u.role), 'Role'], [(u) => u.clinic || 'all clinics', 'Clinic'],
    [(u) => (typeof u.created_at === 'number' ? new Date(u.created_at * 1000).toISOString().slice(0, 10) : (u.created_at || '')), 'Created'], [(u) => (u.disabled ? 'disabled' : 'active'), 'State']], `${users.length} users`);
  const form = makeForm({
    label: 'Add a user',
    submitLabel: 'Add user',
    body: [h('div', { class: 'grid' },
      field({ name: 'name', label: 'User name', required: true, autocomplete: 'off' }),
      field({ name: 'role', label: 'Role', type: 'select', required: true, options: ROLES, blank: 'Choose…',
        hint: 'Staff cannot record injections; researchers see only de-identified totals.' }),
      field({ name: 'clinic', label: 'Clinic', hint: 'Clinic code; blank for an administrator of all clinics', value: state.user.clinic || '' }),
      field({ name: 'password', label: 'First password', type: 'password', required: true, autocomplete: 'new-password', hint: `At least ${PASSWORD_MIN} characters. Hand it over in person.` }))],
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
  return h('section', {}, h('h1', {}, 'Users'), list, may(state.user, 'users.add') ? [h('h2', {}, 'Add a user'), form] : null);
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
  const form = makeForm({
    label: 'Change password',
    submitLabel: 'Change password',
    body: [h('div', { class: 'grid' },
      field({ name: 'old_password', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' }),
      field({ name: 'new_password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password' }),
      field({ name: 'new_password2', label: 'New password again', type: 'password', required: true, autocomplete: 'new-password' }))],
    collect: (f) => {
      const v = formValues(f, ['old_password', 'new_password', 'new_password2']);
      if (v.new_password !== v.new_password2) throw invalid('new_password2', 'The two new passwords differ.');
      return { old_password: v.old_password || '', new_password: v.new_password || '' };
    },
    send: (body, opts) => api('POST', '/api/password', body, opts),
    done: () => {
      state.flash = { text: 'Password changed.' };
      go(homePage(state.user));
    },
  });
  return h('section', {}, h('h1', {}, 'Change your password'), form);
}
