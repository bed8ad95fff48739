// auth-lib.mjs - helpers for the accounts tests: logging in, requests with
// a cookie or a bearer token, requests from a chosen loopback source address
// (to test per-address throttling), HTTPS, and editing the test database
// behind the server's back (to age a session).
import http from 'node:http';
import https from 'node:https';
import { req, sql } from './lib.mjs';

export { sql };

// One request through node:http(s), so we can pick the source address and
// trust a throwaway certificate. Returns {status, headers, body, text}.
export function rawReq(base, method, path, { body, headers = {}, localAddress, ca } = {}) {
  const u = new URL(path, base);
  const h = { ...headers };
  let payload;
  if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] ??= 'application/json'; }
  if (payload !== undefined) h['content-length'] = Buffer.byteLength(payload);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request(u, { method, headers: h, localAddress, ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        if ((res.headers['content-type'] || '').startsWith('application/json') && text) json = JSON.parse(text);
        resolve({ status: res.statusCode, headers: res.headers, body: json, text });
      });
    });
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}

// Logs in; returns {status, cookie ("gd_session=..."), setCookie (full
// header), csrf, user, res}.
export async function login(base, username, password, opts = {}) {
  const res = await rawReq(base, 'POST', '/api/v1/session', { body: { username, password }, ...opts });
  const sc = res.headers['set-cookie'] ? res.headers['set-cookie'][0] : '';
  return {
    status: res.status, setCookie: sc, cookie: sc.split(';')[0],
    csrf: res.body && res.body.csrf_token, user: res.body && res.body.user, res,
  };
}

// A request as a session: the cookie, plus X-CSRF-Token unless csrf is false.
export function asSession(base, s, method, path, { body, csrf = true, headers = {} } = {}) {
  const h = { cookie: s.cookie, ...headers };
  if (csrf === true && s.csrf) h['x-csrf-token'] = s.csrf;
  else if (typeof csrf === 'string') h['x-csrf-token'] = csrf;
  return req(base, method, path, { body, headers: h });
}

// A request with a bearer token.
export function asToken(base, token, method, path, { body, headers = {} } = {}) {
  return req(base, method, path, { body, headers: { authorization: `Bearer ${token}`, ...headers } });
}


export const ROLES = {
  admin: ['admin', 'demo-admin'],
  agent: ['agent1', 'demo-agent1'],
  dispatcher: ['dispatcher1', 'demo-dispatcher1'],
  supervisor: ['supervisor1', 'demo-supervisor1'],
  handler: ['handler_net1', 'demo-handler_net1'],
};
