// Dates on screen in the clinic's chosen format (GET /api/settings:
// iso 2026-03-02, dmy 02.03.2026, mdy 03/02/2026). The API, the forms'
// date fields and the files keep ISO 8601; only text shown to people
// changes. The router passes each page through localizeDates once it is
// drawn, so every view shows dates alike without formatting them itself.
import { api } from './api.js';

let format = 'iso';
let asked = 0; // the last read asked for; an older answer arriving later is dropped

export function dateFormat() {
  return format;
}

// Reads the format again (a small GET, no audit row). The router calls it
// on every navigation, alongside the page's own requests, so a format an
// administrator changed shows from the other users' next page on, without
// a reload. A failure keeps the format in force (ISO before the first).
export function readDateFormat() {
  const mine = ++asked;
  return api('GET', '/api/settings')
    .then((r) => { if (mine === asked) format = (r && r.date_format) || 'iso'; })
    .catch(() => {});
}

export function forgetDateFormat() {
  asked += 1; // a read under way belongs to the session that ended
  format = 'iso';
}

// "2026-03-02" in the clinic's format.
export function fmtDate(iso, fmt = format) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ''));
  if (!m) return String(iso ?? '');
  if (fmt === 'dmy') return `${m[3]}.${m[2]}.${m[1]}`;
  if (fmt === 'mdy') return `${m[2]}/${m[3]}/${m[1]}`;
  return m[0];
}

const ISO = /\b(\d{4})-(\d{2})-(\d{2})(?![\d:T-])/g;
const HAS_ISO = /\b\d{4}-\d{2}-\d{2}(?![\d:T-])/;

// Rewrites the ISO dates of the text under root (not inside form
// controls, code or elements marked data-iso).
export function localizeDates(root, fmt = format) {
  if (fmt === 'iso' || !root) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement && n.parentElement.closest('input, textarea, select, option, script, style, code, [data-iso]')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (HAS_ISO.test(n.nodeValue)) nodes.push(n);
  for (const n of nodes) n.nodeValue = n.nodeValue.replace(ISO, (d) => fmtDate(d, fmt));
}
