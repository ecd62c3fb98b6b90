// Today's list: who is due, overdue, silent, or needs attention because of a
// side effect. Urgent alerts (infection, serious side effects) come first;
// acknowledging one takes it off the list until something new happens.
import { h, today, toast, clear } from '../dom.js';
import { api, query } from '../api.js';
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

export async function todayView({ query: q }) {
  const day = q.get('date') || today();
  let res;
  try {
    res = await api('GET', `/api/alerts${query({ today: day })}`);
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
  for (const a of alerts) list.append(alertItem(a, refreshCount));
  refreshCount();
  const datePick = h('input', { type: 'date', id: 'today-date', value: day });
  datePick.addEventListener('change', () => {
    if (datePick.value) location.hash = `#/today?date=${datePick.value}`;
  });
  return h('section', {},
    h('h1', {}, 'Today'),
    h('div', { class: 'row' }, h('label', { for: 'today-date' }, 'List for'), h('div', {}, datePick)),
    counter,
    list);
}

function alertItem(a, refreshCount) {
  const info = kindInfo(a);
  const li = h('li', { class: info.tone, dataset: { kind: a.kind } });
  const note = h('input', { type: 'text', name: 'note', 'aria-label': 'Note (optional)', placeholder: 'Note (optional), e.g. phoned, booked for Tuesday' });
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
  li.append(
    h('div', { class: 'row spread' },
      h('div', { class: 'row' },
        h('span', { class: `badge ${info.tone}` }, info.label),
        h('a', { href: `#/patient/${encodeURIComponent(a.patient_id)}` }, `Patient ${a.patient_id}`),
        a.course_id ? h('span', { class: 'muted' }, `course ${a.course_id}${a.session_no ? `, session ${a.session_no}` : ''}`) : null),
      a.due ? h('span', {}, 'due ', h('time', { datetime: a.due }, a.due)) : null),
    h('p', {}, a.reason || ''),
    a.key ? h('div', { class: 'row' }, h('div', { class: 'grow' }, note), ackBtn) : null,
    err);
  return li;
}
