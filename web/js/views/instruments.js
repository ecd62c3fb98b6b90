// The questionnaires' wording: which instruments a clinic has loaded the
// licensed item texts for (the patient page shows only item numbers for
// the others), and, for an administrator, loading a wording file
// (docs/instruments.md, "Loading the wording").
import { h, field, table } from '../dom.js';
import { api, query } from '../api.js';
import { may } from '../pages.js';
import { makeForm, invalid } from '../forms.js';

export async function instrumentsView({ state, go, query: q }) {
  const u = state.user;
  const clinic = (q && q.get('clinic')) || u.clinic || '';
  const res = await api('GET', `/api/instruments${query(clinic ? { clinic } : {})}`);
  const rows = (res && res.wordings) || [];
  const names = (res && res.instruments) || [];
  const loaded = new Map(rows.filter((r) => !clinic || r.clinic === clinic).map((r) => [r.instrument, r]));
  const shipped = new Set(['NRS', 'VAS']);
  const overview = clinic
    ? table(names, [[(n) => n, 'Questionnaire'],
      [(n) => (loaded.has(n) ? `Loaded: version ${loaded.get(n).version}, language ${loaded.get(n).language}`
        : shipped.has(n) ? 'Wording built in' : 'Not loaded: patients see item numbers only'), 'Wording'],
      [(n) => (loaded.has(n) ? `${loaded.get(n).loaded_at} by ${loaded.get(n).loaded_by}` : ''), 'Loaded']],
    `Questionnaire wording of clinic ${clinic}`)
    : table(rows, [['clinic', 'Clinic'], ['instrument', 'Questionnaire'], ['version', 'Version'], ['language', 'Language'],
      [(r) => `${r.loaded_at} by ${r.loaded_by}`, 'Loaded']], `${rows.length} wordings loaded`);
  const pick = u.clinic ? null : h('form', { class: 'form filters', 'aria-label': 'Choose a clinic' },
    h('div', { class: 'grid' }, field({ name: 'clinic', label: 'Clinic', value: clinic, hint: 'Clinic code, e.g. C01' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show')));
  if (pick) {
    pick.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const c = pick.querySelector('[name="clinic"]').value.trim();
      go(`#/instruments${query(c ? { clinic: c } : {})}`);
    });
  }
  let load = null;
  if (may(u, 'instruments.load')) {
    const file = field({ name: 'wording', label: 'Wording file (JSON)', type: 'file', required: true, wide: true,
      hint: 'The item texts and answer labels your clinic holds a licence for, in the format of docs/instruments.md. Loading again replaces the clinic\'s wording of that questionnaire.' });
    file.control.setAttribute('accept', 'application/json,.json');
    let text = null;
    file.control.addEventListener('change', async () => {
      const f = file.control.files && file.control.files[0];
      text = f ? await f.text() : null;
    });
    load = makeForm({
      label: 'Load a wording',
      submitLabel: 'Load wording',
      body: [h('div', { class: 'grid' },
        field({ name: 'clinic', label: 'Clinic', required: true, value: clinic, hint: 'Clinic code, e.g. C01' }), file)],
      collect: (f) => {
        const c = f.querySelector('[name="clinic"]').value.trim();
        if (!c) throw invalid('clinic', 'Enter the clinic\'s code.');
        if (!text) throw invalid('wording', 'Choose the wording file.');
        let wording;
        try {
          wording = JSON.parse(text);
        } catch (e) {
          throw invalid('wording', `This file is not JSON: ${e.message}`);
        }
        return { clinic: c, wording };
      },
      send: (body, opts) => api('POST', '/api/instruments', body, opts),
      done: (r) => {
        state.flash = { text: `Loaded the ${r.wording.instrument} wording (version ${r.wording.version}) for clinic ${r.wording.clinic}.` };
        go(`#/instruments${query({ clinic: r.wording.clinic })}`);
      },
    });
  }
  return h('section', {}, h('h1', {}, 'Questionnaire wording'),
    h('p', { class: 'hint' }, 'prolo ships the scoring of every questionnaire but not the licensed wording (WOMAC, KOOS, ODI, NDI, QuickDASH). Where a clinic has not loaded it, the patient page shows question numbers only and says so.'),
    pick, overview, load ? [h('h2', {}, 'Load a wording'), load] : null);
}
