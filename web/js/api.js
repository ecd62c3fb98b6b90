// The one door to the JSON API. Every state-changing request carries the
// CSRF token handed out at login; every POST carries an Idempotency-Key, and
// a POST that failed on the network is retried once with the same key, so a
// flaky clinic Wi-Fi never records a session twice.

const CSRF_KEY = 'prolo.csrf';

let csrfToken = sessionStorage.getItem(CSRF_KEY) || '';
let onUnauthenticated = null;

export class ApiError extends Error {
  // status: HTTP status (0 = network); code/field as in the error JSON.
  // etag: the record's current version the server sent with a 409.
  constructor(status, code, message, field, etag) {
    super(message || code || 'request failed');
    this.status = status;
    this.code = code || '';
    this.field = field || '';
    this.etag = etag || '';
  }
}

export function setCsrf(token) {
  csrfToken = token || '';
  if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken);
  else sessionStorage.removeItem(CSRF_KEY);
}

export function hasCsrf() {
  return csrfToken !== '';
}

// fn() is called when the server says the session is gone (401).
export function onAuthLost(fn) {
  onUnauthenticated = fn;
}

// A random UUID; crypto.randomUUID exists only in secure contexts, so a
// clinic serving plain HTTP on its LAN falls back to getRandomValues.
export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const TIMEOUT_MS = 20000;

async function once(method, path, body, key, ifMatch) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (key) headers['Idempotency-Key'] = key;
  if (ifMatch !== undefined && ifMatch !== null) headers['If-Match'] = `"${ifMatch}"`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  init.signal = ctl.signal;
  try {
    return await fetch(path, init);
  } finally {
    clearTimeout(timer);
  }
}

// Sends one request and returns the parsed JSON body (or null when empty).
// Throws ApiError: status 0 for the network, otherwise the server's error.
// opts.key: an Idempotency-Key to reuse (a POST gets a fresh one otherwise);
// opts.ifMatch: a record version, sent as If-Match (a change then applies
// only to that version; another one is answered 409).
export async function api(method, path, body, opts = {}) {
  const key = method === 'POST' ? (opts.key || newKey()) : '';
  let res;
  try {
    res = await once(method, path, body, key, opts.ifMatch);
  } catch (e) {
    if (method !== 'POST') throw new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again.');
    try {
      res = await once(method, path, body, key, opts.ifMatch); // same key: cannot record twice
    } catch (e2) {
      throw new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again.');
    }
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const apiErr = new ApiError(res.status, err.code || statusCode(res.status),
      err.message || res.statusText || 'The request failed.', err.field,
      (res.headers.get('ETag') || '').replace(/^W\//, '').replace(/"/g, ''));
    apiErr.detail = err; // the whole error object (e.g. a possible duplicate's "matches")
    if (res.status === 401 && onUnauthenticated && !opts.quietAuth) onUnauthenticated(apiErr);
    throw apiErr;
  }
  return data;
}

function statusCode(status) {
  switch (status) {
    case 400: return 'invalid';
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 410: return 'gone';
    case 413: return 'too_big';
    default: return status >= 500 ? 'internal' : 'error';
  }
}

// Builds "?a=1&b=2" from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
