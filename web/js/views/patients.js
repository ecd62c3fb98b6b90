// Patient search and registration. Search asks the server (it knows which
// clinic the user may see); registration sends the patient record's fields
// exactly as named in the registry's field table.
import { h, field, checks, formValues, numbers, table, pretty } from '../dom.js';
import { api, query } from '../api.js';
import { may } from '../pages.js';
import { makeForm } from '../forms.js';
import { confirmable } from '../confirm.js';
import { SEXES, CONTRAINDICATIONS } from '../vocab.js';

export async function patientsView({ query: q, state, go }) {
  const text = q.get('q') || '';
  const input = h('input', { type: 'search', id: 'patient-q', name: 'q', value: text, placeholder: 'Name, patient id, phone…', autocomplete: 'off' });
  input.setAttribute('autofocus', '');
  const searchForm = h('form', { class: 'row', role: 'search' },
    h('label', { for: 'patient-q', class: 'sr-label' }, 'Find a patient'),
    h('div', { class: 'grow' }, input),
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
    may(state.user, 'patients.add') ? h('a', { class: 'button', href: '#/patients/new' }, 'Register a new patient') : null);
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/patients?q=${encodeURIComponent(input.value.trim())}`);
  });
  const res = await api('GET', `/api/patients${query({ q: text, limit: 50 })}`);
  const patients = (res && res.patients) || [];
  const results = patients.length === 0
    ? h('p', { class: 'muted' }, text ? `No patient matches “${text}”.` : 'No patients yet.')
    : table(patients, [
      [(p) => h('a', { href: `#/patient/${encodeURIComponent(p.patient_id)}` }, p.patient_id), 'Patient id'],
      [(p) => [p.first_name, p.last_name].filter(Boolean).join(' ') || '—', 'Name'],
      ['birth_year', 'Born', 'num'],
      [(p) => pretty(p.sex), 'Sex'],
      ['clinic', 'Clinic'],
    ], `${patients.length} patient${patients.length === 1 ? '' : 's'}${text ? ` matching “${text}”` : ''}`);
  return h('section', {}, h('h1', {}, 'Patients'), searchForm, h('div', { class: 'results', 'aria-live': 'polite' }, results));
}

export const PATIENT_FIELDS = ['patient_id', 'clinic', 'sex', 'birth_year', 'first_name', 'last_name', 'phone', 'email', 'contraindications', 'notes'];

// The patient record's fields, shared by registration and the edit form
// (values: the record to start from; edit: leave out the id, which names
// the record and never changes).
export function patientFields(u, values = {}, edit = false) {
  const fields = [
    field({ name: 'first_name', label: 'First name', autocomplete: 'off', value: values.first_name }),
    field({ name: 'last_name', label: 'Last name', autocomplete: 'off', value: values.last_name }),
    edit ? null : field({ name: 'patient_id', label: 'Patient id', required: true, hint: 'The clinic\'s own id: letters, digits, . _ : -' }),
    field({ name: 'clinic', label: 'Clinic', required: true, value: values.clinic ?? (u.clinic || ''), hint: u.role === 'admin' ? 'Clinic code' : 'Your clinic' }),
    field({ name: 'sex', label: 'Sex', type: 'select', required: true, options: SEXES, blank: 'Choose…', value: values.sex }),
    field({ name: 'birth_year', label: 'Year of birth', type: 'number', min: 1900, max: 2199, inputmode: 'numeric', value: values.birth_year }),
    field({ name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'off', value: values.phone }),
    field({ name: 'email', label: 'E-mail', type: 'email', autocomplete: 'off', value: values.email }),
    checks({ name: 'contraindications', label: 'Contraindications', options: CONTRAINDICATIONS, hint: 'Checked again whenever a course is planned.',
      value: Array.isArray(values.contraindications) ? values.contraindications.join(';') : values.contraindications }),
    field({ name: 'notes', label: 'Notes', type: 'textarea', wide: true, value: values.notes }),
  ].filter(Boolean);
  const clinic = fields.find((f) => f.dataset.field === 'clinic');
  if (u.role !== 'admin' && u.clinic) clinic.control.readOnly = true;
  fields[0].control.setAttribute('autofocus', '');
  return fields;
}

export async function newPatientView({ state, go }) {
  const u = state.user;
  const fields = patientFields(u);
  // A patient who may be registered already: the matches are shown and
  // the user registers anyway only by saying so.
  const ask = confirmable((body, opts) => api('POST', '/api/patients', body, opts), 'Register anyway: another person');
  const form = makeForm({
    label: 'Register a patient',
    submitLabel: 'Register patient',
    cancelHref: '#/patients',
    body: [h('div', { class: 'grid' }, fields), ask.box],
    collect: (f) => numbers(formValues(f, PATIENT_FIELDS), ['birth_year']),
    send: ask.send,
    done: (res, body) => {
      const p = (res && res.patient) || body;
      state.flash = { text: `Patient ${p.patient_id} registered.` };
      go(`#/patient/${encodeURIComponent(p.patient_id)}`);
    },
  });
  return h('section', {}, h('h1', {}, 'Register a new patient'), form);
}
