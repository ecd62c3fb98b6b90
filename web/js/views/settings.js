// A clinic's settings, for administrators: how its screens show dates
// (GET/PATCH /api/settings: iso, dmy, mdy; the API and the files keep
// ISO 8601) and its time zone (the local time of its bookings). An
// administrator of all clinics picks the clinic first; its users see the
// new date format from their next page on (dates.js).
import { h, field, today } from '../dom.js';
import { api } from '../api.js';
import { may } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import { fmtDate } from '../dates.js';

export const DATE_FORMATS = [
  ['iso', 'year-month-day (ISO 8601)'],
  ['dmy', 'day.month.year'],
  ['mdy', 'month/day/year'],
];

// The clinics an administrator of all clinics may choose from: those of
// the registry's users (a clinic without users has no screens to set).
async function knownClinics(user) {
  if (!may(user, 'users.list')) return [];
  const r = await api('GET', '/api/users');
  const set = new Set(((r && r.users) || []).map((u) => u.clinic).filter(Boolean));
  return [...set].sort();
}

// The system's zone names, offered as the field's suggestions.
function zoneNames() {
  try {
    return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch (e) {
    return [];
  }
}

function formatLabel(fmt, name, day) {
  // data-iso: the example stays as written whatever the format in force
  return h('span', { 'data-iso': '' }, h('span', { class: 'example' }, fmtDate(day, fmt)), ` — ${name}`);
}

// The format choice: one radio per format, each with today's date as an
// example; errors show under it like a field's.
function formatChoice(current, day) {
  const errId = 'date-format-err';
  return h('fieldset', { class: 'field wide', dataset: { field: 'date_format' }, 'aria-describedby': errId },
    h('legend', {}, 'Date format'),
    h('div', { class: 'checks' }, DATE_FORMATS.map(([v, name]) => h('label', {},
      h('input', { type: 'radio', name: 'date_format', value: v, checked: v === current }),
      formatLabel(v, name, day)))),
    h('p', { class: 'hint' }, 'How the clinic’s screens show dates. Forms, exports and the API keep ISO 8601.'),
    h('p', { class: 'field-error', id: errId, 'aria-live': 'polite' }));
}

export async function settingsView({ query, state, go }) {
  const own = state.user.clinic || '';
  const clinics = own ? [own] : await knownClinics(state.user);
  const clinic = query.get('clinic') || own || clinics[0] || '';
  const day = today();
  const heading = h('h1', {}, 'Clinic settings');

  // An administrator of all clinics chooses the clinic (not a data form:
  // it only opens another clinic's settings).
  const chooser = own ? null : (() => {
    const listId = 'clinic-codes';
    const f = field({ name: 'clinic', label: 'Clinic', value: clinic, list: listId, autocomplete: 'off',
      hint: clinics.length ? `Clinic code, e.g. ${clinics.slice(0, 3).join(', ')}` : 'Clinic code' });
    const form = h('form', { class: 'form clinic-choice', novalidate: true },
      h('div', { class: 'grid' }, f),
      h('datalist', { id: listId }, clinics.map((c) => h('option', { value: c }))),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show this clinic')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const code = f.control.value.trim();
      go(code ? `#/settings?clinic=${encodeURIComponent(code)}` : '#/settings');
    });
    return form;
  })();
  if (!clinic) {
    return h('section', {}, heading, h('p', {}, 'Choose the clinic whose settings to see.'), chooser);
  }

  const cur = await api('GET', `/api/settings?clinic=${encodeURIComponent(clinic)}`);
  const zonesId = 'zone-names';
  const here = `#/settings${own ? '' : `?clinic=${encodeURIComponent(clinic)}`}`;
  const form = makeForm({
    label: `Settings of clinic ${clinic}`,
    submitLabel: 'Save settings',
    body: [
      formatChoice(cur.date_format, day),
      h('div', { class: 'grid' },
        field({ name: 'tz', label: 'Time zone', value: cur.tz, list: zonesId, autocomplete: 'off', required: true,
          hint: 'The clinic’s local time, for its bookings: a zone name such as Europe/Berlin' })),
      h('datalist', { id: zonesId }, zoneNames().map((z) => h('option', { value: z }))),
    ],
    collect: (f) => {
      const picked = f.querySelector('input[name="date_format"]:checked');
      const body = { clinic, date_format: picked ? picked.value : '', tz: f.querySelector('input[name="tz"]').value.trim() };
      if (!body.date_format) throw invalid('date_format', 'Choose a date format.');
      if (!body.tz) throw invalid('tz', 'Enter the clinic’s time zone, e.g. Europe/Berlin.');
      if (body.date_format === cur.date_format && body.tz === cur.tz) {
        throw invalid('', `Nothing to save: clinic ${clinic} already has these settings.`);
      }
      return body;
    },
    send: (body, opts) => api('PATCH', '/api/settings', body, opts),
    done: (r) => {
      // The next page reads the format again (the router does, dates.js).
      state.flash = { text: `Saved: clinic ${r.clinic} shows dates as ${fmtDate(day, r.date_format)}; its time zone is ${r.tz}.` };
      go(here);
    },
  });
  return h('section', {}, heading,
    chooser,
    h('h2', {}, `Clinic ${clinic}`),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Dates shown as'), h('dd', { 'data-iso': '' }, `${fmtDate(day, cur.date_format)} (${cur.date_format})`),
      h('dt', {}, 'Time zone'), h('dd', {}, cur.tz)),
    form);
}
