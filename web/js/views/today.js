// Today's list: who is due, overdue, silent, or needs attention because of a
// side effect. Urgent alerts (infection, serious side effects) come first;
// acknowledging one takes it off the list until something new happens.
import { h, today, nextDay, toast, clear, append } from '../dom.js';
import { api, query } from '../api.js';
import { may } from '../pages.js';
import { ALERT_KINDS } from '../vocab.js';

// The server marks urgent alerts; unknown kinds still get a readable badge.
function kindInfo(a) {
  const k = ALERT_KINDS[a.kind] || { rank: 50, tone: 'info', label: String(a.kind).replace(/_/g, ' ') };
  return a.urgent ? { ...k, rank: Math.min(k.rank, 1), tone: 'urgent' } : k;
}

export function sortAlerts(alerts) {
  return alerts.slice().sort((a, b) => kindInfo(a).rank - kindInfo(b).rank ||
    String(a.due || '9999').localeCompare(String(b.due || '9999')) ||
    String(a.patient_id).localeCompare(String(b.patient_id)));
}

export async function todayView({ query: q, state }) {
  const day = q.get('date') || today();
  const withSnoozed = q.get('snoozed') === '1';
  let res;
  let colleagues = [];
  try {
    res = await api('GET', `/api/alerts${query({ today: day, snoozed: withSnoozed ? 1 : '' })}`);
    if (may(state.user, 'alerts.assign')) colleagues = ((await api('GET', '/api/alerts/assignees')) || {}).users || [];
  } catch (e) {
    if (e.status !== 503 && e.status !== 501) throw e;
    return h('section', {}, h('h1', {}, 'Today'),
      h('p', { class: 'notice warn' }, `The list of who is due is not available on this server yet (${e.message}).`),
      h('p', {}, h('a', { href: '#/patients' }, 'Find a patient instead')));
  }
  const alerts = sortAlerts((res && res.alerts) || []);
  const list = h('ul', { class: 'alert-list', 'aria-label': 'Alerts' });
  const counter = h('p', { class: 'muted', 'aria-live': 'polite' });
  const refreshCount = () => {
    const n = list.querySelectorAll('li').length;
    const urgent = list.querySelectorAll('li.urgent').length;
    counter.textContent = n === 0 ? 'Nothing needs attention today.'
      : `${n} item${n === 1 ? '' : 's'}${urgent ? `, ${urgent} urgent` : ''}.`;
  };
  for (const a of alerts) list.append(alertItem(a, refreshCount, state.user, colleagues));
  refreshCount();
  const datePick = h('input', { type: 'date', id: 'today-date', value: day });
  const snoozedBox = h('input', { type: 'checkbox', id: 'today-snoozed', checked: withSnoozed });
  const reroute = () => {
    const qs = query({ date: datePick.value || day, snoozed: snoozedBox.checked ? 1 : '' });
    location.hash = `#/today${qs}`;
  };
  datePick.addEventListener('change', () => { if (datePick.value) reroute(); });
  snoozedBox.addEventListener('change', reroute);
  return h('section', {},
    h('h1', {}, 'Today'),
    h('div', { class: 'row' }, h('label', { for: 'today-date' }, 'List for'), h('div', {}, datePick),
      h('label', { for: 'today-snoozed', class: 'check' }, snoozedBox, ' Show snoozed alerts')),
    counter,
    list);
}

// Snooze (until a day) and assign (to a colleague), each with its own
// labelled control and button; the item updates in place.
function deskControls(a, li, refreshCount, user, colleagues, who) {
  const parts = [];
  const err = h('p', { class: 'field-error', 'aria-live': 'polite' });
  const uid = a.key.replace(/[^A-Za-z0-9_-]/g, '-');
  if (may(user, 'alerts.snooze')) {
    const tomorrow = nextDay(today()); // the browser's day, as everywhere (not UTC's)
    const until = h('input', { type: 'date', id: `snooze-${uid}`, name: 'until', value: a.snoozed_until || tomorrow, min: tomorrow });
    const btn = h('button', { type: 'button', class: 'small', 'aria-label': `Snooze: ${who}` }, 'Snooze');
    btn.addEventListener('click', async () => {
      err.textContent = '';
      btn.disabled = true;
      try {
        await api('POST', '/api/alerts/snooze', { key: a.key, until: until.value });
        li.remove();
        refreshCount();
        toast(`Snoozed until ${until.value}: ${who}.`);
        const next = document.querySelector('.alert-list button');
        if (next) next.focus();
      } catch (e) {
        err.textContent = e.message;
        btn.disabled = false;
      }
    });
    parts.push(h('div', { class: 'row' }, h('label', { for: `snooze-${uid}` }, 'Snooze until'), until, btn));
  }
  if (may(user, 'alerts.assign') && colleagues.length) {
    const sel = h('select', { id: `assign-${uid}`, name: 'to' },
      h('option', { value: '' }, 'Nobody'),
      colleagues.map((c) => h('option', { value: c.name, selected: c.name === a.assigned_to }, `${c.name} (${c.role})`)));
    const btn = h('button', { type: 'button', class: 'small', 'aria-label': `Assign: ${who}` }, 'Assign');
    const shown = h('span', { class: 'assigned muted' }, a.assigned_to ? `Assigned to ${a.assigned_to}.` : '');
    btn.addEventListener('click', async () => {
      err.textContent = '';
      btn.disabled = true;
      try {
        await api('POST', '/api/alerts/assign', { key: a.key, to: sel.value });
        shown.textContent = sel.value ? `Assigned to ${sel.value}.` : 'Assigned to nobody.';
        toast(sel.value ? `Assigned to ${sel.value}: ${who}.` : `No longer assigned: ${who}.`);
      } catch (e) {
        err.textContent = e.message;
      } finally {
        btn.disabled = false;
      }
    });
    parts.push(h('div', { class: 'row' }, h('label', { for: `assign-${uid}` }, 'Assign to'), sel, btn, shown));
  }
  return parts.length ? [h('div', { class: 'row desk-controls' }, parts), err] : null;
}

function alertItem(a, refreshCount, user, colleagues) {
  const info = kindInfo(a);
  const li = h('li', { class: info.tone, dataset: { kind: a.kind } });
  const note = h('input', { type: 'text', name: 'note', 'aria-label': 'Note (optional)', placeholder: 'Note (optional), e.g. phoned, booked for Tuesday' });
  const who = `${info.label}, ${a.name || `patient ${a.patient_id}`}`;
  const ackBtn = h('button', { type: 'button', class: 'small', 'aria-label': `Acknowledge: ${info.label}, patient ${a.patient_id}` }, 'Acknowledge');
  const err = h('p', { class: 'field-error', 'aria-live': 'polite' });
  ackBtn.addEventListener('click', async () => {
    ackBtn.disabled = true;
    err.textContent = '';
    try {
      await api('POST', '/api/alerts/ack', { key: a.key, note: note.value.trim() });
      li.remove();
      refreshCount();
      toast(`Acknowledged: ${info.label} for ${a.patient_id}.`);
      const next = document.querySelector('.alert-list button');
      if (next) next.focus();
    } catch (e) {
      err.textContent = e.message;
      ackBtn.disabled = false;
    }
  });
  clear(li);
  append(li, [
    h('div', { class: 'row spread' },
      h('div', { class: 'row' },
        h('span', { class: `badge ${info.tone}` }, info.label),
        h('a', { href: `#/patient/${encodeURIComponent(a.patient_id)}` }, a.call && a.name ? a.name : `Patient ${a.patient_id}`),
        a.call ? (a.phone
          ? h('a', { class: 'phone', href: `tel:${a.phone.replace(/\s+/g, '')}`, 'aria-label': `Call ${a.name || a.patient_id} on ${a.phone}` }, a.phone)
          : h('span', { class: 'muted' }, 'no phone number recorded')) : null,
        a.course_id ? h('span', { class: 'muted' }, `course ${a.course_id}${a.session_no ? `, session ${a.session_no}` : ''}`) : null),
      a.due ? h('span', {}, 'due ', h('time', { datetime: a.due }, a.due)) : null),
    h('p', {}, a.reason || ''),
    a.snoozed_until ? h('p', { class: 'muted' }, `Snoozed until ${a.snoozed_until}.`) : null,
    a.assigned_to && !may(user, 'alerts.assign') ? h('p', { class: 'muted' }, `Assigned to ${a.assigned_to}.`) : null,
    a.key ? h('div', { class: 'row' }, h('div', { class: 'grow' }, note), ackBtn) : null,
    err,
    a.key ? deskControls(a, li, refreshCount, user, colleagues, who) : null]);
  return li;
}
