// The forms that change a course: plan it (optionally from a protocol),
// record a session with its injections, a questionnaire, a side effect, end
// it, or send the patient a one-time questionnaire link. Each form sends the
// record's fields as the registry names them and shows the server's message
// next to the field it names.
import { h, field, formValues, numbers, today, pretty, toast, nextId } from '../dom.js';
import { api } from '../api.js';
import { may } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import {
  MODALITIES, CONDITIONS, CONDITION_INFO, PROLIFERANTS, AE_KINDS, GUIDANCE, SIDES, SERIOUSNESS, RELATEDNESS,
  STEM_SOURCES, ACTIVATIONS, END_STATUSES, INSTRUMENTS, INSTRUMENT_OPTIONS,
} from '../vocab.js';
import { loadChart, courseLabel, courseFacts, flags } from './chart.js';
import { confirmable } from '../confirm.js';
import { loadProtocols, protocolSummary, protocolHref } from './protocols.js';
import { SITES } from '../vocab.js';

export function findCourse(res, cid) {
  const c = (res.courses || []).find((x) => x.course_id === cid);
  if (!c) {
    const e = new Error(`Course ${cid} is not in this patient's chart.`);
    e.status = 404;
    throw e;
  }
  return c;
}

export function back(p) {
  return `#/patient/${encodeURIComponent(p.patient_id)}`;
}

export function pageHead(title, p, c) {
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ') || p.patient_id;
  return [h('h1', {}, title), h('p', { class: 'muted' }, `${name} (${p.patient_id})${c ? ` · ${courseLabel(c)} · course ${c.course_id}` : ''}`)];
}

function suggestCourseId(p, courses) {
  const taken = new Set(courses.map((c) => c.course_id));
  for (let n = courses.length + 1; n < courses.length + 100; n++) {
    const id = `${p.patient_id}-C${n}`.slice(0, 64);
    if (!taken.has(id)) return id;
  }
  return '';
}

const COURSE_FIELDS = ['course_id', 'patient_id', 'modality', 'condition', 'start_date', 'planned_sessions', 'status',
  'protocol', 'interval_days', 'stem_source', 'override_reason', 'override_by'];

// A course's plan fields, shared by planning and the edit form (values:
// the record to start from; courseId: the suggested id of a new course,
// left out when editing: the id names the record and never changes).
export function courseFields(values, courseId, protocols) {
  const modality = field({ name: 'modality', label: 'Treatment', type: 'select', required: true, options: MODALITIES, blank: 'Choose…', value: values.modality });
  const stem = field({ name: 'stem_source', label: 'Cell source', type: 'select', options: STEM_SOURCES, blank: 'Choose…', value: values.stem_source });
  stem.hidden = modality.control.value !== 'stem_cell';
  modality.control.addEventListener('change', () => { stem.hidden = modality.control.value !== 'stem_cell'; });
  // Every condition the registry knows, the clinic's own after the
  // built-in ones, with its ICD-10 code when one is stored.
  const conditionOptions = CONDITIONS.map(([v, t]) => {
    const icd10 = (CONDITION_INFO[v] || {}).icd10;
    return [v, icd10 ? `${t} (${icd10})` : t];
  });
  return [
    field({ name: 'condition', label: 'Condition', type: 'select', required: true, options: conditionOptions, blank: 'Choose…', value: values.condition,
      hint: 'The clinic\'s own conditions are listed after the standard ones.' }),
    modality,
    stem,
    protocolField(values.protocol, protocols),
    field({ name: 'start_date', label: 'Start date', type: 'date', required: true, value: values.start_date ?? today() }),
    field({ name: 'planned_sessions', label: 'Planned sessions', type: 'number', min: 1, max: 50, inputmode: 'numeric', hint: 'Typically 3 to 6', value: values.planned_sessions }),
    field({ name: 'interval_days', label: 'Days between sessions', type: 'number', min: 1, max: 365, inputmode: 'numeric', hint: 'Typically 14 to 42', value: values.interval_days }),
    courseId === undefined ? null : field({ name: 'course_id', label: 'Course id', required: true, value: courseId, hint: 'Suggested; change it if your clinic numbers courses differently.' }),
  ].filter(Boolean);
}

// The protocol field: a name, picked from the clinic's protocols (each
// offered with what it holds), with what the chosen one holds below it.
function protocolField(value, protocols) {
  const list = Array.isArray(protocols) ? protocols : [];
  const f = field({ name: 'protocol', label: 'Protocol (optional)', autocomplete: 'off', value,
    list: list.length ? 'protocol-options' : undefined,
    hint: 'A protocol name fills in the plan; leave the plan fields blank to take its values.' });
  if (!list.length) return f;
  const options = h('datalist', { id: 'protocol-options' }, list.map((x) => h('option', { value: x.name }, `${x.label} — ${protocolSummary(x)}`)));
  const holds = h('p', { class: 'protocol-holds', 'aria-live': 'polite' });
  const show = () => {
    const x = list.find((q) => q.name === f.control.value.trim());
    holds.textContent = '';
    if (x) holds.append(`${x.label}: ${protocolSummary(x)}${(x.sites || []).length ? `; sites: ${x.sites.join(', ')}` : ''}. `,
      h('a', { href: protocolHref(x.name) }, 'The whole protocol'));
  };
  f.control.addEventListener('input', show);
  show();
  f.append(options, holds, h('p', { class: 'hint' }, h('a', { href: '#/protocols' }, 'What each protocol holds')));
  return f;
}

export async function courseFormView({ params, state, go }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const courses = res.courses || [];
  const ci = flags(p.contraindications);
  const protocols = may(state.user, 'protocols') ? await loadProtocols().catch(() => []) : [];
  const fields = courseFields({}, suggestCourseId(p, courses), protocols);
  fields[0].control.setAttribute('autofocus', '');
  // A blocked plan comes back as a conflict on "contraindications": the
  // message lands here, the box opens, and focus moves to the reason.
  const override = h('details', { class: 'override' },
    h('summary', {}, 'Override a blocking contraindication'),
    h('p', { class: 'hint' }, 'Only when the clinician has weighed the risk. The reason and name stay on the course record.'),
    h('div', { class: 'field', dataset: { field: 'contraindications' } },
      h('p', { class: 'field-error', 'aria-live': 'polite' }),
      h('div', { class: 'grid' },
        field({ name: 'override_reason', label: 'Reason for the override', wide: true }),
        field({ name: 'override_by', label: 'Clinician', value: may(state.user, 'sessions.add') ? state.user.name : '' }))));
  const form = makeForm({
    label: 'Plan a course',
    submitLabel: 'Plan course',
    cancelHref: back(p),
    body: [
      ci.length ? h('p', { class: 'notice warn' }, `Recorded contraindications: ${ci.map(pretty).join(', ')}. The plan is checked against them.`) : null,
      h('div', { class: 'grid' }, fields), override],
    collect: (f) => {
      const v = numbers(formValues(f, COURSE_FIELDS), ['planned_sessions', 'interval_days']);
      v.patient_id = p.patient_id;
      v.status = 'planned';
      if (v.modality !== 'stem_cell') delete v.stem_source;
      if (!v.override_reason) delete v.override_by;
      return v;
    },
    send: (body, opts) => api('POST', '/api/courses', body, opts),
    done: (r, body) => {
      const warnings = (r && r.warnings) || [];
      const text = warnings.map((w) => (typeof w === 'string' ? w : w.message || JSON.stringify(w)));
      const plan = (r && r.plan) || {};
      const dates = (plan.sessions || []).map((s) => `S${s.session_no} ${s.date}`);
      state.flash = {
        text: `Course ${body.course_id} planned${plan.protocol ? ` from protocol ${plan.protocol}` : ''}.` +
          `${dates.length ? ` Schedule: ${dates.join(', ')}.` : ''}${text.length ? ` Please note: ${text.join(' ')}` : ''}`,
        tone: text.length ? 'warn' : 'ok',
      };
      go(back(p));
    },
  });
  return h('section', {}, pageHead('Plan a course', p), form);
}

export const SESSION_FIELDS = ['session_no', 'date', 'proliferant', 'concentration_pct', 'volume_ml', 'anaesthetic', 'anaesthetic_pct',
  'clinician', 'prp_platelets', 'prp_platelets_baseline', 'prp_leukocytes', 'prp_leukocytes_baseline', 'prp_rbc',
  'prp_activation', 'prp_volume_ml', 'notes'];
export const SESSION_NUM = ['session_no', 'concentration_pct', 'volume_ml', 'anaesthetic_pct', 'prp_platelets', 'prp_platelets_baseline',
  'prp_leukocytes', 'prp_leukocytes_baseline', 'prp_rbc', 'prp_volume_ml'];
export const INJ_FIELDS = ['site', 'side', 'proliferant', 'concentration_pct', 'anaesthetic', 'anaesthetic_pct', 'volume_ml', 'guidance', 'lot'];
export const INJ_NUM = ['concentration_pct', 'anaesthetic_pct', 'volume_ml'];

const DEFAULT_PROLIFERANT = { dextrose: 'dextrose', prp: 'prp', stem_cell: 'bmac' };

// The box a row taken over from session n carries: the user confirms it.
function confirmBox(n) {
  const id = nextId('confirmed');
  return h('div', { class: 'field confirm-row', dataset: { field: 'confirmed' } },
    h('label', { for: id }, h('input', { type: 'checkbox', id, name: 'confirmed', 'aria-describedby': `${id}-err` }),
      ` Given again today (as in session ${n})`),
    h('p', { class: 'field-error', id: `${id}-err`, 'aria-live': 'polite' }));
}

// A session's fields and its injection rows, shared by the recording and
// the edit form. v: the values to start from (a new session: the number
// and defaults; an edit: the session, whose number names it and is not
// shown); injections: the rows to start from (none: one empty row).
// Returns {body, sessionScope, rows, scopeFor, readSession(f), readInjections(f)}.
export function sessionEditor(c, v, injections, edit, sites) {
  // The sites the form suggests: the protocol's, else the condition's usual ones.
  const siteList = Array.isArray(sites) && sites.length ? sites : (SITES[c.condition] || []);
  const siteListId = `sites-${String(c.course_id).replace(/[^a-z0-9_-]/gi, '-')}`;
  const sessionPart = h('div', { class: 'grid session-fields' },
    edit ? null : field({ name: 'session_no', label: 'Session number', type: 'number', required: true, min: 1, value: v.session_no, inputmode: 'numeric' }),
    field({ name: 'date', label: 'Date', type: 'date', required: true, value: v.date ?? today() }),
    field({ name: 'proliferant', label: 'Injectate', type: 'select', options: PROLIFERANTS, value: v.proliferant }),
    field({ name: 'concentration_pct', label: 'Concentration (%)', type: 'number', step: 'any', min: 0, max: 100, value: v.concentration_pct, inputmode: 'decimal' }),
    field({ name: 'anaesthetic', label: 'Anaesthetic', value: v.anaesthetic, hint: 'e.g. lidocaine' }),
    field({ name: 'anaesthetic_pct', label: 'Anaesthetic (%)', type: 'number', step: 'any', min: 0, max: 10, value: v.anaesthetic_pct, inputmode: 'decimal' }),
    field({ name: 'volume_ml', label: 'Total volume (mL)', type: 'number', step: 'any', min: 0.01, max: 500, inputmode: 'decimal', value: v.volume_ml, hint: 'Optional; left blank, the chart adds up the injections.' }),
    field({ name: 'clinician', label: 'Clinician', value: v.clinician }));
  const prp = c.modality === 'prp' || v.prp_platelets != null ? h('fieldset', { class: 'prp' }, h('legend', {}, 'PRP preparation'),
    h('p', { class: 'hint' }, 'Record the raw counts; the PAW and Mishra labels are computed from them.'),
    h('div', { class: 'grid' },
      field({ name: 'prp_platelets', value: v.prp_platelets, label: 'PRP platelets (10³/µL)', type: 'number', step: 'any', inputmode: 'decimal' }),
      field({ name: 'prp_platelets_baseline', value: v.prp_platelets_baseline, label: 'Whole-blood platelets (10³/µL)', type: 'number', step: 'any', inputmode: 'decimal' }),
      field({ name: 'prp_leukocytes', value: v.prp_leukocytes, label: 'PRP leukocytes (10³/µL)', type: 'number', step: 'any', inputmode: 'decimal' }),
      field({ name: 'prp_leukocytes_baseline', value: v.prp_leukocytes_baseline, label: 'Whole-blood leukocytes (10³/µL)', type: 'number', step: 'any', inputmode: 'decimal' }),
      field({ name: 'prp_rbc', value: v.prp_rbc, label: 'PRP red cells (10⁶/µL)', type: 'number', step: 'any', inputmode: 'decimal' }),
      field({ name: 'prp_activation', label: 'Activation', type: 'select', options: ACTIVATIONS, value: v.prp_activation }),
      field({ name: 'prp_volume_ml', value: v.prp_volume_ml, label: 'PRP volume prepared (mL)', type: 'number', step: 'any', inputmode: 'decimal' }))) : null;
  const notes = field({ name: 'notes', label: 'Notes', type: 'textarea', wide: true, value: v.notes });
  const sessionScope = h('div', { class: 'session-scope' }, sessionPart, prp, h('div', { class: 'grid' }, notes));

  const rows = h('div', { class: 'injection-rows' });
  const addBtn = h('button', { type: 'button', class: 'add-injection' }, '+ Add injection');
  const renumber = () => {
    rows.querySelectorAll('.injection-row').forEach((r, i) => {
      r.querySelector('.inj-title').textContent = `Injection ${i + 1}`;
      r.querySelector('.remove-injection').setAttribute('aria-label', `Remove injection ${i + 1}`);
    });
  };
  const addRow = (focus, init) => {
    const get = (n) => (init ? init[n] : sessionPart.querySelector(`[name="${n}"]`).value);
    const last = rows.lastElementChild;
    const lastVal = (n) => (init ? init[n] : (last ? last.querySelector(`[name="${n}"]`).value : ''));
    const remove = h('button', { type: 'button', class: 'small danger remove-injection' }, 'Remove');
    const site = field({ name: 'site', label: 'Site', required: true, value: init ? init.site : undefined,
      list: siteList.length ? siteListId : undefined,
      hint: siteList.length ? `e.g. ${siteList.slice(0, 2).join(', ')}` : 'e.g. L5-S1 facet, iliolumbar ligament' });
    const row = h('fieldset', { class: 'injection-row' },
      h('legend', { class: 'inj-title' }, 'Injection'),
      h('div', { class: 'grid' },
        site,
        field({ name: 'side', label: 'Side', type: 'select', options: SIDES, value: lastVal('side') }),
        field({ name: 'proliferant', label: 'Injectate', type: 'select', options: PROLIFERANTS, value: get('proliferant') }),
        field({ name: 'concentration_pct', label: 'Concentration (%)', type: 'number', step: 'any', value: get('concentration_pct'), inputmode: 'decimal' }),
        field({ name: 'anaesthetic', label: 'Anaesthetic', value: get('anaesthetic') }),
        field({ name: 'anaesthetic_pct', label: 'Anaesthetic (%)', type: 'number', step: 'any', value: get('anaesthetic_pct'), inputmode: 'decimal' }),
        field({ name: 'volume_ml', label: 'Volume (mL)', type: 'number', step: 'any', inputmode: 'decimal', value: init ? init.volume_ml : undefined }),
        field({ name: 'guidance', label: 'Guidance', type: 'select', options: GUIDANCE, value: lastVal('guidance') }),
        field({ name: 'lot', label: 'Lot number', value: lastVal('lot') })),
      init && init._from ? confirmBox(init._from) : null,
      h('div', { class: 'actions' }, remove));
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (next ? next.querySelector('input') : addBtn).focus();
    });
    rows.append(row);
    renumber();
    if (focus) site.control.focus();
  };
  addBtn.addEventListener('click', () => addRow(true));
  // Changing the session's injectate carries over to the injection rows
  // that still hold the previous session value (or nothing).
  for (const name of ['proliferant', 'concentration_pct', 'anaesthetic', 'anaesthetic_pct']) {
    const src = sessionPart.querySelector(`[name="${name}"]`);
    let before = src.value;
    src.addEventListener('input', () => {
      for (const el of rows.querySelectorAll(`[name="${name}"]`)) {
        if (el.value === before || el.value === '') el.value = src.value;
      }
      before = src.value;
    });
  }

  // a form-level error slot for "injections" lives with the add button
  const errSlot = h('div', { class: 'field', dataset: { field: 'injections' } }, h('p', { class: 'field-error', 'aria-live': 'polite' }));
  if (injections && injections.length) for (const inj of injections) addRow(false, inj);
  else addRow(false);
  sessionPart.querySelector('[name="date"]').setAttribute('autofocus', '');
  const readInjections = (f) => {
    const out = [];
    f.querySelectorAll('.injection-row').forEach((r, i) => {
      // A row taken over from the last visit is given only when confirmed.
      const ok = r.querySelector('[name="confirmed"]');
      if (ok && !ok.checked) throw invalid('confirmed', `injection ${i + 1}: tick “Given again today”, or remove the row`);
      const inj = numbers(formValues(r, INJ_FIELDS), INJ_NUM);
      inj.seq = i + 1;
      out.push(inj);
    });
    return out;
  };
  return {
    sessionScope,
    rows,
    body: [sessionScope, h('h2', {}, 'Injections'),
      h('p', { class: 'hint' }, 'One row per injection site. Injectate and concentration start from the session\'s values.'),
      siteList.length ? h('datalist', { id: siteListId }, siteList.map((x) => h('option', { value: x }))) : null,
      rows, errSlot, addBtn],
    // "injection 2: ..." in the message names the row; other fields are the session's
    scopeFor: (name, msg) => {
      const m = /^injection (\d+)/i.exec(msg);
      if (m) return rows.querySelectorAll('.injection-row')[Number(m[1]) - 1] || null;
      return /^injection/i.test(name) ? null : sessionScope;
    },
    readInjections,
  };
}

// The values a new session starts from: the previous session's, else the
// course's protocol's (injectate, concentration, anaesthetic); its
// injection rows are the previous session's sites, to confirm.
export function sessionDefaults(c, prev, proto, user) {
  const pick = (a, b) => (a !== undefined && a !== null && a !== '' ? a : b);
  const defProl = c.modality === 'stem_cell' && c.stem_source ? c.stem_source
    : pick(prev.proliferant, pick(proto && proto.proliferant, DEFAULT_PROLIFERANT[c.modality] || ''));
  const v = {
    proliferant: defProl,
    concentration_pct: pick(prev.concentration_pct, proto && proto.concentration_pct),
    anaesthetic: pick(prev.anaesthetic, proto && proto.anaesthetic),
    anaesthetic_pct: pick(prev.anaesthetic_pct, proto && proto.anaesthetic_pct),
    clinician: user.name,
  };
  const rows = (prev.injections || []).map((i) => ({
    _from: prev.session_no,
    site: i.site, side: i.side, volume_ml: i.volume_ml, guidance: i.guidance, lot: i.lot,
    proliferant: pick(i.proliferant, v.proliferant), concentration_pct: pick(i.concentration_pct, v.concentration_pct),
    anaesthetic: pick(i.anaesthetic, v.anaesthetic), anaesthetic_pct: pick(i.anaesthetic_pct, v.anaesthetic_pct),
  }));
  return { v, rows };
}

export async function sessionFormView({ params, state, go }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const c = findCourse(res, params.cid);
  const facts = courseFacts(c);
  const prev = (c.sessions || []).slice().sort((a, b) => b.session_no - a.session_no)[0] || {};
  const protocols = c.protocol && may(state.user, 'protocols') ? await loadProtocols().catch(() => []) : [];
  const proto = protocols.find((x) => x.name === c.protocol) || null;
  const d = sessionDefaults(c, prev, proto, state.user);
  const ed = sessionEditor(c, { session_no: facts.next, ...d.v }, d.rows, false, proto ? proto.sites : null);
  // An implausible value (a dextrose concentration outside the protocol) is saved only when confirmed.
  const ask = confirmable((body, opts) => api('POST', '/api/sessions', body, opts));
  const from = [];
  if (d.rows.length) from.push(`The injections of session ${prev.session_no} (${prev.date}) are filled in: confirm each row given again today, change or remove what differs.`);
  if (proto) from.push(`Protocol ${proto.name}: ${protocolSummary(proto)}.`);
  const form = makeForm({
    label: 'Record a session',
    submitLabel: 'Record session',
    cancelHref: back(p),
    body: [from.length ? h('div', { class: 'notice info prefilled' }, from.map((t) => h('p', {}, t))) : null, ...ed.body, ask.box],
    scopeFor: ed.scopeFor,
    collect: (f) => {
      const body = numbers(formValues(ed.sessionScope, SESSION_FIELDS), SESSION_NUM);
      body.course_id = c.course_id;
      const injections = ed.readInjections(f).map((inj) => ({ ...inj, course_id: c.course_id, session_no: body.session_no }));
      if (injections.length === 0) throw invalid('injections', 'Add at least one injection.');
      body.injections = injections;
      return body;
    },
    send: ask.send,
    done: (r, body) => {
      state.flash = { text: `Session ${body.session_no} recorded with ${body.injections.length} injection${body.injections.length === 1 ? '' : 's'}.` };
      go(back(p));
    },
  });
  return h('section', {}, pageHead(`Record session ${facts.next}`, p, c),
    facts.lastDate ? h('p', {}, `Last session: ${facts.lastDate}${facts.since !== null ? ` (${facts.since} days ago)` : ''}. Planned: ${c.planned_sessions} sessions${c.interval_days ? `, every ${c.interval_days} days` : ''}.`) : null,
    form);
}

// The answer controls of one instrument: NRS as eleven big buttons, VAS as
// a number, multi-item forms as one select per item (blank = unanswered).
export function itemControls(name, info, prefix) {
  const box = h('div', { class: 'items', dataset: { field: 'items' } });
  if (name === 'NRS') {
    box.append(scaleButtons(`${prefix}-1`, 0, 10, info.low, info.high, 'Pain now, 0 to 10', 'item-1'));
  } else if (info.n === 1) {
    box.append(field({ name: 'item-1', label: `${info.title} (${info.min}–${info.max})`, type: 'number', min: info.min, max: info.max, inputmode: 'numeric' }));
  } else {
    const grid = h('div', { class: 'grid item-grid' });
    const opts = [];
    for (let v = info.min; v <= info.max; v++) opts.push([String(v), String(v)]);
    for (let k = 1; k <= info.n; k++) grid.append(field({ name: `item-${k}`, label: `Item ${k}`, type: 'select', options: opts, blank: 'not answered' }));
    box.append(grid);
  }
  box.append(h('p', { class: 'field-error', 'aria-live': 'polite' }));
  return box;
}

export function scaleButtons(group, min, max, low, high, legend, dataField) {
  const fs = h('fieldset', { class: 'scale-field', dataset: { field: dataField } },
    h('legend', {}, legend),
    h('div', { class: `scale${max - min > 10 ? ' wrap' : ''}`, role: 'radiogroup' },
      Array.from({ length: max - min + 1 }, (_, i) => {
        const v = min + i;
        return h('label', {}, h('input', { type: 'radio', name: group, value: String(v), 'aria-label': `${v}${v === min && low ? ` – ${low}` : ''}${v === max && high ? ` – ${high}` : ''}` }), h('span', {}, String(v)));
      })),
    low || high ? h('div', { class: 'anchors', 'aria-hidden': 'true' }, h('span', {}, `${min} = ${low || ''}`), h('span', {}, `${max} = ${high || ''}`)) : null,
    h('p', { class: 'field-error', 'aria-live': 'polite' }));
  return fs;
}

// Reads the answers of itemControls: an array of ints/nulls.
export function readItems(box, name, info, prefix) {
  if (name === 'NRS') {
    const chosen = box.querySelector(`input[name="${prefix}-1"]:checked`);
    return [chosen ? Number(chosen.value) : null];
  }
  const out = [];
  for (let k = 1; k <= info.n; k++) {
    const el = box.querySelector(`[name="item-${k}"]`);
    const v = el ? el.value.trim() : '';
    out.push(v === '' ? null : (Number.isFinite(Number(v)) ? Number(v) : v));
  }
  return out;
}

export async function outcomeFormView({ params, state, go }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const c = findCourse(res, params.cid);
  const instrument = field({ name: 'instrument', label: 'Questionnaire', type: 'select', required: true, options: INSTRUMENT_OPTIONS, value: 'NRS' });
  const date = field({ name: 'date', label: 'Date', type: 'date', required: true, value: today() });
  const itemsBox = h('div', { class: 'items-box' });
  const score = field({ name: 'score', label: 'Total score only (if the answers are not at hand)', type: 'number', step: 'any', inputmode: 'decimal' });
  const scoreBox = h('details', { class: 'score-only' }, h('summary', {}, 'Enter a total score instead of the answers'), score);
  const render = () => {
    itemsBox.textContent = '';
    const name = instrument.control.value;
    itemsBox.append(itemControls(name, INSTRUMENTS[name], 'nrs'));
    scoreBox.hidden = name === 'NRS';
  };
  instrument.control.addEventListener('change', render);
  render();
  // A pain score 8 points from the previous one is saved only when confirmed.
  const ask = confirmable((body, opts) => api('POST', '/api/outcomes', body, opts));
  const form = makeForm({
    label: 'Record a questionnaire',
    submitLabel: 'Save questionnaire',
    cancelHref: back(p),
    body: [h('div', { class: 'grid' }, date, instrument), itemsBox, scoreBox, ask.box],
    collect: () => {
      const name = instrument.control.value;
      const info = INSTRUMENTS[name];
      const items = readItems(itemsBox, name, info, 'nrs');
      const body = { course_id: c.course_id, date: date.control.value, instrument: name };
      const s = score.control.value.trim();
      if (items.some((x) => x !== null)) body.items = items;
      else if (s !== '' && name !== 'NRS') body.score = Number.isFinite(Number(s)) ? Number(s) : s;
      else throw invalid(name === 'NRS' ? 'item-1' : 'items', name === 'NRS' ? 'Choose the pain score, 0 to 10.' : 'Answer at least one item, or enter the total score.');
      return body;
    },
    send: ask.send,
    done: (r, body) => {
      const sc = r && r.outcome ? r.outcome.score : null;
      state.flash = { text: `${body.instrument} recorded${sc !== null && sc !== undefined ? `: score ${sc}` : ''}.` };
      go(back(p));
    },
  });
  return h('section', {}, pageHead('Record a questionnaire', p, c), form);
}

// A side effect's fields, shared by the recording and the edit form
// (v: the values to start from).
export function aeFields(c, v) {
  const sessionOpts = (c.sessions || []).map((s) => [String(s.session_no), `Session ${s.session_no} (${s.date})`]);
  const kind = field({ name: 'kind', label: 'Side effect', type: 'select', required: true, options: AE_KINDS, blank: 'Choose…', value: v.kind });
  kind.control.setAttribute('autofocus', '');
  return [
    kind,
    field({ name: 'date', label: 'Started on', type: 'date', required: true, value: v.date }),
    field({ name: 'duration_days', label: 'Lasted (days)', type: 'number', min: 0, max: 3650, inputmode: 'numeric', hint: 'Leave blank while it goes on.', value: v.duration_days }),
    field({ name: 'grade', label: 'Grade (CTCAE 1–5)', type: 'select', options: [['1', '1 – mild'], ['2', '2 – moderate'], ['3', '3 – severe'], ['4', '4 – life-threatening'], ['5', '5 – death']], value: v.grade }),
    field({ name: 'seriousness', label: 'Seriousness', type: 'select', options: SERIOUSNESS, value: v.seriousness }),
    field({ name: 'relatedness', label: 'Related to the treatment?', type: 'select', options: RELATEDNESS, value: v.relatedness }),
    field({ name: 'session_no', label: 'After session', type: 'select', options: sessionOpts, value: v.session_no }),
    field({ name: 'notes', label: 'Notes', type: 'textarea', wide: true, value: v.notes }),
  ];
}

export const AE_FIELDS = ['date', 'kind', 'duration_days', 'grade', 'seriousness', 'relatedness', 'session_no', 'notes'];

export async function aeFormView({ params, state, go }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const c = findCourse(res, params.cid);
  const facts = courseFacts(c);
  const fields = aeFields(c, { date: today(), session_no: facts.next > 1 ? String(facts.next - 1) : '' });
  const form = makeForm({
    label: 'Record a side effect',
    submitLabel: 'Save side effect',
    cancelHref: back(p),
    body: [h('p', { class: 'hint' }, 'Soreness and stiffness for 1 to 4 days after an injection are expected; record them too, with how long they lasted.'),
      h('div', { class: 'grid' }, fields)],
    collect: (f) => {
      const v = numbers(formValues(f, AE_FIELDS), ['duration_days', 'grade', 'session_no']);
      v.course_id = c.course_id;
      return v;
    },
    send: (body, opts) => api('POST', '/api/adverse-events', body, opts),
    done: (r, body) => {
      state.flash = { text: `Side effect recorded: ${pretty(body.kind)}.` };
      go(back(p));
    },
  });
  return h('section', {}, pageHead('Record a side effect', p, c), form);
}

export async function endCourseView({ params, state, go }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const c = findCourse(res, params.cid);
  const facts = courseFacts(c);
  const status = field({ name: 'status', label: 'How did the course end?', type: 'select', required: true, options: END_STATUSES, blank: 'Choose…',
    hint: 'Only “Completed” and “Goal reached” count as completed in the outcomes; every other ending is a drop-out.' });
  status.control.setAttribute('autofocus', '');
  const form = makeForm({
    label: 'End course',
    submitLabel: 'End course',
    cancelHref: back(p),
    body: [h('p', {}, `${facts.next - 1} of ${c.planned_sessions} planned sessions done.`),
      h('div', { class: 'grid' },
        status,
        field({ name: 'end_date', label: 'End date', type: 'date', required: true, value: facts.lastDate || today() }),
        field({ name: 'reason', label: 'Reason', type: 'textarea', wide: true, hint: 'In a few words, e.g. “pain gone after 3 sessions”, “moved away”.' }))],
    collect: (f) => formValues(f, ['status', 'end_date', 'reason']),
    send: (body, opts) => api('POST', `/api/courses/${encodeURIComponent(c.course_id)}/end`, body, opts),
    done: (r, body) => {
      state.flash = { text: `Course ${c.course_id} ended: ${pretty(body.status)}.` };
      go(back(p));
    },
  });
  return h('section', {}, pageHead('End course', p, c), form);
}

export async function linkView({ params }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const c = findCourse(res, params.cid);
  const result = h('div', { class: 'link-result', 'aria-live': 'polite' });
  const instrument = field({ name: 'instrument', label: 'Questionnaire', type: 'select', required: true, options: INSTRUMENT_OPTIONS, value: 'NRS' });
  const form = makeForm({
    label: 'Send a questionnaire link',
    submitLabel: 'Create link',
    cancelHref: back(p),
    body: [h('p', {}, 'The patient opens the link on a phone without logging in. It works once, expires, and shows only the first name.'),
      h('div', { class: 'grid' }, instrument)],
    collect: () => ({ patient_id: p.patient_id, course_id: c.course_id, instrument: instrument.control.value }),
    send: (body, opts) => api('POST', '/api/questionnaire-links', body, opts),
    done: (r) => {
      const url = new URL(r.url, location.origin).href;
      const out = h('input', { type: 'text', readonly: true, value: url, id: 'q-link', class: 'mono', 'aria-label': 'Questionnaire link' });
      const copy = h('button', { type: 'button' }, 'Copy link');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(url);
          toast('Link copied.');
        } catch (e) {
          out.select();
          toast('Press Ctrl+C (or long-press) to copy the selected link.');
        }
      });
      result.textContent = '';
      result.append(h('div', { class: 'card' },
        h('h2', {}, 'Link ready'),
        h('p', {}, 'Send it to the patient by text message or e-mail.', r.expires_at ? ` It expires ${r.expires_at}.` : ''),
        h('div', { class: 'row' }, h('div', { class: 'grow' }, out), copy,
          h('a', { class: 'button', href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Open'))));
      out.focus();
      out.select();
    },
  });
  return h('section', {}, pageHead('Send a questionnaire link', p, c), form, result);
}
