// Correcting the chart: edit a record (a patient's details, a course, a
// session with its injections, an assessment, a side effect), void one
// entered in error, and read a record's history in words. An edit sends
// only the fields that changed, with the reason, and If-Match set to the
// version the form was filled from: when someone else changed the record
// meanwhile the server answers 409, and the form says so, shows the
// current values and lets the user make the change again.
import { h, append, field, formValues, numbers, fmtNum, today } from '../dom.js';
import { api, ApiError } from '../api.js';
import { may } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import { AE_KINDS, CONTRAINDICATIONS, END_STATUSES, INSTRUMENTS, MODALITIES, CONDITIONS, labelFor } from '../vocab.js';
import { loadChart, courseLabel } from './chart.js';
import { confirmable } from '../confirm.js';
import { patientFields, PATIENT_FIELDS } from './patients.js';
import {
  findCourse, back, pageHead, courseFields, sessionEditor, aeFields, itemControls, readItems,
  SESSION_FIELDS, SESSION_NUM, AE_FIELDS,
} from './course.js';

// (The field lists are read when used: this module and course.js import
// each other through chart.js.)
// The kinds of record: how the API names them, how people do, which
// fields are numbers or flags, and how to find one in a chart.
const KINDS = {
  patient: {
    api: 'patients', can: 'patients', noun: 'patient details',
    key: (p) => [p.patient_id],
    find: (res) => res.patient,
    num: ['birth_year'], flags: ['contraindications'],
    get names() { return PATIENT_FIELDS.filter((n) => n !== 'patient_id'); },
  },
  course: {
    api: 'courses', can: 'courses', noun: 'course',
    key: (c) => [c.course_id],
    find: (res, q) => findIn(res.courses, (c) => c.course_id === q.cid),
    num: ['planned_sessions', 'interval_days'], flags: [],
    names: ['condition', 'modality', 'stem_source', 'protocol', 'start_date', 'planned_sessions', 'interval_days', 'status', 'end_date', 'end_reason'],
  },
  session: {
    api: 'sessions', can: 'sessions', noun: 'session',
    key: (s) => [s.course_id, s.session_no],
    find: (res, q) => findIn(courseOf(res, q).sessions, (s) => String(s.session_no) === String(q.sno)),
    flags: [],
    get num() { return SESSION_NUM; },
    get names() { return SESSION_FIELDS.filter((n) => n !== 'session_no'); },
  },
  outcome: {
    api: 'outcomes', can: 'outcomes', noun: 'assessment',
    // A patient's own answers (source "patient") have the source as a
    // fourth key part; on the page's path they are "INSTRUMENT:patient".
    key: (o) => (o.source === 'patient' ? [o.course_id, o.date, o.instrument, 'patient'] : [o.course_id, o.date, o.instrument]),
    find: (res, q) => {
      const [instrument, source] = String(q.instrument).split(':');
      return findIn(courseOf(res, q).outcomes, (o) => o.date === q.date && o.instrument === instrument &&
        (o.source || 'staff') === (source || 'staff'));
    },
    num: ['score'], flags: [],
    names: ['score', 'items'],
  },
  ae: {
    api: 'adverse-events', can: 'adverse-events', noun: 'side effect',
    key: (a) => [a.course_id, a.seq],
    find: (res, q) => findIn(courseOf(res, q).adverse_events, (a) => String(a.seq) === String(q.seq)),
    num: ['duration_days', 'grade', 'session_no'], flags: [],
    get names() { return AE_FIELDS; },
  },
};
const BY_API = Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [v.api, k]));

function findIn(list, pred) {
  return (list || []).find(pred) || null;
}

function courseOf(res, q) {
  return findCourse(res, q.cid);
}

function apiPath(kind, rec) {
  return `/api/${KINDS[kind].api}/${KINDS[kind].key(rec).map((x) => encodeURIComponent(String(x))).join('/')}`;
}

// The chart's link to a record's history (the record named by its API
// collection and key, as one path segment).
export function historyHref(pid, kind, rec) {
  const name = [KINDS[kind].api, ...KINDS[kind].key(rec)].join('/');
  return `#/patient/${encodeURIComponent(pid)}/history/${encodeURIComponent(name)}`;
}

// The chart's links to edit or void a record.
export function recordHref(pid, kind, rec, what) {
  const base = `#/patient/${encodeURIComponent(pid)}`;
  const cid = rec.course_id !== undefined ? `${base}/course/${encodeURIComponent(rec.course_id)}` : base;
  switch (kind) {
    case 'patient': return `${base}/${what}`;
    case 'course': return `${cid}/${what}`;
    case 'session': return `${cid}/session/${encodeURIComponent(rec.session_no)}/${what}`;
    case 'outcome': return `${cid}/outcome/${encodeURIComponent(rec.date)}/${encodeURIComponent(rec.instrument + (rec.source === 'patient' ? ':patient' : ''))}/${what}`;
    default: return `${cid}/ae/${encodeURIComponent(rec.seq)}/${what}`;
  }
}

// A record named in words: "assessment NRS of 2026-03-02".
export function recordName(kind, r) {
  switch (kind) {
    case 'patient': return 'patient details';
    case 'course': return `course ${r.course_id}`;
    case 'session': return `session ${r.session_no} of ${r.date}`;
    case 'outcome': return `assessment ${r.instrument} of ${r.date}${r.source === 'patient' ? ' (answered by the patient)' : ''}`;
    default: return `side effect ${labelFor(AE_KINDS, r.kind).toLowerCase()} of ${r.date}`;
  }
}

// Edit, Void and History for one record, each offered only when the
// user's role may use it.
export function recordActions(user, pid, kind, rec) {
  const k = KINDS[kind];
  const name = recordName(kind, rec);
  return h('span', { class: 'record-actions' },
    may(user, `${k.can}.amend`) ? h('a', { href: recordHref(pid, kind, rec, 'edit'), class: 'edit-link', 'aria-label': `Edit ${name}` }, 'Edit') : null,
    may(user, `${k.can}.void`) ? h('a', { href: recordHref(pid, kind, rec, 'void'), class: 'void-link', 'aria-label': `Void ${name} (entered in error)` }, 'Void') : null,
    h('a', { href: historyHref(pid, kind, rec), class: 'history-link', 'aria-label': `History of ${name}` }, 'History'));
}

// ---- what changed ------------------------------------------------------------

function asText(v) {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(';');
  return String(v);
}

// The fields of the form whose values differ from the record's, as the
// API takes them (an emptied field is null).
function changedFields(form, rec, kind, names) {
  const k = KINDS[kind];
  const out = {};
  for (const name of names) {
    if (!form.querySelector(`[name="${name}"]`)) continue;
    const s = formValues(form, [name])[name] ?? '';
    if (s === asText(rec[name])) continue;
    if (s === '') out[name] = null;
    else if (k.flags.includes(name)) out[name] = s.split(';');
    else if (k.num.includes(name)) out[name] = numbers({ [name]: s }, [name])[name];
    else out[name] = s;
  }
  return out;
}

const INJ_COMPARE = ['site', 'side', 'proliferant', 'concentration_pct', 'anaesthetic', 'anaesthetic_pct', 'volume_ml', 'guidance', 'lot'];
function sameInjections(a, b) {
  const norm = (list) => (list || []).map((i) => INJ_COMPARE.map((n) => asText(i[n])).join('|')).join('\n');
  return norm(a) === norm(b);
}

// ---- the edit form -------------------------------------------------------------

// The form's own fields for a record (the creation form's, filled with
// its values), and how to read the change from them.
function editFields(kind, rec, ctx) {
  const { c, user } = ctx;
  switch (kind) {
    case 'patient':
      return { body: [h('div', { class: 'grid' }, patientFields(user, rec, true))] };
    case 'course': {
      const ended = rec.status !== 'planned' && rec.status !== 'active';
      const fields = courseFields(rec);
      fields[0].control.setAttribute('autofocus', '');
      const end = ended ? h('fieldset', { class: 'course-end' }, h('legend', {}, 'End of the course'),
        h('div', { class: 'grid' },
          field({ name: 'status', label: 'How did the course end?', type: 'select', required: true, options: END_STATUSES, value: rec.status }),
          field({ name: 'end_date', label: 'End date', type: 'date', required: true, value: rec.end_date }),
          field({ name: 'end_reason', label: 'Reason it ended', type: 'textarea', wide: true, value: rec.end_reason }))) : null;
      return { body: [h('div', { class: 'grid' }, fields), end] };
    }
    case 'session': {
      const ed = sessionEditor(c, rec, rec.injections || [], true);
      return {
        body: ed.body,
        scopeFor: ed.scopeFor,
        extra: (form, out) => {
          const injections = ed.readInjections(form);
          if (injections.length === 0) throw invalid('injections', 'Keep at least one injection.');
          if (!sameInjections(injections, rec.injections)) out.injections = injections;
        },
      };
    }
    case 'outcome': {
      const info = INSTRUMENTS[rec.instrument] || { n: (rec.items || []).length || 1, min: 0, max: 100, title: rec.instrument };
      const box = itemControls(rec.instrument, info, 'edit');
      const items = Array.isArray(rec.items) ? rec.items : [];
      if (rec.instrument === 'NRS') {
        const v = items.length ? items[0] : rec.score;
        const radio = box.querySelector(`input[value="${v === null || v === undefined ? '' : Number(v)}"]`);
        if (radio) radio.checked = true;
      } else {
        for (let k = 1; k <= info.n; k++) {
          const el = box.querySelector(`[name="item-${k}"]`);
          if (el && items[k - 1] !== null && items[k - 1] !== undefined) el.value = String(items[k - 1]);
        }
      }
      const first = box.querySelector('input:checked') || box.querySelector('input, select');
      if (first) first.setAttribute('autofocus', '');
      const score = rec.instrument === 'NRS' ? null
        : field({ name: 'score', label: 'Total score only (if the answers are not at hand)', type: 'number', step: 'any', inputmode: 'decimal', value: items.length ? undefined : rec.score });
      return {
        body: [h('p', {}, `${info.title || rec.instrument}, ${rec.date}. The score is computed again from the answers.`), box,
          score ? h('div', { class: 'grid' }, score) : null],
        names: [],
        extra: (form, out) => {
          const now = readItems(box, rec.instrument, info, 'edit');
          if (rec.instrument === 'NRS') {
            const before = items.length ? items[0] : rec.score;
            if (now[0] === null) throw invalid('item-1', 'Choose the pain score, 0 to 10.');
            if (Number(now[0]) !== Number(before)) out.items = now;
            return;
          }
          const was = Array.from({ length: info.n }, (_, i) => (items[i] === undefined ? null : items[i]));
          if (now.some((x) => x !== null) && JSON.stringify(now) !== JSON.stringify(was)) {
            out.items = now;
            return;
          }
          const s = score.control.value.trim();
          if (s !== '' && !items.length && s !== asText(rec.score)) out.score = Number.isFinite(Number(s)) ? Number(s) : s;
          else if (s !== '' && items.length && now.every((x) => x === null)) out.score = Number.isFinite(Number(s)) ? Number(s) : s;
        },
      };
    }
    default:
      return { body: [h('div', { class: 'grid' }, aeFields(c, { ...rec, session_no: rec.session_no ?? '' }))] };
  }
}

// The values of a record in words, for "the record now holds".
function factsOf(kind, rec) {
  const skip = new Set(['version', 'voided', 'course_id', 'patient_id', 'session_no', 'seq', 'injections', 'prp_paw', 'prp_mishra']);
  if (kind === 'outcome') for (const k of ['date', 'instrument', 'subscales', 'range', 'not_scorable_reason', 'partial_reason']) skip.add(k);
  const rows = [];
  for (const [k, v] of Object.entries(rec)) {
    if (skip.has(k) || v === null || v === undefined || typeof v === 'object' && !Array.isArray(v)) continue;
    rows.push(h('dt', {}, fieldLabel(kind, k, rec)), h('dd', {}, valueText(kind, k, v)));
  }
  if (Array.isArray(rec.injections)) rows.push(h('dt', {}, 'injections'), h('dd', {}, valueText(kind, 'injections', rec.injections)));
  return h('dl', { class: 'facts' }, rows);
}

async function loadRecord(kind, params) {
  const res = await loadChart(params.pid);
  const rec = KINDS[kind].find(res, params);
  if (!rec) {
    const e = new Error(`This ${KINDS[kind].noun} is not in the patient's chart: it may have been voided.`);
    e.status = 404;
    throw e;
  }
  const c = kind === 'patient' ? null : courseOf(res, { cid: kind === 'course' ? rec.course_id : params.cid });
  return { res, p: res.patient, c, rec };
}

function headFor(title, p, c) {
  return pageHead(title, p, c);
}

export function editView(kind) {
  return async ({ params, state, go }) => {
    let { p, c, rec } = await loadRecord(kind, params);
    const k = KINDS[kind];
    const name = recordName(kind, rec);
    const holder = h('div', { class: 'edit-fields' });
    const conflictBox = h('div', { class: 'conflict' });
    let spec;
    const fill = () => {
      spec = editFields(kind, rec, { c, user: state.user });
      holder.textContent = '';
      append(holder, [spec.body]);
    };
    fill();
    const reason = field({ name: 'reason', label: 'Reason for the change', type: 'textarea', required: true, wide: true,
      hint: 'Say why the record is changed, e.g. “typing error”. It stays in the record\'s history.' });
    // What the rules only warn of (an NRS jump, a concentration outside
    // the protocol, a patient who may be registered already) is saved
    // only when confirmed.
    const ask = confirmable((body) => api('PATCH', apiPath(kind, rec), body, { ifMatch: rec.version }),
      kind === 'patient' ? 'Save anyway: another person' : undefined);
    const form = makeForm({
      label: `Edit ${k.noun}`,
      submitLabel: 'Save the change',
      cancelHref: back(p),
      body: [conflictBox, holder, h('div', { class: 'grid' }, reason), ask.box],
      scopeFor: (f, msg) => (spec.scopeFor ? spec.scopeFor(f, msg) : null),
      collect: (f) => {
        const why = reason.control.value.trim();
        const out = changedFields(holder, rec, kind, spec.names || k.names);
        if (spec.extra) spec.extra(f, out);
        if (!why) throw invalid('reason', 'Say why the record is changed.');
        if (!Object.keys(out).length) throw invalid('', 'Nothing was changed: change a value, or cancel.');
        out.reason = why;
        return out;
      },
      send: async (body) => {
        try {
          return await ask.send(body);
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 409 || e.field !== 'version') throw e;
          // Someone else changed the record: show its current values,
          // fill the form with them, and let the user redo the change.
          const mine = { ...body };
          delete mine.reason;
          const now = await loadRecord(kind, params).catch(() => null);
          if (!now) throw new ApiError(409, 'conflict', `Someone else voided this ${k.noun} meanwhile; your change was not saved.`, '');
          ({ p, c, rec } = now);
          fill();
          conflictBox.textContent = '';
          conflictBox.append(h('div', { class: 'notice warn' },
            h('h2', {}, 'The record now holds'), factsOf(kind, rec),
            h('p', {}, `Your change, not saved: ${Object.entries(mine).map(([f, v]) => `${fieldLabel(kind, f, rec)} → ${valueText(kind, f, v)}`).join(', ')}.`)));
          throw new ApiError(409, 'conflict',
            `Someone else changed this ${k.noun} while you were editing it (it is now at version ${rec.version}), so your change was not saved. ` +
            'The form now shows the current values: make your change again and save.', '');
        }
      },
      done: (r) => {
        const after = r && Object.values(r).find((x) => x && typeof x === 'object');
        state.flash = { text: `Changed: ${name}${after && after.version ? ` (now version ${after.version})` : ''}.` };
        go(back(p));
      },
    });
    return h('section', {}, headFor(`Edit ${name}`, p, kind === 'patient' ? null : c),
      h('p', {}, 'Change what is wrong; only the fields you change are sent, with your reason. The previous values stay in the record\'s history.'),
      form);
  };
}

// ---- void ------------------------------------------------------------------------

export function voidView(kind) {
  return async ({ params, state, go }) => {
    let { p, c, rec } = await loadRecord(kind, params);
    const k = KINDS[kind];
    const name = recordName(kind, rec);
    const summary = h('div', { class: 'card' }, factsOf(kind, rec));
    const reason = field({ name: 'reason', label: 'Reason', type: 'textarea', required: true, wide: true,
      hint: 'e.g. “entered for the wrong patient”. It stays in the record\'s history.' });
    reason.control.setAttribute('autofocus', '');
    const confirmId = `confirm-${kind}`;
    const confirm = h('div', { class: 'field wide confirm', dataset: { field: 'confirm' } },
      h('label', { for: confirmId, class: 'check' },
        h('input', { type: 'checkbox', id: confirmId, name: 'confirm', required: true, 'aria-describedby': `${confirmId}-err` }),
        ` Yes, void this ${k.noun}: it was entered in error.`),
      h('p', { class: 'field-error', id: `${confirmId}-err`, 'aria-live': 'polite' }));
    const warn = kind === 'course' ? 'Its sessions, assessments and side effects leave the chart with it.'
      : kind === 'patient' ? 'A patient with courses cannot be voided: void the courses first.'
        : kind === 'session' ? 'The course is planned again when no session is left.' : '';
    const form = makeForm({
      label: `Void ${k.noun}`,
      submitLabel: `Void ${k.noun}`,
      cancelHref: back(p),
      body: [summary, h('div', { class: 'grid' }, reason, confirm)],
      collect: (f) => {
        const why = reason.control.value.trim();
        if (!why) throw invalid('reason', 'Say why the record is voided.');
        if (!f.querySelector('[name="confirm"]').checked) throw invalid('confirm', 'Tick the box to confirm that the record was entered in error.');
        return { reason: why };
      },
      send: async (body, opts) => {
        try {
          return await api('POST', `${apiPath(kind, rec)}/void`, body, { ...opts, ifMatch: rec.version });
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 409 || e.field !== 'version') throw e;
          const now = await loadRecord(kind, params).catch(() => null);
          if (!now) throw new ApiError(409, 'conflict', `Someone else voided this ${k.noun} meanwhile.`, '');
          ({ p, c, rec } = now);
          summary.textContent = '';
          summary.append(factsOf(kind, rec));
          throw new ApiError(409, 'conflict', `Someone else changed this ${k.noun} meanwhile (it is now at version ${rec.version}); it was not voided. ` +
            'Its current values are shown above: void it again if it is still wrong.', '');
        }
      },
      done: () => {
        state.flash = { text: `Voided (entered in error): ${name}. It no longer shows on the chart.`, link: { href: historyHref(p.patient_id, kind, rec), text: 'Its history' } };
        go(back(p));
      },
    });
    return h('section', {}, headFor(`Void ${name}`, p, kind === 'patient' ? null : c),
      h('p', {}, `Void a record only when it was entered in error. It leaves the chart, the report, the alerts and the exports; its history stays. ${warn}`),
      form);
  };
}

// ---- history ---------------------------------------------------------------------

const FIELD_LABELS = {
  birth_year: 'year of birth', first_name: 'first name', last_name: 'last name', email: 'e-mail',
  start_date: 'start date', planned_sessions: 'planned sessions', interval_days: 'days between sessions',
  end_date: 'end date', end_reason: 'reason it ended', stem_source: 'cell source', modality: 'treatment',
  override_reason: 'override reason', override_by: 'overridden by', proliferant: 'injectate',
  concentration_pct: 'concentration (%)', volume_ml: 'volume (mL)', anaesthetic_pct: 'anaesthetic (%)',
  duration_days: 'lasted (days)', session_no: 'after session', kind: 'side effect', date: 'date',
  items: 'answers', relatedness: 'related', seriousness: 'seriousness',
};

function fieldLabel(kind, f, rec) {
  if (kind === 'outcome' && f === 'score') return rec.instrument || 'score';
  if (kind === 'ae' && f === 'date') return 'onset';
  return FIELD_LABELS[f] || f.replace(/_/g, ' ');
}

function valueText(kind, f, v) {
  if (v === null || v === undefined || v === '') return '(none)';
  if (f === 'injections' && Array.isArray(v)) {
    return v.map((i) => `${i.site}${i.side ? ` (${i.side}` : ' ('}${i.volume_ml != null ? `${i.side ? ', ' : ''}${fmtNum(i.volume_ml, 2)} mL` : ''})`.replace(' ()', '')).join('; ');
  }
  if (f === 'contraindications' && Array.isArray(v)) return v.map((x) => labelFor(CONTRAINDICATIONS, x)).join(', ');
  if (f === 'items' && Array.isArray(v)) return v.map((x) => (x === null ? '–' : x)).join(' ');
  if (f === 'modality') return labelFor(MODALITIES, v);
  if (f === 'condition') return labelFor(CONDITIONS, v);
  if (kind === 'ae' && f === 'kind') return labelFor(AE_KINDS, v);
  if (typeof v === 'number') return fmtNum(v, 2);
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

// One version's change in words: "NRS 8 → 3 on 2026-03-02 by nurse1: typing error".
export function changeWords(kind, e) {
  // the day of the change's time where the reader is, as the forms' "today"
  const day = /T/.test(e.at || '') ? today(new Date(e.at)) : String(e.at || '').slice(0, 10);
  const tail = ` on ${day} by ${e.by}: ${e.reason}`;
  if (e.action === 'void') return `Voided (entered in error)${tail}`;
  let changes = e.changes || [];
  const rec = e.record || {};
  // a single-answer scale: the score says it; its one answer would repeat it
  if (kind === 'outcome' && changes.some((x) => x.field === 'score')) {
    changes = changes.filter((x) => !(x.field === 'items' && (!Array.isArray(x.to) || x.to.length <= 1) && (!Array.isArray(x.from) || x.from.length <= 1)));
  }
  const what = changes.map((x) => `${fieldLabel(kind, x.field, rec)} ${valueText(kind, x.field, x.from)} → ${valueText(kind, x.field, x.to)}`).join(', ');
  return `${what || 'Changed'}${tail}`;
}

export async function historyView({ params }) {
  const parts = String(params.record || '').split('/');
  const kind = BY_API[parts[0]];
  if (!kind || parts.length !== KINDS[kind].key({ course_id: 1, patient_id: 1, session_no: 1, date: 1, instrument: 1, seq: 1 }).length + 1) {
    const e = new Error('This is not the name of a record.');
    e.status = 404;
    throw e;
  }
  const [res, hist] = await Promise.all([
    loadChart(params.pid),
    api('GET', `/api/${parts.map((x, i) => (i ? encodeURIComponent(x) : x)).join('/')}/history`),
  ]);
  const p = res.patient;
  const now = hist.record || {};
  const c = kind === 'patient' ? null : (res.courses || []).find((x) => x.course_id === parts[1]) || null;
  const name = recordName(kind, now);
  const entries = hist.history || [];
  const items = entries.map((e) => h('li', {}, h('span', { class: 'version' }, `Version ${e.version}: `), changeWords(kind, e)));
  return h('section', {}, pageHead(`History of ${name}`, p, c),
    h('p', {}, now.voided
      ? h('span', { class: 'badge warn' }, `Voided (entered in error): no longer on the chart, version ${now.version}`)
      : `Now at version ${now.version}.${c ? ` ${courseLabel(c)}.` : ''}`),
    h('h2', {}, 'The record now holds'),
    factsOf(kind, now),
    h('h2', {}, `Changes (${entries.length})`),
    entries.length ? h('ol', { class: 'record-history' }, items) : h('p', { class: 'muted' }, 'None: the record is as it was first entered.'),
    h('p', {}, h('a', { href: back(p), class: 'button' }, 'Back to the chart')));
}
