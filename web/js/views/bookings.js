// Appointments: the front desk's day and week of the clinic's bookings,
// booking a course's next session from the chart, and rescheduling,
// cancelling or marking a booking missed wherever it is shown. Times are
// the clinic's local times (its zone is named on the page); the server
// keeps the instant and the calendar file (.ics) that a calendar imports.
import { h, field, formValues, numbers, today, toast } from '../dom.js';
import { api, query as qs } from '../api.js';
import { may } from '../pages.js';
import { makeForm } from '../forms.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const STATUS_TONE = { booked: 'info', attended: 'ok', cancelled: 'muted', no_show: 'warn' };
const STATUS_LABEL = { booked: 'Booked', attended: 'Attended', cancelled: 'Cancelled', no_show: 'No-show' };

// YYYY-MM-DD arithmetic in UTC (no daylight-saving steps).
export function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
function weekday(iso) {
  return WEEKDAYS[(new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7];
}
export function weekStart(iso) {
  return addDays(iso, -((new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7));
}

// Shows the current page again (after a change), through the router.
function rerender() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

// Fetches the calendar file and hands it to the browser as a download.
async function downloadIcs(params, filename) {
  try {
    const res = await fetch(`/api/schedule.ics${qs(params)}`, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
    toast(`Calendar saved as ${filename}.`);
  } catch (e) {
    toast(`Could not download the calendar: ${e.message}`);
  }
}

export function icsButton(params, filename, label) {
  const b = h('button', { type: 'button', class: 'small' }, label || 'Download calendar (.ics)');
  b.addEventListener('click', () => downloadIcs(params, filename));
  return b;
}

function describe(b) {
  return `session ${b.session_no} of course ${b.course_id} on ${b.date} at ${b.time}`;
}

// The actions a booking offers the user: reschedule and cancel while it
// is to come, no-show once its day has come. done() runs after a change.
export function bookingActions(b, user, done = rerender) {
  if (b.status !== 'booked' || !may(user, 'bookings.change')) return null;
  const day = today();
  const box = h('div', { class: 'actions booking-actions' });
  const err = h('p', { class: 'field-error', 'aria-live': 'polite' });
  const call = async (btn, verb, body, said) => {
    btn.disabled = true;
    err.textContent = '';
    try {
      await api('POST', `/api/bookings/${b.id}/${verb}`, body);
      toast(said);
      done();
    } catch (e) {
      err.textContent = e.message;
      btn.disabled = false;
    }
  };
  if (b.date >= day) {
    const formId = `move-${b.id}`;
    const move = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false', 'aria-controls': formId,
      'aria-label': `Reschedule: ${describe(b)}` }, 'Reschedule');
    // The form is made when asked for: a page holds no hidden forms.
    const wrap = h('div', { id: formId, hidden: true });
    let date = null;
    move.addEventListener('click', () => {
      if (!date) {
        date = field({ name: 'date', label: 'New date', type: 'date', required: true, value: b.date, min: day });
        const time = field({ name: 'time', label: 'New time', type: 'time', required: true, value: b.time });
        wrap.append(makeForm({
          class: 'inline', label: `Reschedule booking ${b.id}`, submitLabel: 'Save new time',
          body: [h('div', { class: 'grid' }, date, time)],
          collect: (f) => formValues(f, ['date', 'time']),
          send: (body, opts) => api('POST', `/api/bookings/${b.id}/move`, body, opts),
          done: (r) => { toast(`Rescheduled: ${describe(r.booking)}.`); done(); },
        }));
      }
      wrap.hidden = !wrap.hidden;
      move.setAttribute('aria-expanded', String(!wrap.hidden));
      if (!wrap.hidden) date.control.focus();
    });
    const cancel = h('button', { type: 'button', class: 'small', 'aria-label': `Cancel booking: ${describe(b)}` }, 'Cancel booking');
    const confirm = h('span', { class: 'row', hidden: true });
    const yes = h('button', { type: 'button', class: 'small danger' }, 'Yes, cancel it');
    const keep = h('button', { type: 'button', class: 'small' }, 'Keep it');
    confirm.append(h('span', {}, 'Cancel this booking?'), yes, keep);
    cancel.addEventListener('click', () => { confirm.hidden = false; cancel.hidden = true; yes.focus(); });
    keep.addEventListener('click', () => { confirm.hidden = true; cancel.hidden = false; cancel.focus(); });
    yes.addEventListener('click', () => call(yes, 'cancel', {}, `Cancelled: ${describe(b)}.`));
    box.append(move, cancel, confirm, wrap);
  }
  if (b.date <= day) {
    const miss = h('button', { type: 'button', class: 'small', 'aria-label': `No-show: ${describe(b)}` }, 'No-show');
    miss.addEventListener('click', () => call(miss, 'no-show', {}, `Marked a no-show: ${describe(b)}.`));
    box.append(miss);
  }
  box.append(err);
  return box;
}

function statusBadge(status) {
  return h('span', { class: `badge ${STATUS_TONE[status] || 'info'}` }, STATUS_LABEL[status] || status);
}

function bookingItem(b, user, withDate) {
  return h('li', { class: `booking ${b.status}`, dataset: { booking: String(b.id), status: b.status } },
    h('div', { class: 'row spread' },
      h('div', { class: 'row' },
        h('strong', {}, withDate ? `${b.date} ${b.time}` : b.time),
        h('span', { class: 'muted' }, `${b.minutes} min`),
        h('a', { href: `#/patient/${encodeURIComponent(b.patient_id)}` }, `Patient ${b.patient_id}`),
        h('span', {}, `course ${b.course_id}, session ${b.session_no}`)),
      statusBadge(b.status)),
    b.note ? h('p', { class: 'muted' }, b.note) : null,
    bookingActions(b, user));
}

// #/bookings?view=day|week&date=YYYY-MM-DD: the clinic's bookings.
export async function bookingsView({ query, state }) {
  const view = query.get('view') === 'week' ? 'week' : 'day';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(query.get('date') || '') ? query.get('date') : today();
  const from = view === 'week' ? weekStart(day) : day;
  const to = view === 'week' ? addDays(from, 6) : day;
  const res = await api('GET', `/api/bookings${qs({ from, to })}`);
  const list = res.bookings || [];
  const link = (v, d, text, current) => h('a', { href: `#/bookings${qs({ view: v, date: d })}`, class: 'button small',
    'aria-current': current ? 'page' : null }, text);
  const step = view === 'week' ? 7 : 1;
  const picker = h('input', { type: 'date', id: 'bookings-date', value: day });
  picker.addEventListener('change', () => {
    if (picker.value) location.hash = `#/bookings${qs({ view, date: picker.value })}`;
  });
  const days = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  const sections = days.map((d) => {
    const mine = list.filter((b) => b.date === d);
    const id = `day-${d}`;
    return h('section', { class: 'card booking-day', 'aria-labelledby': id },
      h('h2', { id }, `${weekday(d)} ${d}`, d === today() ? ' (today)' : ''),
      mine.length
        ? h('ul', { class: 'booking-list', 'aria-label': `Bookings of ${weekday(d)} ${d}` }, mine.map((b) => bookingItem(b, state.user, false)))
        : h('p', { class: 'muted' }, 'No bookings.'));
  });
  const booked = list.filter((b) => b.status === 'booked').length;
  return h('section', { class: 'bookings' },
    h('h1', {}, view === 'week' ? `Bookings, week of ${from}` : `Bookings, ${weekday(day)} ${day}`),
    h('p', { class: 'muted' }, `Times are local to ${res.tz}${res.clinic ? ` (clinic ${res.clinic})` : ''}. `,
      `${list.length} booking${list.length === 1 ? '' : 's'}, ${booked} still to come or to be recorded.`),
    h('nav', { class: 'row booking-nav', 'aria-label': 'Days and weeks' },
      link('day', day, 'Day', view === 'day'), link('week', day, 'Week', view === 'week'),
      link(view, addDays(day, -step), view === 'week' ? 'Previous week' : 'Previous day'),
      link(view, today(), 'Today'),
      link(view, addDays(day, step), view === 'week' ? 'Next week' : 'Next day')),
    h('div', { class: 'row' },
      h('label', { for: 'bookings-date' }, 'Go to date'), h('div', {}, picker),
      icsButton(res.clinic ? { clinic: res.clinic } : {}, `prolo-bookings${res.clinic ? `-${res.clinic}` : ''}.ics`)),
    sections);
}

// #/patient/:pid/course/:cid/book: the course's next session, with the
// date the protocol's interval gives after the last session or booking.
export async function bookingFormView({ params, state, go }) {
  const pid = encodeURIComponent(params.pid);
  const back = `#/patient/${pid}`;
  const chart = await api('GET', `/api/patients/${pid}`);
  const p = chart.patient;
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ') || p.patient_id;
  const head = [h('h1', {}, 'Book a session'), h('p', { class: 'muted' }, `${name} (${p.patient_id}) · course ${params.cid}`)];
  let prop;
  try {
    prop = await api('GET', `/api/bookings/proposal${qs({ course_id: params.cid })}`);
  } catch (e) {
    if (e.status !== 409 && e.status !== 400) throw e;
    return h('section', {}, head, h('p', { class: 'notice warn' }, e.message), h('p', {}, h('a', { href: back }, 'Back to the chart')));
  }
  const time = field({ name: 'time', label: 'Time', type: 'time', required: true, hint: 'The clinic\'s local time, e.g. 10:30.' });
  time.control.setAttribute('autofocus', '');
  const form = makeForm({
    label: 'Book a session',
    submitLabel: 'Book',
    cancelHref: back,
    body: [h('p', {}, `Session ${prop.session_no} of this course. The date below follows the protocol's interval after the last session or booking.`),
      h('div', { class: 'grid' },
        field({ name: 'date', label: 'Date', type: 'date', required: true, value: prop.date, min: today() }),
        time,
        field({ name: 'minutes', label: 'Length (minutes)', type: 'number', min: 5, max: 480, step: 5, value: prop.minutes }),
        field({ name: 'session_no', label: 'Session number', type: 'number', min: 1, max: 10000, value: prop.session_no }),
        field({ name: 'note', label: 'Note for the front desk', wide: true }))],
    collect: (f) => ({ course_id: params.cid, ...numbers(formValues(f, ['date', 'time', 'minutes', 'session_no', 'note']), ['minutes', 'session_no']) }),
    send: (body, opts) => api('POST', '/api/bookings', body, opts),
    done: (r) => {
      state.flash = { text: `Booked: ${describe(r.booking)} (${r.booking.tz}).` };
      go(back);
    },
  });
  return h('section', {}, head, form);
}

// On the chart: each course's bookings (loaded with the chart).
export async function attachBookings(courses, user) {
  if (!may(user, 'bookings.list')) return;
  await Promise.all(courses.map(async (c) => {
    const r = await api('GET', `/api/bookings${qs({ course_id: c.course_id })}`);
    c.bookings = r.bookings || [];
  }));
}

export function courseBookings(c, pid, user) {
  if (!may(user, 'bookings.list') || !Array.isArray(c.bookings)) return null;
  const open = c.status === 'planned' || c.status === 'active';
  const shown = c.bookings.filter((b) => b.status === 'booked' || b.date >= addDays(today(), -30));
  const id = `bookings-${c.course_id}`;
  const box = h('section', { class: 'course-bookings', 'aria-labelledby': id },
    h('h4', { id }, `Appointments (${shown.length})`),
    shown.length
      ? h('ul', { class: 'booking-list', 'aria-label': `Appointments of course ${c.course_id}` }, shown.map((b) => bookingItem(b, user, true)))
      : h('p', { class: 'muted' }, 'No appointments booked.'),
    h('div', { class: 'actions' },
      open && may(user, 'bookings.add')
        ? h('a', { class: 'button', href: `#/patient/${encodeURIComponent(pid)}/course/${encodeURIComponent(c.course_id)}/book` }, 'Book next session')
        : null,
      icsButton({ course_id: c.course_id }, `prolo-${c.course_id}.ics`, 'Download calendar (.ics)')));
  return box;
}

