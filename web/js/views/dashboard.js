// The outcomes dashboard: the report's JSON (GET /api/report) as charts and
// tables — responder rates with their 95 % intervals by modality and by
// condition, Kaplan–Meier curves of sessions-to-response, the claims check,
// side-effect rates, the log-rank test — with the report's filters.
import { h, field, table, fmtPct, fmtNum, pretty } from '../dom.js';
import { api, query } from '../api.js';
import { kmChart, rateBars, legend, chartFigure } from '../charts.js';
import { MODALITIES, CONDITIONS, AE_KINDS, labelFor } from '../vocab.js';

const FILTERS = ['modality', 'condition', 'clinic', 'from', 'to'];
// The modalities in the server's order (GET /api/vocab).
function mods() {
  return MODALITIES.map(([m]) => m);
}

function modLabel(m) {
  return m === 'ALL' ? 'All treatments' : labelFor(MODALITIES, m);
}

function condLabel(c) {
  return c === 'ALL' ? 'All conditions' : labelFor(CONDITIONS, c);
}

function medianCi(lo, hi) {
  return `${lo === null || lo === undefined ? '—' : fmtNum(lo, 1)} to ${hi === null || hi === undefined ? 'not reached' : fmtNum(hi, 1)}`;
}

function ci(rate, lo, hi) {
  if (rate === null || rate === undefined) return '—';
  return `${fmtPct(rate)} (${fmtPct(lo)}–${fmtPct(hi)})`;
}

export async function dashboardView({ query: q, state, go }) {
  const params = {};
  for (const k of FILTERS) if (q.get(k)) params[k] = q.get(k);
  const form = filterForm(params, state, go);
  const rep = await api('GET', `/api/report${query(params)}`);
  const groups = rep.groups || [];
  const g = (m, c) => groups.find((x) => x.modality === m && x.condition === c) || null;
  const all = g('ALL', 'ALL');
  const byMod = rep.by_modality || {};
  const parts = [h('h1', {}, 'Outcomes'), form];
  if (rep.filter) parts.push(h('p', { class: 'muted' }, `Filter: ${rep.filter}`));
  if (!all || !all.n_courses) {
    parts.push(h('p', { class: 'notice' }, 'No ended courses match these filters yet. Courses count here once they have ended.'));
  }
  if (all) parts.push(headline(all, rep));

  // Responder rates by modality, per protocol and intention to treat.
  const modRows = (key) => [...mods(), 'ALL'].map((m) => {
    const r = g(m, 'ALL');
    return r ? { name: m, label: modLabel(m), rate: r[`${key}_rate`], lo: r[`${key}_lo`], hi: r[`${key}_hi`], n: key === 'pp' ? r.n_completed : r.n_courses } : null;
  }).filter(Boolean);
  parts.push(h('section', { class: 'card', 'aria-labelledby': 'h-rates' },
    h('h2', { id: 'h-rates' }, 'Responders by treatment'),
    h('p', { class: 'hint' }, 'A responder’s last pain score is at most half of the baseline. Bars show the rate, whiskers the 95 % interval. Per protocol counts completed courses; intention to treat counts every course, drop-outs as non-responders.'),
    h('h3', {}, 'Intention to treat'),
    rateFigure(modRows('itt'), 'Responder rate by treatment, intention to treat', 'share of all courses'),
    h('h3', {}, 'Per protocol'),
    rateFigure(modRows('pp'), 'Responder rate by treatment, per protocol', 'share of completed courses')));

  const condRows = [...CONDITIONS.map(([c]) => c), 'ALL'].map((c) => {
    const r = g('ALL', c);
    return r ? { name: c === 'ALL' ? 'ALL' : 'cond', label: condLabel(c), rate: r.itt_rate, lo: r.itt_lo, hi: r.itt_hi, n: r.n_courses } : null;
  }).filter(Boolean);
  parts.push(h('section', { class: 'card', 'aria-labelledby': 'h-cond' },
    h('h2', { id: 'h-cond' }, 'Responders by condition (intention to treat)'),
    rateFigure(condRows.map((r, i) => ({ ...r, name: r.name === 'ALL' ? 'ALL' : `c${i}` })), 'Responder rate by condition, intention to treat', 'share of all courses')));

  // Kaplan–Meier curves of sessions-to-response by modality.
  const curves = mods().filter((m) => byMod[m] && byMod[m].km_live && (byMod[m].km_live.points || []).length)
    .map((m) => {
      const pts = byMod[m].km_live.points;
      return {
        name: m, label: modLabel(m),
        time: pts.map((p) => p.session), surv: pts.map((p) => p.surv),
        lower: pts.map((p) => p.lower), upper: pts.map((p) => p.upper),
      };
    });
  parts.push(h('section', { class: 'card', 'aria-labelledby': 'h-km' },
    h('h2', { id: 'h-km' }, 'How many sessions until a response'),
    h('p', { class: 'hint' }, 'Kaplan–Meier estimate of the share of courses that have responded by each session, with its 95 % band. Courses still running count until their last session.'),
    chartFigure(kmChart(curves, { title: 'Share responded by session number, by treatment' }), {
      label: 'Share responded by session, as a table',
      heads: ['Treatment', 'Session', 'Share responded', '95 % band'],
      rows: curves.flatMap((c) => c.time.map((t, k) => [c.label, t, fmtPct(1 - c.surv[k]),
        c.lower[k] === null || c.upper[k] === null || c.lower[k] === undefined || c.upper[k] === undefined
          ? '—' : `${fmtPct(1 - c.upper[k])} to ${fmtPct(1 - c.lower[k])}`])),
    }, legend(curves.map((c, i) => [c.name, c.label, i]))),
    table(mods().filter((m) => byMod[m] && byMod[m].km_live).map((m) => ({ m, k: byMod[m].km_live })), [
      [(r) => modLabel(r.m), 'Treatment'], [(r) => r.k.n_courses, 'Courses', 'num'], [(r) => r.k.n_events, 'Responded', 'num'],
      [(r) => (r.k.median === null ? 'not reached' : fmtNum(r.k.median, 1)), 'Median sessions', 'num'],
      [(r) => (r.k.median === null ? '—' : medianCi(r.k.median_lo, r.k.median_hi)), '95 % interval', 'num'],
    ], 'Median sessions to response')));

  parts.push(claimsSection(byMod));
  parts.push(aeSection(groups));
  parts.push(groupsSection(groups));
  parts.push(logrankSection(rep.logrank || []));
  if (rep.data_notes) {
    parts.push(h('details', { class: 'card' }, h('summary', {}, 'Data notes'),
      table(Object.entries(rep.data_notes).map(([k, v]) => ({ k, v })), [[(r) => pretty(r.k), 'What'], ['v', 'Count', 'num']], null, 'Data notes')));
  }
  return h('div', { class: 'dashboard' }, parts);
}

// A rate chart with its description and its numbers as a table.
function rateFigure(rows, title, caption) {
  return chartFigure(rateBars(rows, { title, caption }), {
    label: `${title}, as a table`,
    heads: ['Group', 'Responders', '95 % interval', 'Courses'],
    rows: rows.map((r) => [r.label, fmtPct(r.rate), r.rate === null || r.rate === undefined ? '—' : `${fmtPct(r.lo)} to ${fmtPct(r.hi)}`, r.n ?? '—']),
  });
}

function filterForm(params, state, go) {
  const f = h('form', { class: 'form filters', 'aria-label': 'Filters' },
    h('div', { class: 'grid' },
      field({ name: 'modality', label: 'Treatment', type: 'select', options: MODALITIES, blank: 'All', value: params.modality }),
      field({ name: 'condition', label: 'Condition', type: 'select', options: CONDITIONS, blank: 'All', value: params.condition }),
      field({ name: 'clinic', label: 'Clinic', value: params.clinic, hint: state.user.role === 'admin' || state.user.role === 'researcher' ? 'Blank = all clinics' : null }),
      field({ name: 'from', label: 'Courses starting from', type: 'date', value: params.from }),
      field({ name: 'to', label: 'until', type: 'date', value: params.to })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show'), h('a', { class: 'button', href: '#/report' }, 'Clear filters')));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = {};
    for (const k of FILTERS) {
      const v = f.querySelector(`[name="${k}"]`).value.trim();
      if (v) p[k] = v;
    }
    go(`#/report${query(p)}`);
  });
  return f;
}

function headline(all, rep) {
  const stat = (label, value, sub) => h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label), sub ? h('div', { class: 'hint' }, sub) : null);
  return h('section', { class: 'card headline', 'aria-label': 'Summary' },
    h('div', { class: 'stats' },
      stat('courses ended', String(all.n_courses), `${all.n_completed} completed, ${all.n_dropped} dropped out`),
      stat('responders, intention to treat', fmtPct(all.itt_rate), `95 % interval ${fmtPct(all.itt_lo)}–${fmtPct(all.itt_hi)}`),
      stat('responders, per protocol', fmtPct(all.pp_rate), `95 % interval ${fmtPct(all.pp_lo)}–${fmtPct(all.pp_hi)}`),
      stat('median sessions to response', all.km_median === null ? 'not reached' : fmtNum(all.km_median, 1),
        all.km_median === null ? null : `95 % interval ${medianCi(all.km_lo, all.km_hi)}`)),
    rep.definitions ? h('p', { class: 'hint' }, `Responder: ${rep.definitions.responder}. Intervals: ${rep.definitions.interval}.`) : null);
}

function claimsSection(byMod) {
  const rows = [...mods(), 'ALL'].filter((m) => byMod[m] && byMod[m].claims).map((m) => ({ m, c: byMod[m].claims }));
  const cell = (r) => (r ? `${ci(r.rate, r.lo, r.hi)} · ${r.x}/${r.n}` : '—');
  return h('section', { class: 'card', 'aria-labelledby': 'h-claims' },
    h('h2', { id: 'h-claims' }, 'Claims check: three ways to count success'),
    h('p', { class: 'hint' }, 'A phone survey counts anyone who answered at the end and felt any better. Per protocol counts responders among completed courses; intention to treat counts every course started. The same registry gives all three.'),
    table(rows, [[(r) => modLabel(r.m), 'Treatment'],
      [(r) => cell(r.c.survey_any_improvement), 'Survey: any improvement'],
      [(r) => cell(r.c.per_protocol), 'Per protocol'],
      [(r) => cell(r.c.intention_to_treat), 'Intention to treat']], null, 'Claims check'));
}

function aeSection(groups) {
  const rows = [...mods(), 'ALL'].map((m) => groups.find((x) => x.modality === m && x.condition === 'ALL')).filter(Boolean);
  const kinds = AE_KINDS.filter(([k]) => rows.some((r) => r.adverse_events && r.adverse_events[k] && r.adverse_events[k].n > 0));
  return h('section', { class: 'card', 'aria-labelledby': 'h-ae' },
    h('h2', { id: 'h-ae' }, 'Side effects per 100 sessions'),
    kinds.length === 0 ? h('p', { class: 'muted' }, 'No side effects recorded in these courses.')
      : table(rows, [[(r) => modLabel(r.modality), 'Treatment'], ['n_sessions', 'Sessions', 'num'],
        ...kinds.map(([k, label]) => [(r) => {
          const e = r.adverse_events && r.adverse_events[k];
          return e ? `${fmtNum(e.per100, 2)} (${e.n})` : '—';
        }, label, 'num']),
        [(r) => (r.soreness_gt4_share === null ? '—' : fmtPct(r.soreness_gt4_share)), 'Soreness > 4 days', 'num']], null, 'Side effects per 100 sessions'));
}

function groupsSection(groups) {
  const rows = groups.filter((r) => r.n_courses > 0);
  return h('section', { class: 'card', 'aria-labelledby': 'h-groups' },
    h('h2', { id: 'h-groups' }, 'All groups'),
    table(rows, [[(r) => modLabel(r.modality), 'Treatment'], [(r) => condLabel(r.condition), 'Condition'],
      ['n_courses', 'Courses', 'num'], ['n_completed', 'Completed', 'num'], ['n_dropped', 'Dropped', 'num'],
      [(r) => ci(r.pp_rate, r.pp_lo, r.pp_hi), 'Per protocol (95 % CI)', 'num'],
      [(r) => ci(r.itt_rate, r.itt_lo, r.itt_hi), 'Intention to treat (95 % CI)', 'num'],
      [(r) => (r.chg_mean === null ? '—' : `${fmtNum(r.chg_mean, 2)} ± ${fmtNum(r.chg_sd, 2)}`), 'Pain change (mean ± SD)', 'num'],
      [(r) => (r.km_median === null ? 'not reached' : fmtNum(r.km_median, 1)), 'Median sessions', 'num']], null, 'All groups'));
}

function logrankSection(lr) {
  return h('section', { class: 'card', 'aria-labelledby': 'h-lr' },
    h('h2', { id: 'h-lr' }, 'Do the treatments differ? (log-rank test)'),
    h('p', { class: 'hint' }, 'Compares sessions-to-response across the three treatments. A small p (say below 0.05) suggests a real difference; it does not say which treatment is better for a given patient.'),
    table(lr, [[(r) => condLabel(r.stratum), 'Courses'], [(r) => fmtNum(r.chisq, 2), 'Chi-square', 'num'],
      [(r) => fmtNum(r.df, 0), 'df', 'num'], [(r) => (r.p === null ? '—' : r.p < 0.0001 ? '< 0.0001' : fmtNum(r.p, 4)), 'p', 'num']], null, 'Log-rank test'));
}
