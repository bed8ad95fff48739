// api.js - the only caller of fetch. JSON in and out; the CSRF header on
// every change; If-Match when asked; the SPEC error shape becomes an
// ApiError with its field messages. A 401 asks the session module to log in
// again (a dialog over the page) and then sends the same request again, so
// nothing typed is lost; a lost connection or a restarting server (network
// error, 502/503/504) is retried with a growing pause until it answers.

let csrf = null;
const hooks = { relogin: null, trouble: null };

export function setCsrf(token) { csrf = token; }

// relogin(): Promise resolved once logged in again (rejects: give up).
// trouble(state): 'retrying' with {attempt, wait} while retrying, 'ok' after.
export function setHooks(h) { Object.assign(hooks, h); }

export class ApiError extends Error {
  constructor(status, error, headers) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (error && error.code) || 'http_' + status;
    this.fields = (error && error.fields) || {};
    this.retryAfter = Number(headers && headers.get('retry-after')) || 0;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RETRY_STATUS = new Set([502, 503, 504]);

// request('POST', '/api/v1/tickets', {body, ifMatch, signal, relogin: false})
//   → {status, body, etag}; throws ApiError (or AbortError). With bytes: true
//   a success is {status, bytes (an ArrayBuffer, as sent), headers}. With
//   raw and type (raw: 'prefix,region\n…', type: 'text/csv') the body is
//   sent as that text instead of JSON.
export async function request(method, path, opts = {}) {
  const { body, ifMatch, signal, relogin = true, retry = true, bytes = false, raw, type } = opts;
  for (let attempt = 0; ; attempt++) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw !== undefined) headers['content-type'] = type;
    if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
    if (ifMatch) headers['if-match'] = ifMatch;
    let res;
    try {
      res = await fetch(path, {
        method, headers, signal, credentials: 'same-origin',
        body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e.name === 'AbortError' || !retry) throw e;
      await pause(attempt, signal);
      continue;
    }
    if (RETRY_STATUS.has(res.status) && retry) {
      await pause(attempt, signal);
      continue;
    }
    if (attempt > 0 && hooks.trouble) hooks.trouble('ok');
    if (res.status === 401 && relogin && hooks.relogin) {
      await hooks.relogin();
      continue;
    }
    if (bytes && res.ok) return { status: res.status, bytes: await res.arrayBuffer(), headers: res.headers };
    const text = await res.text(); // always read: an unread body shows as an aborted request
    let data = null;
    if (text && (res.headers.get('content-type') || '').startsWith('application/json')) data = JSON.parse(text);
    if (!res.ok) throw new ApiError(res.status, data && data.error, res.headers);
    return { status: res.status, body: data, etag: res.headers.get('etag') };
  }
}

async function pause(attempt, signal) {
  const wait = Math.min(500 * 2 ** attempt, 8000);
  if (hooks.trouble) hooks.trouble('retrying', { attempt: attempt + 1, wait });
  await sleep(wait);
  if (signal && signal.aborted) throw new DOMException('aborted', 'AbortError');
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => request('PATCH', path, { ...opts, body });
export const del = (path, opts) => request('DELETE', path, opts);

// A query string from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// A static file of the UI (the dictionaries), as JSON.
export async function staticJSON(path) {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}
