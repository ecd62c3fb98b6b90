// The follow-up as the front desk works it: a course's timeline on the
// chart (each time point with its status, the messages sent and their
// attempts, the answers, what happens next, and the calls logged), the
// patient's contact details and consent (shown on the chart, edited on
// their own page), the outbox's work list (patients to call, messages that
// could not be delivered) and the drop-outs still to be reached. Logging a
// call is one click on its result.
import { h, s, clear, append, field, formValues, today, toast, scrollRegion, pretty, fmtNum } from '../dom.js';
import { api, query } from '../api.js';
import { may } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import { chartFigure } from '../charts.js';
import { CONDITIONS, MODALITIES, STATUSES, labelFor } from '../vocab.js';

export const CALL_RESULTS = [
  ['reached', 'Reached'], ['no_answer', 'No answer'], ['left_message', 'Left a message'],
  ['wrong_number', 'Wrong number'], ['declined', 'Declined follow-up'], ['call_back', 'Call back later'],
];
const SETTLES = new Set(['reached', 'wrong_number', 'declined']);

export const FU_STATUS = {
  upcoming: { label: 'Upcoming', tone: 'info', colour: '#56606b' },
  invited: { label: 'Invited', tone: 'info', colour: '#0b5cad' },
  reminded: { label: 'Reminded', tone: 'warn', colour: '#0b5cad' },
  answered: { label: 'Answered', tone: 'ok', colour: '#1d6b3a' },
  missed: { label: 'Missed', tone: 'warn', colour: '#a4262c' },
  not_contactable: { label: 'Not contactable', tone: 'warn', colour: '#8a4b00' },
};

const CHANNELS = [['email', 'E-mail'], ['sms', 'SMS'], ['none', 'None (phone only)']];

export function callResultLabel(r) {
  const f = CALL_RESULTS.find(([v]) => v === r);
  return f ? f[1] : pretty(r);
}

function statusBadge(status) {
  const st = FU_STATUS[status] || { label: pretty(status), tone: 'info' };
  return h('span', { class: `badge ${st.tone}` }, st.label);
}

function pointName(p) {
  return p.months ? `${p.months} month${p.months === 1 ? '' : 's'}` : `Day ${p.offset_days}`;
}

// What happens next for a time point, in words.
export function nextText(p, contact) {
  const n = p.next || {};
  const day = n.date;
  const now = today();
  if (n.action === 'none') {
    if (p.status === 'answered') return 'Nothing to do: answered.';
    return 'Nothing to do: the window has passed without an answer.';
  }
  if (n.action === 'invite') return day <= now ? 'The invitation goes out with the next outbox run.' : `Invitation on ${day}.`;
  if (n.action === 'remind') return `Reminder ${n.step} on ${day}, if still unanswered.`;
  if (n.action === 'call') {
    const why = contact && !contact.contactable && contact.why ? ` (${contact.why})` : '';
    return day <= now ? `Call the patient${why}.` : `Call the patient from ${day}${why}.`;
  }
  return '—';
}

function callLine(c) {
  return [`${c.day} · ${callResultLabel(c.result)} · ${c.by}`, c.note ? ` — ${c.note}` : ''].join('');
}

// One click logs a call: a note (optional) and a button per result.
// opts: {course_id, alert_key, point_day, who (for the buttons' names),
// done(call)}.
export function callControls(opts) {
  const id = `call-note-${String(opts.course_id).replace(/[^A-Za-z0-9_-]/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  const note = h('input', { type: 'text', id, name: 'note', autocomplete: 'off', placeholder: 'e.g. will answer tonight' });
  const err = h('p', { class: 'field-error', 'aria-live': 'polite' });
  const buttons = CALL_RESULTS.map(([v, label]) => {
    const b = h('button', { type: 'button', class: 'small', dataset: { result: v }, 'aria-label': `${label}: log the call${opts.who ? ` to ${opts.who}` : ''}` }, label);
    b.addEventListener('click', async () => {
      err.textContent = '';
      for (const x of buttons) x.disabled = true;
      const body = { course_id: opts.course_id, result: v };
      if (note.value.trim()) body.note = note.value.trim();
      if (opts.alert_key) body.alert_key = opts.alert_key;
      if (opts.point_day) body.point_day = opts.point_day;
      try {
        const res = await api('POST', '/api/calls', body);
        note.value = '';
        toast(`Call logged: ${label}${opts.who ? ` (${opts.who})` : ''}.`);
        if (opts.done) await opts.done(res.call, SETTLES.has(v));
      } catch (e) {
        err.textContent = e.message;
      } finally {
        for (const x of buttons) x.disabled = false;
      }
    });
    return b;
  });
  return h('fieldset', { class: 'call-log', dataset: { course: opts.course_id } },
    h('legend', {}, 'Log a call'),
    h('div', { class: 'field wide' }, h('label', { for: id }, 'Note (optional)'), note),
    h('div', { class: 'row call-results', role: 'group', 'aria-label': 'Result of the call' }, buttons),
    err);
}

// ---- the chart: contact and consent ----------------------------------------

export async function loadContact(pid, user) {
  if (!may(user, 'contacts.get')) return null;
  try {
    return await api('GET', `/api/patients/${encodeURIComponent(pid)}/contact`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) return null;
    throw e;
  }
}

export function contactCard(c, pid, user) {
  if (!c) return null;
  const consent = c.consent === 'none' ? 'Not recorded'
    : `${pretty(c.consent)}${c.consent_date ? ` on ${c.consent_date}` : ''}${c.consent_by ? ` by ${c.consent_by}` : ''}${c.consent_how ? ` (${c.consent_how})` : ''}`;
  return h('section', { class: 'contact-card', 'aria-labelledby': 'contact-h' },
    h('div', { class: 'row spread' },
      h('h2', { id: 'contact-h' }, 'Follow-up contact'),
      may(user, 'contacts.set') ? h('a', { class: 'button', href: `#/patient/${encodeURIComponent(pid)}/contact` }, 'Edit contact and consent') : null),
    h('dl', { class: 'facts' },
      h('dt', {}, 'E-mail'), h('dd', {}, c.email || '—', c.email_bad ? ' (refused by the mail server)' : ''),
      h('dt', {}, 'Mobile'), h('dd', {}, c.mobile ? h('a', { href: `tel:${c.mobile}` }, c.mobile) : '—', c.mobile_bad ? ' (refused)' : ''),
      h('dt', {}, 'Channel'), h('dd', {}, (CHANNELS.find(([v]) => v === c.channel) || [0, c.channel])[1]),
      h('dt', {}, 'Consent'), h('dd', {}, consent),
      h('dt', {}, 'By machine'), h('dd', {}, c.contactable ? 'Contactable' : `Not contactable: ${c.why || 'no reason given'}`)));
}

// ---- the chart: a course's follow-up timeline ------------------------------

export async function loadFollowup(cid, user) {
  if (!may(user, 'courses.get')) return null;
  try {
    return await api('GET', `/api/courses/${encodeURIComponent(cid)}/followup`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) return null;
    throw e;
  }
}

// The time points on a line, each with its window and status (in words as
// well as colour); the list below and the table are its text alternative.
function timelineSvg(fu, cid) {
  const pts = fu.points;
  const W = 640; const H = 96; const L = 24; const R = 24;
  const last = Math.max(...pts.map((p) => p.offset_days)) + 20;
  const X = (d) => L + (d / last) * (W - L - R);
  const start = Date.parse(`${pts[0].due}T00:00:00Z`) - pts[0].offset_days * 86400000;
  const dayOf = (iso) => Math.round((Date.parse(`${iso}T00:00:00Z`) - start) / 86400000);
  const title = `Follow-up time points, course ${cid}`;
  const desc = `${pts.length} time points: ${pts.map((p) => `${pointName(p)} ${(FU_STATUS[p.status] || {}).label || p.status}`).join(', ')}.`;
  const tid = `fu-${String(cid).replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const svg = s('svg', { class: 'chart fu-timeline', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${tid}-t ${tid}-d` },
    s('title', { id: `${tid}-t` }, title), s('desc', { id: `${tid}-d` }, desc),
    s('line', { x1: L, x2: W - R, y1: 40, y2: 40, stroke: '#56606b', 'stroke-width': 2 }),
    s('text', { x: L, y: 24, 'font-size': 12, fill: '#333' }, 'start'));
  for (const p of pts) {
    const st = FU_STATUS[p.status] || FU_STATUS.upcoming;
    svg.append(
      s('rect', { x: X(dayOf(p.window_start)), y: 32, width: Math.max(2, X(dayOf(p.window_end)) - X(dayOf(p.window_start))), height: 16, fill: st.colour, 'fill-opacity': 0.18 }),
      s('circle', { cx: X(p.offset_days), cy: 40, r: 7, fill: st.colour }),
      s('text', { x: X(p.offset_days), y: 68, 'text-anchor': 'middle', 'font-size': 12, fill: '#222' }, pointName(p)),
      s('text', { x: X(p.offset_days), y: 84, 'text-anchor': 'middle', 'font-size': 11, fill: '#333' }, st.label));
  }
  const t = dayOf(today());
  if (t >= 0 && t <= last) {
    svg.append(s('line', { x1: X(t), x2: X(t), y1: 14, y2: 52, stroke: '#0b5cad', 'stroke-dasharray': '3 3' }),
      s('text', { x: X(t), y: 12, 'text-anchor': 'middle', 'font-size': 11, fill: '#0b5cad' }, 'today'));
  }
  return svg;
}

function messageItem(m) {
  const att = m.attempts || [];
  return h('li', {}, `${pretty(m.kind)} (${m.created_on}): ${m.state}`,
    att.length ? h('ul', { class: 'attempts' }, att.map((a) => h('li', {},
      `attempt ${a.n}${a.at ? ` at ${a.at.replace('T', ' ').replace('Z', ' UTC')}` : ''}: ${pretty(a.result)}${a.reply ? ` — ${a.reply}` : ''}`))) : null);
}

export function followupSection(fu, c, user, refresh) {
  if (!fu || !Array.isArray(fu.points) || !fu.points.length) return null;
  const cid = c.course_id;
  const points = fu.points.map((p) => h('li', { class: 'fu-point', dataset: { status: p.status, day: String(p.offset_days) } },
    h('div', { class: 'row spread' },
      h('h5', {}, `${pointName(p)} — due ${p.due}`),
      statusBadge(p.status)),
    h('p', { class: 'muted' }, `Window ${p.window_start} to ${p.window_end}. Questionnaires: ${(p.instruments || []).join(', ')}.`),
    p.answers && p.answers.length
      ? h('p', {}, 'Answers: ', p.answers.map((a) => `${a.instrument} ${a.score === null ? 'not scorable' : fmtNum(a.score, 1)} on ${a.date}`).join('; '), '.')
      : null,
    p.messages && p.messages.length ? [h('p', {}, 'Messages:'), h('ul', { class: 'messages' }, p.messages.map(messageItem))] : null,
    h('p', { class: 'fu-next' }, h('strong', {}, 'Next: '), nextText(p, fu.contact))));
  const fig = chartFigure(timelineSvg(fu, cid), {
    label: `Follow-up of course ${cid} as a table`,
    heads: ['Time point', 'Due', 'Window', 'Status', 'Next'],
    rows: fu.points.map((p) => [pointName(p), p.due, `${p.window_start} to ${p.window_end}`, (FU_STATUS[p.status] || {}).label || p.status, nextText(p, fu.contact)]),
  });
  const calls = fu.calls || [];
  const callList = calls.length
    ? h('ul', { class: 'calls', 'aria-label': `Calls on course ${cid}` }, calls.map((x) => h('li', {}, callLine(x))))
    : h('p', { class: 'muted' }, 'No calls logged.');
  const contactNote = fu.contact && !fu.contact.contactable
    ? h('p', { class: 'notice warn' }, `The outbox cannot reach this patient (${fu.contact.why}); due time points become phone tasks.`)
    : null;
  return h('section', { class: 'followup', 'aria-labelledby': `fu-h-${cid}` },
    h('h4', { id: `fu-h-${cid}` }, 'Follow-up'),
    contactNote,
    fig,
    h('ol', { class: 'fu-points', 'aria-label': `Follow-up time points of course ${cid}` }, points),
    h('h5', {}, `Calls (${calls.length})`),
    callList,
    may(user, 'calls.add') ? callControls({ course_id: cid, who: `course ${cid}`, done: refresh }) : null);
}

// The follow-up of a course on the chart, drawn again after a call is
// logged (focus stays on the call controls).
export function followupBlock(fu, c, user) {
  const box = h('div', { class: 'fu-box' });
  const draw = (data) => {
    clear(box);
    append(box, [followupSection(data, c, user, async () => {
      draw(await loadFollowup(c.course_id, user));
      const b = box.querySelector('.call-log button');
      if (b) b.focus();
    })]);
  };
  draw(fu);
  return box;
}

// ---- the contact and consent form ------------------------------------------

export async function contactEditView({ params, state, go }) {
  const pid = params.pid;
  const c = await api('GET', `/api/patients/${encodeURIComponent(pid)}/contact`);
  const fields = [
    field({ name: 'email', label: 'E-mail', type: 'email', autocomplete: 'off', value: c.email || '', hint: 'Invitations and reminders go here.' }),
    field({ name: 'mobile', label: 'Mobile number', type: 'tel', autocomplete: 'off', value: c.mobile || '', hint: 'International form, e.g. +41791234567.', inputmode: 'tel' }),
    field({ name: 'channel', label: 'Preferred channel', type: 'select', required: true, options: CHANNELS, value: c.channel }),
    field({ name: 'consent', label: 'Consent to be contacted', type: 'select', options: [['given', 'Given'], ['withdrawn', 'Withdrawn']], blank: 'Unchanged', hint: `Now: ${c.consent === 'none' ? 'not recorded' : c.consent}.` }),
    field({ name: 'consent_by', label: 'Consent recorded by', value: state.user.name, hint: 'Needed when the consent changes.' }),
    field({ name: 'consent_how', label: 'How it was given', placeholder: 'written, verbal, …', hint: 'Needed when the consent changes.' }),
    field({ name: 'consent_date', label: 'Date of the consent', type: 'date', hint: 'Leave empty for today.' }),
  ];
  fields[0].control.setAttribute('autofocus', '');
  const back = `#/patient/${encodeURIComponent(pid)}`;
  const form = makeForm({
    label: 'Contact and consent',
    submitLabel: 'Save contact and consent',
    cancelHref: back,
    body: [h('div', { class: 'grid' }, fields)],
    collect: (f) => {
      const v = formValues(f, ['email', 'mobile', 'channel', 'consent', 'consent_by', 'consent_how', 'consent_date']);
      const body = {};
      if ((v.email || '') !== (c.email || '')) body.email = v.email || '';
      if ((v.mobile || '') !== (c.mobile || '')) body.mobile = v.mobile || '';
      if (v.channel && v.channel !== c.channel) body.channel = v.channel;
      if (v.consent) {
        body.consent = v.consent;
        for (const k of ['consent_by', 'consent_how', 'consent_date']) if (v[k]) body[k] = v[k];
      }
      if (!Object.keys(body).length) throw invalid('', 'Nothing to save: change a detail first.');
      return body;
    },
    send: (body, opts) => api('POST', `/api/patients/${encodeURIComponent(pid)}/contact`, body, opts),
    done: () => {
      state.flash = { text: 'Contact details and consent saved.' };
      go(back);
    },
  });
  return h('section', {}, h('h1', {}, `Contact and consent — patient ${pid}`),
    h('p', {}, c.contactable ? 'The outbox can reach this patient by e-mail.' : `The outbox cannot reach this patient now: ${c.why}.`),
    form);
}

// ---- the outbox's work list ------------------------------------------------

function patientLink(pid, name) {
  return h('a', { href: `#/patient/${encodeURIComponent(pid)}` }, name || `Patient ${pid}`);
}

function phoneLink(phone) {
  return phone ? h('a', { href: `tel:${phone.replace(/\s+/g, '')}`, class: 'phone' }, phone) : h('span', { class: 'muted' }, 'no phone number recorded');
}

function lastCallLine(c) {
  return h('p', { class: 'last-call' }, c ? `Last call: ${callLine(c)}` : 'Not called yet.');
}

export async function deskView({ query: q, state }) {
  const day = q.get('date') || today();
  const res = await api('GET', `/api/followup/desk${query({ today: day })}`);
  const toCall = res.to_call || [];
  const failed = res.failed || [];
  const counter = h('p', { class: 'muted', 'aria-live': 'polite' });
  const list = h('ul', { class: 'alert-list desk-calls', 'aria-label': 'Patients to call' });
  const count = () => {
    const n = list.querySelectorAll(':scope > li').length;
    counter.textContent = n ? `${n} patient${n === 1 ? '' : 's'} to call.` : 'Nobody to call.';
  };
  for (const a of toCall) {
    const who = a.name || `patient ${a.patient_id}`;
    const li = h('li', { class: 'warn', dataset: { kind: a.kind, course: a.course_id } });
    let last = lastCallLine(a.last_call);
    append(li, [
      h('div', { class: 'row spread' },
        h('div', { class: 'row' },
          h('span', { class: 'badge warn' }, a.kind === 'contact_fix' ? 'Fix contact details' : 'Follow-up unanswered'),
          patientLink(a.patient_id, a.name), phoneLink(a.phone)),
        a.due ? h('span', {}, 'due ', h('time', { datetime: a.due }, a.due)) : null),
      h('p', {}, a.reason || ''),
      a.assigned_to ? h('p', { class: 'muted' }, `Assigned to ${a.assigned_to}.`) : null,
      last,
      callControls({
        course_id: a.course_id, alert_key: a.key, who,
        done: (call, settled) => {
          if (settled) {
            li.remove();
            count();
            const next = list.querySelector('button');
            if (next) next.focus(); else counter.focus();
            return;
          }
          const fresh = lastCallLine(call);
          last.replaceWith(fresh);
          last = fresh;
        },
      })]);
    list.append(li);
  }
  count();
  counter.setAttribute('tabindex', '-1');
  const failedBlock = failed.length
    ? scrollRegion(`Messages not delivered or of unknown outcome (${failed.length})`, h('table', { class: 'desk-failed' },
      h('caption', {}, `Messages not delivered or of unknown outcome (${failed.length})`),
      h('thead', {}, h('tr', {}, ['Patient', 'Phone', 'E-mail', 'Message', 'Status', 'Tries', 'Server said', 'Fix'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, failed.map((m) => h('tr', { dataset: { state: m.state || 'failed' } },
        h('th', { scope: 'row' }, patientLink(m.patient_id, m.name)),
        h('td', {}, phoneLink(m.phone)),
        h('td', {}, m.email || '—'),
        h('td', {}, `${pretty(m.kind)}, day ${m.point_day} (${m.created_on})`),
        // An unknown outcome (the connection dropped mid-message) is never
        // resent: someone must check with the patient.
        h('td', {}, m.state === 'unknown'
          ? h('span', { class: 'badge warn', title: m.label }, 'Outcome unknown: may have arrived, never resent; check with the patient')
          : h('span', { class: 'badge' }, 'Not delivered')),
        h('td', { class: 'num' }, String(m.tries)),
        h('td', {}, m.last_attempt ? `${pretty(m.last_attempt.result)}${m.last_attempt.reply ? `: ${m.last_attempt.reply}` : ''}` : '—'),
        h('td', {}, may(state.user, 'contacts.set')
          ? h('a', { href: `#/patient/${encodeURIComponent(m.patient_id)}/contact`, 'aria-label': `Fix contact: ${m.name || m.patient_id}` }, 'Fix contact')
          : '—'))))))
    : h('p', { class: 'muted' }, 'Every message was delivered or is still on its way.');
  const datePick = h('input', { type: 'date', id: 'desk-date', value: day });
  datePick.addEventListener('change', () => { if (datePick.value) location.hash = `#/followup?date=${datePick.value}`; });
  return h('section', {},
    h('h1', {}, 'Follow-up calls'),
    h('div', { class: 'row' }, h('label', { for: 'desk-date' }, 'List for'), h('div', {}, datePick),
      may(state.user, 'followup.list') ? h('a', { href: '#/followup/dropouts' }, 'Drop-outs still to reach') : null),
    h('h2', {}, 'Patients to call'),
    counter,
    list,
    h('h2', {}, 'Messages not delivered or of unknown outcome'),
    failedBlock);
}

// ---- drop-outs still to be reached -----------------------------------------

export async function dropoutsView({ state }) {
  const res = await api('GET', '/api/followup/dropouts');
  const courses = res.courses || [];
  const items = courses.map((c) => {
    const who = c.name || `patient ${c.patient_id}`;
    let last = lastCallLine(c.last_call);
    const next = c.pending[0];
    return h('li', { class: 'card dropout', dataset: { course: c.course_id } },
      h('div', { class: 'row spread' },
        h('h2', {}, patientLink(c.patient_id, c.name)),
        phoneLink(c.phone)),
      h('p', {}, `${labelFor(CONDITIONS, c.condition)} — ${labelFor(MODALITIES, c.modality)}: ${labelFor(STATUSES, c.status)}${c.end_date ? ` on ${c.end_date}` : ''}.`),
      h('ul', { class: 'pending', 'aria-label': `Time points still open for ${who}` }, c.pending.map((p) => h('li', {},
        `${pointName(p)}, due ${p.due}: `, statusBadge(p.status), ` ${nextText(p, { contactable: c.contactable })}`))),
      next ? h('p', { class: 'fu-next' }, h('strong', {}, 'Next: '), nextText(next, { contactable: c.contactable })) : null,
      last,
      may(state.user, 'calls.add') ? callControls({
        course_id: c.course_id, point_day: next ? next.offset_days : 0, who,
        done: (call) => { const fresh = lastCallLine(call); last.replaceWith(fresh); last = fresh; },
      }) : null);
  });
  return h('section', {},
    h('h1', {}, 'Drop-outs still to reach'),
    h('p', {}, 'Courses that ended early (dropped or stopped) whose follow-up is still open: how these patients are doing months later is what an honest report needs most.'),
    courses.length ? h('ul', { class: 'dropouts' }, items) : h('p', { class: 'muted' }, 'No drop-out has a follow-up still open.'));
}
