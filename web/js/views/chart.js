// The patient chart: who the patient is, what may not be given, and for
// each course the plan, the sessions with their injections, the pain
// trajectory against the baseline and the 50 % responder line, the
// questionnaires and the side effects.
import { h, table, scrollRegion, pretty, fmtNum, daysBetween, today } from '../dom.js';
import { api } from '../api.js';
import { may } from '../pages.js';
import { painChart, chartFigure } from '../charts.js';
import { CONTRAINDICATIONS, MODALITIES, CONDITIONS, STATUSES, AE_KINDS, labelFor } from '../vocab.js';
import { recordActions } from './amend.js';
import { chartMergeNotes, courseWarnings } from './merge.js';
import { loadContact, contactCard, loadFollowup, followupBlock } from './followup.js';
import { attachBookings, courseBookings } from './bookings.js';

export function flags(v) {
  if (Array.isArray(v)) return v;
  return String(v || '').split(';').filter(Boolean);
}

export async function loadChart(pid) {
  return api('GET', `/api/patients/${encodeURIComponent(pid)}`);
}

export function courseLabel(c) {
  return `${labelFor(CONDITIONS, c.condition)} — ${labelFor(MODALITIES, c.modality)}`;
}

function statusBadge(status) {
  const tone = status === 'active' || status === 'planned' ? 'info'
    : status === 'completed' || status === 'goal_reached' ? 'ok' : 'warn';
  return h('span', { class: `badge ${tone}` }, labelFor(STATUSES, status));
}

// The clinic's wording of the questionnaires on this chart (instrument ->
// GET /api/instruments/NAME), for the answers table; NRS needs none.
let wordings = new Map();

async function loadWordings(courses, clinic) {
  const names = new Set();
  for (const c of courses) for (const o of c.outcomes || []) if (o.instrument !== 'NRS' && o.instrument !== 'VAS') names.add(o.instrument);
  const out = new Map();
  await Promise.all([...names].map(async (n) => {
    try {
      out.set(n, await api('GET', `/api/instruments/${encodeURIComponent(n)}?clinic=${encodeURIComponent(clinic || '')}`));
    } catch (e) { /* the answers show by number */ }
  }));
  return out;
}

export async function chartView({ params, state }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const courses = res.courses || [];
  wordings = may(state.user, 'instruments.get') ? await loadWordings(courses, p.clinic) : new Map();
  await attachBookings(courses, state.user); // each course's appointments
  const pid = encodeURIComponent(p.patient_id);
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ');
  const ci = flags(p.contraindications);
  const [contact, ...followups] = await Promise.all([loadContact(p.patient_id, state.user),
    ...courses.map((c) => loadFollowup(c.course_id, state.user))]);
  const head = h('section', { class: 'card patient-head' },
    h('div', { class: 'row spread' },
      h('h1', {}, name || `Patient ${p.patient_id}`),
      may(state.user, 'courses.add') ? h('a', { class: 'button primary', href: `#/patient/${pid}/course/new` }, 'Plan a course') : null),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Patient id'), h('dd', {}, p.patient_id),
      h('dt', {}, 'Born'), h('dd', {}, p.birth_year ?? '—'),
      h('dt', {}, 'Sex'), h('dd', {}, pretty(p.sex)),
      h('dt', {}, 'Clinic'), h('dd', {}, p.clinic || '—'),
      p.phone ? [h('dt', {}, 'Phone'), h('dd', {}, h('a', { href: `tel:${p.phone}` }, p.phone))] : null,
      p.email ? [h('dt', {}, 'E-mail'), h('dd', {}, p.email)] : null,
      p.notes ? [h('dt', {}, 'Notes'), h('dd', {}, p.notes)] : null),
    h('div', { class: 'actions record-row' }, recordActions(state.user, p.patient_id, 'patient', p)),
    chartMergeNotes(res, state.user),
    h('h2', {}, 'Contraindications'),
    ci.length
      ? h('ul', { class: 'row contraindications', 'aria-label': 'Contraindications' },
        ci.map((c) => h('li', { class: 'badge block' }, labelFor(CONTRAINDICATIONS, c))))
      : h('p', { class: 'muted' }, 'None recorded.'),
    contactCard(contact, p.patient_id, state.user));
  const list = courses.length
    ? courses.map((c, i) => courseCard(c, p, state, followups[i]))
    : [h('p', { class: 'muted' }, 'No courses yet. Plan the first one with “Plan a course”.')];
  return h('div', {}, head, h('h2', {}, `Courses (${courses.length})`), list);
}

function courseCard(c, p, state, fu) {
  const pid = encodeURIComponent(p.patient_id);
  const cid = encodeURIComponent(c.course_id);
  const base = `#/patient/${pid}/course/${cid}`;
  const sessions = (c.sessions || []).slice().sort((a, b) => a.session_no - b.session_no);
  const outcomes = (c.outcomes || []).slice().sort((a, b) => String(a.date).localeCompare(String(b.date)));
  const aes = c.adverse_events || [];
  const nrs = onePerDay(outcomes.filter((o) => o.instrument === 'NRS' && o.score !== null && o.score !== undefined));
  const ended = c.status !== 'planned' && c.status !== 'active';
  const u = state.user;
  const actions = h('div', { class: 'actions' },
    !ended && may(u, 'sessions.add') ? h('a', { class: 'button primary', href: `${base}/session/new` }, 'Record a session') : null,
    may(u, 'outcomes.add') ? h('a', { class: 'button', href: `${base}/outcome/new` }, 'Record a questionnaire') : null,
    may(u, 'questionnaire-links.add') ? h('a', { class: 'button', href: `${base}/link` }, 'Send questionnaire link') : null,
    may(u, 'adverse-events.add') ? h('a', { class: 'button', href: `${base}/ae/new` }, 'Record a side effect') : null,
    !ended && may(u, 'courses.end') ? h('a', { class: 'button', href: `${base}/end` }, 'End course') : null,
    recordActions(u, p.patient_id, 'course', c));
  const baseline = nrs.length ? Number(nrs[0].score) : null;
  const last = nrs.length ? Number(nrs[nrs.length - 1].score) : null;
  let summary = 'No pain score yet.';
  if (nrs.length === 1) summary = `Baseline pain ${baseline}/10. No follow-up score yet.`;
  else if (nrs.length > 1) {
    const pct = baseline > 0 ? Math.round((1 - last / baseline) * 100) : null;
    summary = `Pain ${baseline} → ${last} out of 10` + (pct !== null ? ` (${pct >= 0 ? `${pct} % lower` : `${-pct} % higher`})` : '') +
      (baseline >= 2 && 2 * last <= baseline ? '. At or below half of baseline: responding.' : '.');
  }
  return h('article', { class: 'card course', dataset: { course: c.course_id }, 'aria-labelledby': `course-${c.course_id}` },
    h('div', { class: 'row spread' },
      h('h3', { id: `course-${c.course_id}` }, courseLabel(c)),
      statusBadge(c.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Course id'), h('dd', {}, c.course_id),
      h('dt', {}, 'Started'), h('dd', {}, c.start_date || '—'),
      h('dt', {}, 'Plan'), h('dd', {}, `${c.planned_sessions ?? '?'} sessions${c.interval_days ? `, every ${c.interval_days} days` : ''}${c.protocol ? ` (protocol ${c.protocol})` : ''}`),
      h('dt', {}, 'Done'), h('dd', {}, `${sessions.length} of ${c.planned_sessions ?? '?'} sessions`),
      c.stem_source ? [h('dt', {}, 'Cell source'), h('dd', {}, pretty(c.stem_source))] : null,
      c.end_date ? [h('dt', {}, 'Ended'), h('dd', {}, `${c.end_date}${c.end_reason ? ` — ${c.end_reason}` : ''}`)] : null,
      c.override_reason ? [h('dt', {}, 'Override'), h('dd', {}, `${c.override_reason}${c.override_by ? ` (${c.override_by})` : ''}`)] : null),
    actions,
    courseWarnings(c),
    courseBookings(c, p.patient_id, u),
    h('h4', {}, 'Pain'),
    h('p', { class: 'pain-summary' }, summary),
    painFigure(c, nrs, sessions),
    sessionsTable(sessions, c, u, p.patient_id),
    outcomesTable(outcomes, u, p.patient_id),
    aesTable(aes, u, p.patient_id),
    fu ? followupBlock(fu, c, u) : null,
    historyList(c.history || []));
}

// The pain chart with its legend, its description and its numbers.
function painFigure(c, nrs, sessions) {
  const origin = c.start_date || (nrs[0] && nrs[0].date) || (sessions[0] && sessions[0].date);
  const sessionOn = (date) => sessions.filter((se) => se.date === date).map((se) => `S${se.session_no}`).join(', ');
  const fig = chartFigure(
    painChart({ points: nrs.map((o) => ({ date: o.date, score: o.score })), sessions, start: c.start_date, title: `Pain trajectory, course ${c.course_id}` }),
    nrs.length ? {
      label: `Pain scores of course ${c.course_id} as a table`,
      heads: ['Date', 'Day of course', 'Pain (0–10)', 'Session that day'],
      rows: nrs.map((o) => [o.date, origin ? daysBetween(origin, o.date) : '—', fmtNum(o.score, 1), sessionOn(o.date)]),
    } : null,
    h('div', { class: 'legend', 'aria-hidden': 'true' },
      h('span', {}, h('span', { class: 'key', style: { background: '#0b5cad' } }), 'pain score'),
      h('span', {}, h('span', { class: 'key dash', style: { color: '#56606b' } }), 'baseline'),
      h('span', {}, h('span', { class: 'key dash', style: { color: '#1d6b3a' } }), '50 % of baseline (responder line)'),
      h('span', {}, 'S1, S2 … sessions')));
  fig.classList.add('pain-figure');
  return fig;
}

function sessionsTable(sessions, c, u, pid) {
  if (!sessions.length) return h('p', { class: 'muted' }, 'No sessions recorded yet.');
  const rows = [];
  for (const s of sessions) {
    const injections = s.injections || [];
    rows.push(h('tr', { class: 'session-row' },
      h('th', { scope: 'row' }, `S${s.session_no}`),
      h('td', {}, s.date),
      h('td', {}, [pretty(s.proliferant), s.concentration_pct != null ? ` ${fmtNum(s.concentration_pct)} %` : '',
        s.anaesthetic ? `, ${s.anaesthetic}${s.anaesthetic_pct != null ? ` ${fmtNum(s.anaesthetic_pct)} %` : ''}` : ''].join('')),
      h('td', { class: 'num' }, volumeText(s, injections)),
      h('td', {}, s.clinician || '—'),
      h('td', {}, [s.prp_paw ? `PAW ${s.prp_paw}` : '', s.prp_mishra ? `Mishra ${s.prp_mishra}` : ''].filter(Boolean).join(', ') || (s.notes || '')),
      h('td', {}, recordActions(u, pid, 'session', s))));
    if (injections.length) {
      rows.push(h('tr', { class: 'injections-row' }, h('td', {}), h('td', { colspan: 6 },
        h('ul', { class: 'injections', 'aria-label': `Injections of session ${s.session_no}` }, injections.map((i) => h('li', {},
          `${i.site}${i.side ? ` (${i.side})` : ''}: `,
          [pretty(i.proliferant || s.proliferant), i.concentration_pct != null ? ` ${fmtNum(i.concentration_pct)} %` : '',
            i.volume_ml != null ? `, ${fmtNum(i.volume_ml)} mL` : '', i.guidance ? `, ${i.guidance}` : '', i.lot ? `, lot ${i.lot}` : ''].join('')))))));
    }
  }
  return scrollRegion(`Sessions (${sessions.length})`, h('table', { class: 'sessions' },
    h('caption', {}, `Sessions (${sessions.length})`),
    h('thead', {}, h('tr', {}, ['Session', 'Date', 'Injectate', 'Volume', 'Clinician', 'PRP / notes', 'Record'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
}

// The session's total volume, or the sum over its injections when the
// session itself does not say.
function volumeText(s, injections) {
  if (s.volume_ml != null) return `${fmtNum(s.volume_ml)} mL`;
  const vols = injections.map((i) => i.volume_ml).filter((v) => v != null);
  if (!vols.length) return '—';
  return `${fmtNum(vols.reduce((a, v) => a + Number(v), 0))} mL (sum of injections)`;
}

// One score a day, as the report takes it (docs/report.md): staff's where
// staff and the patient both answered; the patient's on a day staff did not.
function onePerDay(list) {
  const byDay = new Map();
  for (const o of list) if (!byDay.has(o.date) || o.source !== 'patient') byDay.set(o.date, o);
  return [...byDay.values()];
}

const SOURCES = { staff: 'Staff', patient: 'Patient (link)' };

function scoreCell(o) {
  const r = o.range;
  const scored = o.score !== null && o.score !== undefined;
  const main = scored
    ? (r ? `${fmtNum(o.score, 1)} of ${fmtNum(r.min)}–${fmtNum(r.max)} ${r.unit === '%' ? '%' : r.unit}` : fmtNum(o.score, 1))
    : 'not scorable';
  return h('div', { class: 'score-cell' },
    h('span', { class: scored ? 'score' : 'score none' }, main),
    r && scored ? h('span', { class: 'muted' }, r.higher_is_worse ? ' (higher is worse)' : ' (higher is better)') : null,
    o.not_scorable_reason ? h('p', { class: 'reason' }, `Why: ${o.not_scorable_reason}.`) : null,
    o.partial_reason ? h('p', { class: 'reason muted' }, `Not all subscales: ${o.partial_reason}.`) : null);
}

function subscalesCell(o) {
  const subs = o.subscales || [];
  if (!subs.length) return '—';
  return h('ul', { class: 'subscales' }, subs.map((x) => h('li', {},
    `${SUBSCALE_NAMES[x.name] || x.name}: `,
    x.score === null || x.score === undefined ? h('span', { class: 'score none' }, 'not scorable') : `${fmtNum(x.score, 1)} of ${fmtNum(x.max)}`)));
}

const SUBSCALE_NAMES = { pain: 'Pain', stiffness: 'Stiffness', function: 'Function', symptoms: 'Symptoms', adl: 'Daily living (ADL)', sport_rec: 'Sport/recreation', qol: 'Quality of life' };

// The answers, with the clinic's wording when it is loaded; otherwise by
// item number, saying so.
function answersCell(o) {
  const items = Array.isArray(o.items) ? o.items : (o.items ? String(o.items).split(';').map((x) => (x === '' ? null : Number(x))) : []);
  if (!items.length) return '—';
  const short = items.map((x) => (x === null ? '–' : x)).join(' ');
  if (items.length === 1) return short;
  const w = wordings.get(o.instrument);
  const texts = w && w.wording_source === 'clinic' ? w.item_texts : null;
  return h('details', { class: 'answers' }, h('summary', {}, short),
    texts ? null : h('p', { class: 'muted' }, 'Item wording not loaded for this clinic: answers are shown by item number. An admin can load the licensed wording under Admin → Questionnaire wording.'),
    h('ol', {}, items.map((x, k) => {
      const t = texts && texts[k];
      const lab = t && Array.isArray(t.labels) && x !== null && w ? t.labels[x - w.answer_min] : null;
      return h('li', {}, t ? `${t.text} — ` : '', x === null ? h('em', {}, 'not answered') : `${x}${lab ? ` (${lab})` : ''}`);
    })));
}

function outcomesTable(outcomes, u, pid) {
  if (!outcomes.length) return h('p', { class: 'muted' }, 'No questionnaires recorded yet.');
  return table(outcomes, [['date', 'Date'], ['instrument', 'Questionnaire'],
    [scoreCell, 'Score'], [subscalesCell, 'Subscales'],
    [(o) => SOURCES[o.source] || SOURCES.staff, 'Answered by'], [answersCell, 'Answers'],
    [(o) => recordActions(u, pid, 'outcome', o), 'Record']],
  `Questionnaires (${outcomes.length})`);
}

function aesTable(aes, u, pid) {
  if (!aes.length) return h('p', { class: 'muted' }, 'No side effects recorded.');
  return table(aes, [['date', 'Onset'], [(a) => labelFor(AE_KINDS, a.kind), 'Side effect'],
    [(a) => (a.duration_days === null || a.duration_days === undefined ? 'ongoing' : `${a.duration_days} d`), 'Duration'],
    ['grade', 'Grade', 'num'], [(a) => pretty(a.seriousness), 'Serious'], [(a) => pretty(a.relatedness), 'Related'],
    [(a) => (a.session_no ? `S${a.session_no}` : '—'), 'After session'], ['notes', 'Notes'],
    [(a) => recordActions(u, pid, 'ae', a), 'Record']],
  `Side effects (${aes.length})`);
}

function historyList(history) {
  if (!history.length) return null;
  return h('details', { class: 'history' }, h('summary', {}, `Course history (${history.length})`),
    h('ul', {}, history.map((e) => {
      if (typeof e === 'string') return h('li', {}, e);
      const when = e.at || e.time || e.date || '';
      const what = e.text || e.event || e.note || e.action || JSON.stringify(e);
      return h('li', {}, when ? `${when}: ` : '', what, e.by || e.user ? ` (${e.by || e.user})` : '');
    })));
}

// Next session number and days since the last session (for the forms).
export function courseFacts(c) {
  const sessions = c.sessions || [];
  const next = sessions.reduce((m, s) => Math.max(m, Number(s.session_no) || 0), 0) + 1;
  const lastDate = sessions.map((s) => s.date).sort().pop();
  return { next, lastDate, since: lastDate ? daysBetween(lastDate, today()) : null };
}
