// A patient registered twice: the chart's notes about merges (this chart
// is the survivor of one, or was reached through a merged patient's id),
// the warnings a contraindication recorded later raised on a course, and
// the merge page: merge a duplicate into this patient (picked from the
// possible duplicates the server finds, or typed), or (admins) undo a
// merge. The server decides what moves (docs/patients.md).
import { h, field, clearErrors } from '../dom.js';
import { api } from '../api.js';
import { may } from '../pages.js';
import { makeForm, invalid } from '../forms.js';
import { loadChart } from './chart.js';
import { pageHead, back } from './course.js';

export function mergeHref(pid) {
  return `#/patient/${encodeURIComponent(pid)}/merge`;
}

// What the chart says about merges, and its link to the merge page.
export function chartMergeNotes(res, user) {
  const p = res.patient;
  const merges = (res.merges || []).filter((m) => !m.undone);
  const into = merges.filter((m) => m.survivor === p.patient_id);
  return [
    res.merged_from ? h('p', { class: 'notice info merged-from', role: 'status' },
      `Patient ${res.merged_from} was merged into this patient (${p.patient_id}): it was registered twice.`) : null,
    into.length ? h('p', { class: 'merged-list' },
      `Merged into this patient: ${into.map((m) => `${m.merged} (${m.at.slice(0, 10)}, by ${m.by})`).join('; ')}.`) : null,
    may(user, 'patients.merge') ? h('a', { class: 'button merge-link', href: mergeHref(p.patient_id) }, 'Merge a duplicate') : null,
  ];
}

// A course's warnings: contraindications recorded after it was planned.
export function courseWarnings(c) {
  const w = c.warnings || [];
  if (!w.length) return null;
  return h('div', { class: 'notice warn course-warnings', role: 'note' },
    h('h4', {}, 'Recorded after this course was planned'),
    h('ul', {}, w.map((x) => h('li', {}, `${x.severity === 'block' ? 'Would block the course' : 'Warning'} (${x.raised_on}): ${x.message}`))));
}

export async function mergeView({ params, state, go }) {
  const res = await loadChart(params.pid);
  const p = res.patient;
  const other = field({ name: 'merged', label: 'Patient id of the duplicate', required: true, autocomplete: 'off',
    hint: 'The other registration of the same person. Its courses move to this patient; its id then leads here.' });
  other.control.setAttribute('autofocus', '');
  const reason = field({ name: 'reason', label: 'Reason', type: 'textarea', required: true, wide: true,
    hint: 'e.g. “registered twice: same name, birth year and phone”.' });
  const form = makeForm({
    label: 'Merge a duplicate',
    submitLabel: 'Merge into this patient',
    cancelHref: back(p),
    body: [h('div', { class: 'grid' }, other, reason)],
    collect: () => {
      const v = { merged: other.control.value.trim(), reason: reason.control.value.trim() };
      if (!v.merged) throw invalid('merged', 'Give the patient id of the duplicate.');
      if (!v.reason) throw invalid('reason', 'Say why the two are one person.');
      return v;
    },
    send: (body, opts) => api('POST', `/api/patients/${encodeURIComponent(p.patient_id)}/merge`, body, opts),
    done: (r) => {
      const m = (r && r.merge) || {};
      state.flash = { text: `Patient ${m.merged} merged into ${m.survivor}: ${(m.courses || []).length} course(s) moved.` };
      go(back(p));
    },
  });
  const candidates = await duplicatesList(p, state.user, other.control, reason.control);
  const merges = res.merges || [];
  const undo = (m) => {
    if (m.undone || m.survivor !== p.patient_id || !may(state.user, 'patients.unmerge')) return null;
    const why = field({ name: 'reason', label: `Why undo the merge of ${m.merged}`, required: true });
    return makeForm({
      label: `Undo the merge of ${m.merged}`,
      submitLabel: `Undo the merge of ${m.merged}`,
      body: [why],
      collect: () => {
        const v = why.control.value.trim();
        if (!v) throw invalid('reason', 'Say why the merge is undone.');
        return { reason: v };
      },
      send: (body, opts) => api('POST', `/api/patients/${encodeURIComponent(m.merged)}/unmerge`, body, opts),
      done: () => {
        state.flash = { text: `The merge of ${m.merged} was undone: its courses went back.` };
        go(back(p));
      },
    });
  };
  return h('section', {}, pageHead('Merge a duplicate', p),
    h('p', {}, 'When the same person was registered twice, merge the other registration into this one. The merge is recorded; an administrator can undo it.'),
    candidates,
    form,
    merges.length ? [h('h2', {}, 'Merges'), h('ul', { class: 'merges' }, merges.map((m) => h('li', {},
      h('p', {}, `${m.merged} into ${m.survivor} on ${m.at.slice(0, 10)} by ${m.by}: ${m.reason}. Courses: ${(m.courses || []).join(', ') || 'none'}.`,
        m.undone ? ` Undone on ${m.undone.at.slice(0, 10)} by ${m.undone.by}: ${m.undone.reason}.` : ''),
      undo(m))))] : null);
}

// The possible duplicates of the patient (same name and year of birth,
// phone or e-mail, in the clinic), each with a button that picks it as the
// one to merge: the id goes into the form and the reason is next.
async function duplicatesList(p, user, idInput, reasonInput) {
  if (!may(user, 'patients.duplicates')) return null;
  const r = await api('GET', `/api/patients/${encodeURIComponent(p.patient_id)}/duplicates`);
  const list = (r && r.duplicates) || [];
  const why = { name_birth_year: 'same name and year of birth', phone: 'same phone', email: 'same e-mail' };
  const title = h('h2', { id: 'dup-title' }, 'Possible duplicates');
  if (!list.length) {
    return h('section', { class: 'duplicates', 'aria-labelledby': 'dup-title' }, title,
      h('p', {}, 'No other patient of the clinic has the same name and year of birth, phone or e-mail. If the duplicate was registered otherwise, type its id below.'));
  }
  const status = h('p', { class: 'pick-status', role: 'status', 'aria-live': 'polite' });
  const items = list.map((d) => {
    const name = [d.first_name, d.last_name].filter(Boolean).join(' ') || d.patient_id;
    // The visible text begins the accessible name (WCAG 2.5.3: a voice
    // user says what they see).
    const pick = h('button', { type: 'button', class: 'pick-duplicate', 'aria-label': `Pick ${name} (${d.patient_id}) as the duplicate to merge` },
      `Pick ${name} (${d.patient_id})`);
    pick.addEventListener('click', () => {
      idInput.value = d.patient_id;
      if (idInput.form) clearErrors(idInput.form);
      status.textContent = `${name} (${d.patient_id}) picked: say why the two are one person, then merge.`;
      reasonInput.focus();
    });
    return h('li', {},
      h('a', { href: `#/patient/${encodeURIComponent(d.patient_id)}` }, `${name} (${d.patient_id})`),
      `${d.birth_year ? `, born ${d.birth_year}` : ''}: ${(d.matched || []).map((x) => why[x] || x).join(', ')} `,
      pick);
  });
  return h('section', { class: 'duplicates', 'aria-labelledby': 'dup-title' }, title,
    h('p', {}, 'Other patients of the clinic who may be the same person. Pick one to merge it into this patient.'),
    h('ul', { class: 'duplicate-list' }, items), status);
}
