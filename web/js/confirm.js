// What the server only warns of — a patient who may be registered already,
// an NRS that jumps by 8 points, a dextrose concentration outside the
// course's protocol — comes back as a 409 with code "confirm". The form
// then shows the warning (and, for a possible duplicate, the patients it
// may be, with links to their charts) and a "Save anyway" button that
// sends the same values again with "confirm": true. Nothing is saved
// before that (docs/patients.md).
import { h } from './dom.js';
import { ApiError } from './api.js';

function matchList(matches) {
  if (!Array.isArray(matches) || !matches.length) return null;
  const why = { name_birth_year: 'same name and year of birth', phone: 'same phone', email: 'same e-mail' };
  return h('ul', { class: 'matches', 'aria-label': 'Patients this may be' }, matches.map((m) => h('li', {},
    h('a', { href: `#/patient/${encodeURIComponent(m.patient_id)}` },
      `${[m.first_name, m.last_name].filter(Boolean).join(' ') || m.patient_id} (${m.patient_id})`),
    `${m.birth_year ? `, born ${m.birth_year}` : ''}: ${(m.matched || []).map((x) => why[x] || x).join(', ')}`)));
}

// A box to put in the form and send(body, opts) wrapped to ask: returns
// {box, send}. A confirmed resend carries "confirm": true.
export function confirmable(send, saveLabel = 'Save anyway') {
  const box = h('div', { class: 'confirm-box', 'aria-live': 'polite' });
  let confirmed = false;
  const wrapped = async (body, opts) => {
    const out = confirmed ? { ...body, confirm: true } : body;
    confirmed = false;
    try {
      const r = await send(out, opts);
      box.textContent = '';
      return r;
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'confirm') {
        box.textContent = '';
        throw e;
      }
      const again = h('button', { type: 'button', class: 'primary confirm-save' }, saveLabel);
      again.addEventListener('click', () => {
        confirmed = true;
        const form = box.closest('form');
        if (form) form.requestSubmit();
      });
      box.textContent = '';
      box.append(h('div', { class: 'notice warn' },
        h('h2', {}, 'Please check before saving'),
        h('p', {}, e.message),
        matchList(e.detail && e.detail.matches),
        h('p', {}, 'If it is right, save it anyway; otherwise correct the form.'),
        again));
      throw e;
    }
  };
  return { box, send: wrapped };
}
