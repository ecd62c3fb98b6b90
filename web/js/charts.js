// Charts as plain SVG built from data, no library: a pain trajectory per
// course (with the baseline and the 50 % responder line), Kaplan–Meier step
// curves with their confidence bands, and rates with interval bars. Every
// chart is an <svg role="img"> with a title and a text description;
// chartFigure() shows that description as the chart's caption and puts the
// numbers behind it in a table (opened on demand) that a screen reader
// reaches. On a phone the chart keeps a size at which its text stays
// readable and scrolls sideways in a named, keyboard-reachable region.
import { s, h, scrollRegion, daysBetween, fmtPct } from './dom.js';

// Okabe–Ito colours, as in app.css (SVG attributes cannot read CSS variables
// everywhere, so the values are repeated here).
export const SERIES_COLOURS = {
  dextrose: '#0072b2', prp: '#d55e00', stem_cell: '#009e73', ALL: '#555555',
};
const ACCENT = '#0b5cad';
const OK = '#1d6b3a';
const FALLBACK = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#555555'];

export function colourFor(name, i) {
  return SERIES_COLOURS[name] || FALLBACK[i % FALLBACK.length];
}

function frame(w, hgt, title, desc, cls) {
  const tid = `t${Math.random().toString(36).slice(2, 9)}`;
  const svg = s('svg', {
    class: `chart ${cls || ''}`, viewBox: `0 0 ${w} ${hgt}`, role: 'img',
    'aria-labelledby': `${tid}-t ${tid}-d`, preserveAspectRatio: 'xMidYMid meet',
  });
  svg.append(s('title', { id: `${tid}-t` }, title), s('desc', { id: `${tid}-d` }, desc));
  return svg;
}

const r2 = (x) => Math.round(x * 100) / 100;

function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

// Pain trajectory of one course. points: [{date, score}] of NRS, sorted by
// date; sessions: [{date, session_no}]. x is days from the course start.
export function painChart({ points, sessions, start, title }) {
  // T leaves a band above the plot for the session labels (S1, S2, ...).
  const W = 640; const H = 310; const L = 48; const R = 16; const T = 26; const B = 54;
  const pts = points.filter((p) => p.score !== null && p.score !== undefined && !Number.isNaN(Number(p.score)));
  const origin = start || (pts[0] && pts[0].date) || (sessions[0] && sessions[0].date);
  const xs = [...pts.map((p) => daysBetween(origin, p.date)), ...sessions.map((x) => daysBetween(origin, x.date)), 0];
  const xmin = Math.min(...xs);
  const xmax = Math.max(7, ...xs);
  const X = (d) => L + ((d - xmin) / (xmax - xmin || 1)) * (W - L - R);
  const Y = (v) => T + (1 - v / 10) * (H - T - B);
  const baseline = pts.length ? Number(pts[0].score) : null;
  const last = pts.length ? Number(pts[pts.length - 1].score) : null;
  const desc = pts.length
    ? `Pain 0 to 10 over ${xmax - xmin} days: baseline ${baseline}, latest ${last}` +
      `${baseline !== null && 2 * last <= baseline ? ', at or below half of baseline (responder).' : '.'}` +
      ` ${sessions.length} session(s) marked.`
    : 'No pain scores recorded yet.';
  const svg = frame(W, H, title || 'Pain trajectory', desc, 'pain-chart');
  const grid = s('g', { class: 'grid' });
  const axis = s('g', { class: 'axis' });
  for (let v = 0; v <= 10; v += 2) {
    grid.append(s('line', { x1: L, x2: W - R, y1: r2(Y(v)), y2: r2(Y(v)) }));
    axis.append(s('text', { x: L - 8, y: r2(Y(v) + 4), 'text-anchor': 'end' }, v));
  }
  const step = niceStep(xmax - xmin, 8);
  for (let d = Math.ceil(xmin / step) * step; d <= xmax; d += step) {
    axis.append(s('line', { x1: r2(X(d)), x2: r2(X(d)), y1: H - B, y2: H - B + 5 }),
      s('text', { x: r2(X(d)), y: H - B + 18, 'text-anchor': 'middle' }, d));
  }
  axis.append(s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B }), s('line', { x1: L, x2: L, y1: T, y2: H - B }),
    s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, 'days since start of course'),
    s('text', { x: 12, y: (T + H - B) / 2, transform: `rotate(-90 12 ${(T + H - B) / 2})`, 'text-anchor': 'middle' }, 'pain (0–10)'));
  svg.append(grid, axis);
  const marks = s('g', { class: 'sessions' });
  for (const se of sessions) {
    const x = r2(X(daysBetween(origin, se.date)));
    marks.append(s('line', { x1: x, x2: x, y1: T, y2: H - B, stroke: '#9aa6b2', 'stroke-width': 1, 'stroke-dasharray': '2 3' }),
      s('text', { x, y: T - 8, 'text-anchor': 'middle', class: 'session-label' }, `S${se.session_no}`));
  }
  svg.append(marks);
  if (baseline !== null) {
    svg.append(s('line', { class: 'ref baseline', x1: L, x2: W - R, y1: r2(Y(baseline)), y2: r2(Y(baseline)) }),
      s('text', { x: W - R - 4, y: r2(Y(baseline) - 5), 'text-anchor': 'end', class: 'ref-label' }, `baseline ${baseline}`),
      s('line', { class: 'ref half', x1: L, x2: W - R, y1: r2(Y(baseline / 2)), y2: r2(Y(baseline / 2)) }),
      // Left: pain is usually still high there, so the label does not
      // sit on the last scores, which come down to this line.
      s('text', { x: L + 6, y: r2(Y(baseline / 2) - 5), 'text-anchor': 'start', class: 'ref-label' }, `50 % of baseline (${baseline / 2})`));
  }
  if (pts.length) {
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${r2(X(daysBetween(origin, p.date)))} ${r2(Y(Number(p.score)))}`).join(' ');
    svg.append(s('path', { class: 'series', d, stroke: ACCENT }));
    const dots = s('g', { class: 'points' });
    for (const p of pts) {
      dots.append(s('circle', {
        cx: r2(X(daysBetween(origin, p.date))), cy: r2(Y(Number(p.score))), r: 5,
        fill: baseline !== null && 2 * Number(p.score) <= baseline ? OK : ACCENT, stroke: '#fff', 'stroke-width': 1.5,
      }, s('title', {}, `${p.date}: ${p.score}`)));
    }
    svg.append(dots);
  } else {
    svg.append(s('text', { x: (L + W) / 2, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'empty' }, 'No pain scores yet'));
  }
  return svg;
}

// Kaplan–Meier curves of sessions-to-response, drawn as the share that has
// responded (1 − S) so that "higher is better" reads naturally; the band is
// the pointwise confidence interval. curves: [{name, label, time[], surv[],
// lower[], upper[]}].
export function kmChart(curves, { title } = {}) {
  const W = 640; const H = 320; const L = 52; const R = 16; const T = 14; const B = 48;
  const tmax = Math.max(1, ...curves.flatMap((c) => c.time || []));
  const X = (t) => L + (t / tmax) * (W - L - R);
  const Y = (v) => T + (1 - v) * (H - T - B);
  const desc = curves.map((c) => {
    const n = (c.surv || []).length;
    const last = n ? 1 - c.surv[n - 1] : 0;
    return `${c.label || c.name}: ${fmtPct(last)} responded by session ${n ? c.time[n - 1] : 0}`;
  }).join('; ');
  const svg = frame(W, H, title || 'Sessions to response (Kaplan–Meier)', desc || 'No data', 'km-chart');
  const grid = s('g', { class: 'grid' });
  const axis = s('g', { class: 'axis' });
  for (let v = 0; v <= 1.0001; v += 0.25) {
    grid.append(s('line', { x1: L, x2: W - R, y1: r2(Y(v)), y2: r2(Y(v)) }));
    axis.append(s('text', { x: L - 8, y: r2(Y(v) + 4), 'text-anchor': 'end' }, `${Math.round(v * 100)} %`));
  }
  const step = niceStep(tmax, 10) < 1 ? 1 : niceStep(tmax, 10);
  for (let t = 0; t <= tmax; t += step) {
    axis.append(s('text', { x: r2(X(t)), y: H - B + 18, 'text-anchor': 'middle' }, t));
  }
  axis.append(s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B }), s('line', { x1: L, x2: L, y1: T, y2: H - B }),
    s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, 'session number'));
  svg.append(grid, axis);
  curves.forEach((c, i) => {
    const col = colourFor(c.name, i);
    const g = s('g', { class: 'curve', 'data-series': c.name });
    const t = c.time || []; const sv = c.surv || [];
    if (c.lower && c.upper && t.length) {
      // band of 1 - S: from 1 - upper (low edge) to 1 - lower (high edge)
      const hi = []; const lo = [];
      let prevHi = 0; let prevLo = 0; let prevT = 0;
      for (let k = 0; k < t.length; k++) {
        const u = c.upper[k]; const l = c.lower[k];
        if (u === null || l === null || u === undefined || l === undefined || Number.isNaN(u) || Number.isNaN(l)) break;
        hi.push([prevT, prevHi], [t[k], prevHi]);
        lo.push([prevT, prevLo], [t[k], prevLo]);
        prevHi = 1 - l; prevLo = 1 - u; prevT = t[k];
      }
      hi.push([prevT, prevHi], [tmax, prevHi]);
      lo.push([prevT, prevLo], [tmax, prevLo]);
      const poly = [...hi, ...lo.reverse()].map(([x, y]) => `${r2(X(x))},${r2(Y(y))}`).join(' ');
      g.append(s('polygon', { class: 'band', points: poly, fill: col }));
    }
    let d = `M${r2(X(0))} ${r2(Y(0))}`;
    let prev = 0;
    for (let k = 0; k < t.length; k++) {
      d += ` H${r2(X(t[k]))} V${r2(Y(1 - sv[k]))}`;
      prev = 1 - sv[k];
    }
    d += ` H${r2(X(tmax))}`;
    g.append(s('path', { class: 'series', d, stroke: col }));
    g.append(s('title', {}, `${c.label || c.name}: ${fmtPct(prev)} responded`));
    svg.append(g);
  });
  return svg;
}

// Rates with their intervals, one row per group: [{label, rate, lo, hi,
// n, x, name}] (rate/lo/hi in 0..1). Drawn as a bar with a whisker.
export function rateBars(rows, { title, caption } = {}) {
  const rowH = 30; const L = 190; const R = 70; const T = 10; const B = 36; const W = 640;
  const H = T + B + rowH * Math.max(1, rows.length);
  const X = (v) => L + v * (W - L - R);
  const desc = rows.map((r) => `${r.label}: ${fmtPct(r.rate)} (95 % CI ${fmtPct(r.lo)} to ${fmtPct(r.hi)}), n = ${r.n ?? '—'}`).join('; ');
  const svg = frame(W, H, title || 'Responder rates', desc || 'No groups', 'rate-chart');
  const grid = s('g', { class: 'grid' });
  const axis = s('g', { class: 'axis' });
  for (let v = 0; v <= 1.0001; v += 0.2) {
    grid.append(s('line', { x1: r2(X(v)), x2: r2(X(v)), y1: T, y2: H - B }));
    axis.append(s('text', { x: r2(X(v)), y: H - B + 16, 'text-anchor': 'middle' }, `${Math.round(v * 100)} %`));
  }
  if (caption) axis.append(s('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }, caption));
  svg.append(grid, axis);
  rows.forEach((r, i) => {
    const y = T + i * rowH + rowH / 2;
    const col = colourFor(r.name, i);
    const g = s('g', { class: 'bar' });
    g.append(s('text', { x: L - 8, y: r2(y + 4), 'text-anchor': 'end' }, r.label));
    if (r.rate !== null && r.rate !== undefined && !Number.isNaN(Number(r.rate))) {
      g.append(s('rect', { x: L, y: r2(y - 8), width: r2(Math.max(0, X(r.rate) - L)), height: 16, fill: col, opacity: 0.75 }));
      if (r.lo !== null && r.hi !== null && r.lo !== undefined && r.hi !== undefined) {
        const a = r2(X(r.lo)); const b = r2(X(r.hi));
        g.append(s('path', { d: `M${a} ${r2(y)} H${b} M${a} ${r2(y - 6)} V${r2(y + 6)} M${b} ${r2(y - 6)} V${r2(y + 6)}`, stroke: '#1b1f24', 'stroke-width': 1.6, fill: 'none', class: 'interval' }));
      }
      g.append(s('text', { x: W - R + 6, y: r2(y + 4) }, fmtPct(r.rate)));
    } else {
      g.append(s('text', { x: L + 6, y: r2(y + 4), class: 'muted' }, 'no data'));
    }
    svg.append(g);
  });
  return svg;
}

// A chart in a figure: the SVG in a scrolling region, its description as
// the caption (extra: more caption content, e.g. a legend), and its numbers
// as a table in a <details>. data: {label, heads: [column names], rows:
// [[first cell (a row heading), ...values]]}.
export function chartFigure(svg, data, extra) {
  const title = (svg.querySelector('title') || {}).textContent || 'Chart';
  const desc = (svg.querySelector('desc') || {}).textContent || '';
  return h('figure', { class: 'chart-figure' },
    scrollRegion(`${title} (chart)`, svg),
    h('figcaption', {}, extra || null, desc ? h('p', { class: 'chart-summary' }, desc) : null),
    data ? chartData(data) : null);
}

// The numbers behind a chart as a table, on demand.
export function chartData({ label, heads, rows }) {
  return h('details', { class: 'chart-data' }, h('summary', {}, label),
    scrollRegion(label, h('table', {},
      h('thead', {}, h('tr', {}, heads.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => (i
        ? h('td', { class: 'num' }, v === null || v === undefined || v === '' ? '—' : v)
        : h('th', { scope: 'row' }, v)))))))));
}

// A legend for series names.
export function legend(items) {
  return h('div', { class: 'legend', 'aria-hidden': 'true' }, items.map(([name, label, i, dash]) => h('span', {},
    h('span', { class: `key${dash ? ' dash' : ''}`, style: dash ? { color: colourFor(name, i) } : { background: colourFor(name, i) } }), label)));
}
