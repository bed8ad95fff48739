// session.js - who is logged in. The CSRF token comes from the login answer
// or, after a reload, from GET /api/v1/session. When the session has ended (401) in
// the middle of work, a login dialog opens over the page; the request that
// met the 401 is sent again once it succeeds (api.js), so nothing typed is
// lost.
import * as api from './api.js';
import * as formstore from './formstore.js';
import { t } from './i18n.js';
import { openDialog } from './dialog.js';
import { loginForm } from './login-form.js';

let user = null;
let relogging = null;

export const currentUser = () => user;

// onChange(fn): fn(user) after a login, fn(null) at a logout (live.js
// stops its stream then and starts it again after the next login).
const listeners = new Set();
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function changed() {
  for (const fn of [...listeners]) {
    try { fn(user); } catch (e) { console.error(e); }
  }
}

// Anyone may ask /api/v1/session: {"user": null} when not logged in.
export async function loadMe() {
  const r = await api.get('/api/v1/session', { relogin: false });
  user = r.body.user;
  api.setCsrf(r.body.csrf_token || null);
  return user;
}

export async function login(username, password) {
  const r = await api.post('/api/v1/session', { username, password }, { relogin: false, retry: false });
  user = r.body.user;
  api.setCsrf(r.body.csrf_token);
  changed();
  return user;
}

export async function logout() {
  user = null; // from here a 401 means "logged out", not "log in again" (relogin)
  changed();
  try {
    await api.del('/api/v1/session', { relogin: false, retry: false });
  } catch {
    // the session may be gone already: logging out locally is what matters
  }
  api.setCsrf(null);
  formstore.clearAll();
}

// The dialog over the page; every request that met a 401 waits for it.
// After a logout, a request still under way that meets the 401 is left
// waiting for ever: its page is being replaced by the login page anyway.
function relogin() {
  if (!user) return new Promise(() => {});
  if (relogging) return relogging;
  relogging = new Promise((resolve) => {
    let dlg = null;
    const form = loginForm({
      username: user.username,
      lockUsername: true,
      intro: t('relogin.intro'),
      onSuccess: () => { relogging = null; dlg.close('ok'); resolve(); },
    });
    dlg = openDialog({ title: t('relogin.title'), content: form, closable: false, className: 'relogin' });
  });
  return relogging;
}

export function install() {
  api.setHooks({ relogin });
}
