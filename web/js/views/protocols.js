// The protocol library, as the clinic's staff pick from it: a list that
// shows what each protocol holds (sessions, interval, injectate, volumes,
// sites) and a page per protocol with its follow-up, review rule and
// sources. The numbers come from the server (GET /api/protocols), which
// reads the clinic's protocol file (docs/protocols.md).
import { h, table, fmtNum } from '../dom.js';
import { api } from '../api.js';
import { MODALITIES, CONDITIONS, PROLIFERANTS, labelFor } from '../vocab.js';

let cache = null;

// The library, loaded once per page view (a clinic edits the file rarely).
export async function loadProtocols() {
  if (!cache) cache = api('GET', '/api/protocols').then((r) => (r && r.protocols) || []).catch((e) => { cache = null; throw e; });
  return cache;
}

export function protocolHref(name) {
  return `#/protocol/${encodeURIComponent(name)}`;
}

export function injectateText(p) {
  if (!p.proliferant) return '—';
  const range = Array.isArray(p.concentration_range_pct) ? ` (${fmtNum(p.concentration_range_pct[0])}–${fmtNum(p.concentration_range_pct[1])} %)` : '';
  return [labelFor(PROLIFERANTS, p.proliferant), p.concentration_pct != null ? ` ${fmtNum(p.concentration_pct)} %${range}` : '',
    p.anaesthetic ? ` with ${p.anaesthetic}${p.anaesthetic_pct != null ? ` ${fmtNum(p.anaesthetic_pct)} %` : ''}` : ''].join('');
}

export function volumeText(p) {
  return Array.isArray(p.volume_ml_per_site) ? `${fmtNum(p.volume_ml_per_site[0])}–${fmtNum(p.volume_ml_per_site[1])} mL per site` : '—';
}

export function planText(p) {
  return `${p.sessions} session${p.sessions === 1 ? '' : 's'}, every ${p.interval_days} days (± ${p.window_days})`;
}

// One line for a list or a form: "3 sessions every 28 days · dextrose 25 % · 0.5–6 mL per site".
export function protocolSummary(p) {
  return [planText(p), injectateText(p), volumeText(p)].filter((x) => x !== '—').join(' · ');
}

export async function protocolsView() {
  const list = await loadProtocols();
  const body = list.length
    ? table(list, [
      [(p) => h('a', { href: protocolHref(p.name) }, p.label || p.name), 'Protocol'],
      [(p) => labelFor(MODALITIES, p.modality), 'Treatment'],
      [(p) => (p.condition === '*' ? 'any' : labelFor(CONDITIONS, p.condition)), 'Condition'],
      [(p) => planText(p), 'Sessions'],
      [(p) => injectateText(p), 'Injectate'],
      [(p) => volumeText(p), 'Volume'],
      [(p) => (p.sites || []).join(', ') || '—', 'Sites'],
    ], `${list.length} protocol${list.length === 1 ? '' : 's'}`)
    : h('p', { class: 'muted' }, 'No protocol library is loaded on the server.');
  return h('section', {}, h('h1', {}, 'Protocols'),
    h('p', {}, 'What each treatment protocol of the clinic holds. A course planned with one takes its sessions and interval; the session form starts from its injectate.'),
    body);
}

export async function protocolView({ params }) {
  const list = await loadProtocols();
  const p = list.find((x) => x.name === params.name);
  if (!p) {
    const e = new Error(`There is no protocol “${params.name}”.`);
    e.status = 404;
    throw e;
  }
  const fu = (p.followups || []).map((f) => `${f.offset_days === 0 ? 'baseline' : `day ${f.offset_days}`}: ${f.instruments.join(', ')}`);
  return h('section', {}, h('h1', {}, p.label || p.name),
    h('p', { class: 'muted' }, `Protocol ${p.name}`),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Treatment'), h('dd', {}, labelFor(MODALITIES, p.modality)),
      h('dt', {}, 'Condition'), h('dd', {}, p.condition === '*' ? 'any' : labelFor(CONDITIONS, p.condition)),
      h('dt', {}, 'Sessions'), h('dd', {}, planText(p)),
      h('dt', {}, 'Injectate'), h('dd', {}, injectateText(p)),
      h('dt', {}, 'Volume'), h('dd', {}, volumeText(p)),
      h('dt', {}, p.sites_from === 'protocol' ? 'Sites' : 'Usual sites of the condition'), h('dd', {}, (p.sites || []).join(', ') || '—'),
      h('dt', {}, 'Follow-up'), h('dd', {}, fu.join('; ') || '—'),
      p.review ? [h('dt', {}, 'Review'), h('dd', {}, `if pain is not ${fmtNum(p.review.min_improvement_pct)} % lower after ${p.review.after_sessions} sessions`)] : null,
      h('dt', {}, 'Sources'), h('dd', {}, p.source)),
    h('p', {}, h('a', { href: '#/protocols' }, 'All protocols')));
}
