// Small DOM helpers. Text always goes in through text nodes, never through
// HTML parsing, so a patient's name can never become markup; form fields are
// built with their label, hint and error slot wired for screen readers.

// h('p', {class: 'x', onclick: fn}, 'text', child) -> element.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// Same as h() for SVG elements; props are attributes.
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') Object.assign(el.style, v); // CSSOM: allowed under the CSP
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix || 'f'}-${uid}`;
}

// A labelled form control. spec: {name, label, type ('text', 'number',
// 'date', 'select', 'textarea', 'password', 'email', 'tel'), value,
// options: [[value, text], ...] for select, required, hint, min, max,
// step, wide, list (datalist id), autocomplete, placeholder}.
// Returns the wrapper; the control is wrapper.control.
export function field(spec) {
  const id = nextId(spec.name.replace(/[^a-z0-9_-]/gi, '-'));
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  let control;
  const common = {
    id, name: spec.name, required: spec.required || false,
    'aria-describedby': spec.hint ? `${hintId} ${errId}` : errId,
    autocomplete: spec.autocomplete,
  };
  if (spec.type === 'select') {
    control = h('select', common);
    if (!spec.required || spec.blank) control.append(h('option', { value: '' }, spec.blank || '—'));
    for (const opt of spec.options || []) {
      const [v, t] = Array.isArray(opt) ? opt : [opt, opt];
      control.append(h('option', { value: v, selected: String(spec.value ?? '') === String(v) }, t));
    }
  } else if (spec.type === 'textarea') {
    control = h('textarea', { ...common, rows: 3 });
    control.value = spec.value ?? '';
  } else {
    control = h('input', {
      ...common, type: spec.type || 'text', min: spec.min, max: spec.max, step: spec.step,
      list: spec.list, placeholder: spec.placeholder, inputmode: spec.inputmode,
    });
    if (spec.value !== undefined && spec.value !== null) control.value = String(spec.value);
  }
  const wrap = h('div', { class: `field${spec.wide ? ' wide' : ''}`, dataset: { field: spec.name } },
    h('label', { for: id }, spec.label, spec.required ? h('span', { 'aria-hidden': 'true' }, ' *') : null),
    control,
    spec.hint ? h('p', { class: 'hint', id: hintId }, spec.hint) : null,
    h('p', { class: 'field-error', id: errId, 'aria-live': 'polite' }));
  wrap.control = control;
  return wrap;
}

// A group of checkboxes for a flags field ("a;b;c" on the wire).
export function checks(spec) {
  const id = nextId(spec.name);
  const errId = `${id}-err`;
  const chosen = new Set(String(spec.value || '').split(';').filter(Boolean));
  const box = h('fieldset', { class: 'field wide', dataset: { field: spec.name }, 'aria-describedby': errId },
    h('legend', {}, spec.label),
    h('div', { class: 'checks' }, (spec.options || []).map(([v, t]) => h('label', {},
      h('input', { type: 'checkbox', name: spec.name, value: v, checked: chosen.has(v) }), t))),
    spec.hint ? h('p', { class: 'hint' }, spec.hint) : null,
    h('p', { class: 'field-error', id: errId, 'aria-live': 'polite' }));
  return box;
}

// Clears the error marks of a form.
export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const fe = form.querySelector('.form-error');
  if (fe) fe.textContent = '';
}

// Shows the server's error next to the field it names (the error JSON's
// "field"), or at the top of the form when no field of the form matches.
// Field names like "injections[1].site", "injections.1.site" or
// "injection 2: site" are matched to the injection rows. Moves focus to
// the field at fault so a keyboard or screen-reader user lands on it.
export function showError(form, err, scope) {
  clearErrors(form);
  const target = findField(form, err.field || '', scope);
  const msg = humanMessage(err);
  if (target) {
    const det = target.closest('details');
    if (det) det.open = true;
    const slot = target.querySelector('.field-error');
    const local = msg.replace(/^injection \d+:\s*/i, '');
    if (slot) slot.textContent = /^(is|must|has|contains) /.test(local) ? `This field ${local}` : local;
    const ctl = target.querySelector('input, select, textarea');
    if (ctl) {
      ctl.setAttribute('aria-invalid', 'true');
      ctl.focus();
    }
    return;
  }
  const fe = form.querySelector('.form-error');
  if (fe) {
    fe.textContent = err.field ? `${labelOf(err.field)}: ${msg}` : msg;
    fe.focus();
  } else {
    toast(msg);
  }
}

function findField(form, name, scope) {
  if (!name) return null;
  const sel = `[data-field="${cssEscape(name)}"]`;
  const direct = (scope && scope.querySelector(sel)) || form.querySelector(sel);
  if (direct) return direct;
  // injections[1].site, injections.1.site, injection 2: site, injection 2 site
  const m = /^injections?\s*[[.\s]?\s*(\d+)\s*\]?\s*[.:]?\s*([a-z_]+)$/i.exec(name);
  if (m) {
    const rows = form.querySelectorAll('.injection-row');
    const n = Number(m[1]);
    // zero-based if the server says [0]; one-based for "injection 1"
    const zeroBased = /\[|\./.test(name) && !/injection \d/i.test(name);
    const row = rows[zeroBased ? n : n - 1] || rows[n];
    if (row) return row.querySelector(`[data-field="${cssEscape(m[2])}"]`);
  }
  // "item 3" of a questionnaire
  const item = /^item\s*(\d+)$/i.exec(name);
  if (item) {
    const el = form.querySelector(`[data-field="item-${Number(item[1])}"]`);
    if (el) return el;
    return form.querySelector('[data-field="items"]');
  }
  return null;
}

function cssEscape(s) {
  return (globalThis.CSS && CSS.escape) ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
}

// The message of an error, in plain words for the cases people meet.
export function humanMessage(err) {
  switch (err.code) {
    case 'network': return err.message;
    case 'forbidden': return 'Your role does not allow this. Ask an administrator if you need it.';
    case 'unauthenticated': return err.message && err.message !== 'unauthenticated' ? err.message : 'Please log in again.';
    case 'too_big': return `Too much data in one request: ${err.message}`;
    case 'storage':
    case 'internal': return `The server could not save this (${err.message}). Nothing was recorded; try again.`;
    default: return err.message;
  }
}

export function labelOf(name) {
  return String(name).replace(/_/g, ' ');
}

// Reads the named controls of a form into an object of strings; unchecked
// checkbox groups become "a;b" flags. Empty strings are left out.
export function formValues(form, names) {
  const out = {};
  for (const name of names) {
    const els = form.querySelectorAll(`[name="${cssEscape(name)}"]`);
    if (els.length === 0) continue;
    if (els[0].type === 'checkbox') {
      const v = Array.from(els).filter((e) => e.checked).map((e) => e.value).join(';');
      if (v) out[name] = v;
      continue;
    }
    const v = els[0].type === 'password' ? els[0].value : els[0].value.trim();
    if (v !== '') out[name] = v;
  }
  return out;
}

// Converts numeric strings of the given names to numbers (leaves bad input
// as text so the server names the field).
export function numbers(obj, names) {
  for (const n of names) {
    if (obj[n] === undefined) continue;
    const x = Number(obj[n]);
    if (obj[n] !== '' && Number.isFinite(x)) obj[n] = x;
  }
  return obj;
}

let toastTimer = 0;
export function toast(msg) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = msg;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.textContent = ''; }, 5000);
}

// Today's date in the browser's time zone, as YYYY-MM-DD; or the date
// there of the moment d (a Date), such as a change's time.
export function today(d = new Date()) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// The day after a YYYY-MM-DD date.
export function nextDay(iso) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
}

// Days between two YYYY-MM-DD dates (b - a), in UTC to avoid DST steps.
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

export function fmtNum(x, digits = 1) {
  if (x === null || x === undefined || x === '' || Number.isNaN(Number(x))) return '—';
  return Number(x).toFixed(digits).replace(/\.0+$/, '');
}

export function fmtPct(x, digits = 0) {
  if (x === null || x === undefined || x === '' || Number.isNaN(Number(x))) return '—';
  return `${(Number(x) * 100).toFixed(digits)} %`;
}

export function pretty(word) {
  if (word === null || word === undefined || word === '') return '—';
  const s = String(word).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// A box that scrolls sideways when its content is wider than a phone: a
// named region in the tab order, so a keyboard can scroll it too and a
// screen reader names it.
export function scrollRegion(label, ...children) {
  return h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': label }, children);
}

// A simple table: cols = [[key or fn, heading, 'num'?], ...]; label names
// its scrolling region when there is no caption.
export function table(rows, cols, caption, label) {
  return scrollRegion(caption || label || 'Table', h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, cols.map(([, head, cls]) => h('th', { scope: 'col', class: cls || null }, head)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, cols.map(([k, , cls]) => {
      const v = typeof k === 'function' ? k(r) : r[k];
      return h('td', { class: cls || null }, v === undefined || v === null || v === '' ? '—' : v);
    }))))));
}
