// auth.test.mjs - accounts and access: login/logout/me, the role x endpoint
// matrix for /api/v1/users and /api/v1/tokens (session and bearer), CSRF,
// token revocation, disabled users, forged/expired/truncated credentials,
// bad login input, user validation, the CLI, and no clear-text secrets in
// the database or the server's log.
//
// Failed logins from 127.0.0.1 count towards the per-address throttle (5 in
// 15 minutes), so every test that fails a login on purpose does it from a
// loopback address of its own (127.0.0.x), see failFrom().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startServer, req, errorOf, cli } from './lib.mjs';
import { rawReq, login, asSession, asToken, sql, ROLES } from './auth-lib.mjs';

let srv;
const secrets = new Set(Object.values(ROLES).map(([, p]) => p)); // every clear-text secret used
const sessions = {}; // role -> session
const tokens = {};   // role -> bearer token (from the CLI)
let nextAddr = 10;
const failFrom = () => `127.0.0.${nextAddr++}`;

function keep(s) { if (s) secrets.add(s); return s; }
function b64url(n) { return randomBytes(n).toString('base64url'); }

before(async () => {
  srv = await startServer({ keep: true });
  for (const [role, [u, p]] of Object.entries(ROLES)) {
    const s = await login(srv.url, u, p);
    assert.equal(s.status, 200, `${role} logs in`);
    keep(s.cookie.split('=')[1]);
    sessions[role] = s;
    const t = cli(['token', 'create', '--username', u, '--name', `${role} script`, '--db', srv.db]);
    assert.equal(t.status, 0, t.stderr);
    tokens[role] = keep(t.stdout.trim());
  }
});
after(async () => { await srv.stop(); rmSync(srv.dir, { recursive: true, force: true }); });

test('login answers the user, a CSRF token and a safe session cookie', async () => {
  const s = await login(srv.url, 'handler_km1', 'demo-handler_km1');
  keep(s.cookie.split('=')[1]);
  assert.equal(s.status, 200);
  assert.equal(s.user.username, 'handler_km1');
  assert.equal(s.user.role, 'handler');
  assert.equal(s.user.department, 'KM');
  assert.equal(s.user.password_hash, undefined);
  assert.match(s.csrf, /^[A-Za-z0-9_-]{43}$/);
  assert.match(s.setCookie, /^gd_session=[A-Za-z0-9_-]{43}; /);
  for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/']) assert.ok(s.setCookie.includes(attr), attr);
  assert.ok(!/secure/i.test(s.setCookie), 'no Secure over plain HTTP');
  assert.equal(s.res.headers['cache-control'], 'no-store');
});

test('GET /api/v1/me for every role, by session and by token', async () => {
  const depts = { admin: null, agent: 'PCSC', dispatcher: 'PCSC', supervisor: 'PCSC', handler: 'NET' };
  for (const role of Object.keys(ROLES)) {
    const a = await asSession(srv.url, sessions[role], 'GET', '/api/v1/me');
    assert.equal(a.status, 200, role);
    assert.equal(a.body.user.role, role);
    assert.equal(a.body.user.department, depts[role]);
    assert.equal(a.body.auth, 'session');
    assert.equal(a.body.csrf_token, sessions[role].csrf);
    const b = await asToken(srv.url, tokens[role], 'GET', '/api/v1/me');
    assert.equal(b.status, 200, role);
    assert.equal(b.body.user.username, ROLES[role][0]);
    assert.equal(b.body.auth, 'token');
    assert.equal(b.body.csrf_token, undefined);
  }
  const anon = await req(srv.url, 'GET', '/api/v1/me');
  assert.equal(anon.status, 401);
  assert.equal(errorOf(anon).code, 'unauthorized');
});

test('security headers on JSON and error responses', async () => {
  for (const r of [await asToken(srv.url, tokens.agent, 'GET', '/api/v1/me'), await req(srv.url, 'GET', '/api/v1/users')]) {
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.ok(r.headers.get('referrer-policy'));
    assert.equal(r.headers.get('cache-control'), 'no-store');
  }
});

// The admin-only endpoints, each with a request that would change or show
// something. {id} placeholders are filled per call.
const adminEndpoints = [
  ['GET', '/api/v1/users'],
  ['GET', '/api/v1/users/2'],
  ['POST', '/api/v1/users', () => ({ username: `m_${b64url(6).replace(/[^A-Za-z0-9]/g, 'x')}`, role: 'agent' })],
  ['PATCH', '/api/v1/users/3', () => ({ display_name: `受理员二 ${Date.now()}` })],
  ['GET', '/api/v1/tokens'],
  ['POST', '/api/v1/tokens', () => ({ username: 'agent2', name: 'matrix' })],
  ['DELETE', '/api/v1/tokens/{fresh}'],
];

async function freshTokenId() {
  const r = await asToken(srv.url, tokens.admin, 'POST', '/api/v1/tokens', { body: { username: 'agent2', name: 'to revoke' } });
  assert.equal(r.status, 201);
  keep(r.body.token);
  return r.body.id;
}

async function counts() {
  const u = await asToken(srv.url, tokens.admin, 'GET', '/api/v1/users');
  const t = await asToken(srv.url, tokens.admin, 'GET', '/api/v1/tokens');
  return { users: u.body.items.length, tokens: t.body.items.length, revoked: t.body.items.filter((x) => x.revoked).length,
    agent2: u.body.items.find((x) => x.id === 3).display_name };
}

test('role x endpoint matrix: users and tokens are admin-only (403), anonymous 401', async () => {
  for (const [method, path, body] of adminEndpoints) {
    for (const role of ['agent', 'dispatcher', 'supervisor', 'handler']) {
      for (const via of ['session', 'token']) {
        const before_ = await counts();
        const p = path.replace('{fresh}', '1');
        const opts = { body: body ? body() : undefined };
        const r = via === 'session' ? await asSession(srv.url, sessions[role], method, p, opts)
          : await asToken(srv.url, tokens[role], method, p, opts);
        assert.equal(r.status, 403, `${role} via ${via}: ${method} ${p}`);
        assert.equal(errorOf(r).code, 'forbidden');
        assert.deepEqual(await counts(), before_, `${role} via ${via}: ${method} ${p} changed nothing`);
      }
    }
    const anon = await req(srv.url, method, path.replace('{fresh}', '1'), { body: body ? body() : undefined });
    assert.equal(anon.status, 401, `anonymous ${method} ${path}`);
  }
});

test('role x endpoint matrix: the admin may use every one, by session and by token', async () => {
  for (const [method, path, body] of adminEndpoints) {
    for (const via of ['session', 'token']) {
      const p = path.includes('{fresh}') ? path.replace('{fresh}', String(await freshTokenId())) : path;
      const opts = { body: body ? body() : undefined };
      const r = via === 'session' ? await asSession(srv.url, sessions.admin, method, p, opts)
        : await asToken(srv.url, tokens.admin, method, p, opts);
      assert.ok([200, 201, 204].includes(r.status), `admin via ${via}: ${method} ${p} -> ${r.status} ${r.text}`);
      if (r.body && r.body.token) keep(r.body.token);
    }
  }
});

test('CSRF: a cookie request that changes something needs the session\'s X-CSRF-Token', async () => {
  const before_ = await counts();
  const body = { username: 'csrf_victim', role: 'agent', password: keep('csrf-pass-123') };
  const none = await asSession(srv.url, sessions.admin, 'POST', '/api/v1/users', { body, csrf: false });
  assert.equal(none.status, 403);
  assert.equal(errorOf(none).code, 'forbidden');
  const wrong = await asSession(srv.url, sessions.admin, 'POST', '/api/v1/users', { body, csrf: b64url(32) });
  assert.equal(wrong.status, 403);
  // another session's token does not do either
  const other = await asSession(srv.url, sessions.admin, 'POST', '/api/v1/users', { body, csrf: sessions.agent.csrf });
  assert.equal(other.status, 403);
  const patch = await asSession(srv.url, sessions.admin, 'PATCH', '/api/v1/users/3', { body: { display_name: 'csrf' }, csrf: false });
  assert.equal(patch.status, 403);
  assert.deepEqual(await counts(), before_, 'nothing changed');
  // logging out is a change too
  const out = await asSession(srv.url, sessions.agent, 'DELETE', '/api/v1/session', { csrf: false });
  assert.equal(out.status, 403);
  assert.equal((await asSession(srv.url, sessions.agent, 'GET', '/api/v1/me')).status, 200, 'still logged in');
  // reads need none
  assert.equal((await asSession(srv.url, sessions.admin, 'GET', '/api/v1/users', { csrf: false })).status, 200);
  // with the right token: done
  const ok = await asSession(srv.url, sessions.admin, 'POST', '/api/v1/users', { body });
  assert.equal(ok.status, 201, ok.text);
  // a bearer token needs none
  const bearer = await asToken(srv.url, tokens.admin, 'POST', '/api/v1/users', { body: { username: 'csrf_bearer', role: 'admin' } });
  assert.equal(bearer.status, 201, bearer.text);
});

test('logout ends the session for good; everyone may log out', async () => {
  for (const [role, [u, p]] of Object.entries(ROLES)) {
    const s = await login(srv.url, u, p);
    keep(s.cookie.split('=')[1]);
    const out = await asSession(srv.url, s, 'DELETE', '/api/v1/session');
    assert.equal(out.status, 204, role);
    assert.match(out.headers.get('set-cookie'), /gd_session=; .*Max-Age=0/);
    const me = await asSession(srv.url, s, 'GET', '/api/v1/me');
    assert.equal(me.status, 401, `${role}: the old cookie no longer works`);
  }
  assert.equal(sql(srv.db, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'handler_km1'"), '1');
  assert.equal((await req(srv.url, 'DELETE', '/api/v1/session')).status, 401, 'anonymous');
  // a token has no session: logging out with it changes nothing
  assert.equal((await asToken(srv.url, tokens.agent, 'DELETE', '/api/v1/session')).status, 204);
  assert.equal((await asToken(srv.url, tokens.agent, 'GET', '/api/v1/me')).status, 200);
});

test('tokens: created once, listed without secrets, revoked at once', async () => {
  const c = await asToken(srv.url, tokens.admin, 'POST', '/api/v1/tokens', { body: { username: 'dispatcher1', name: 'nightly report' } });
  assert.equal(c.status, 201);
  const secret = keep(c.body.token);
  assert.match(secret, /^gd_[A-Za-z0-9_-]{43}$/);
  assert.equal(c.headers.get('location'), `/api/v1/tokens/${c.body.id}`);
  assert.equal(c.body.user.username, 'dispatcher1');
  assert.ok(secret.startsWith(c.body.prefix));
  const me = await asToken(srv.url, secret, 'GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.user.role, 'dispatcher');

  // last_used_at is a queued write nobody waits for (README: Design): it
  // lands with the writer's next batch, so look until it has
  let list;
  for (let i = 0; i < 40; i++) {
    list = await asToken(srv.url, tokens.admin, 'GET', '/api/v1/tokens');
    if (list.body.items.find((t) => t.id === c.body.id)?.last_used_at) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(list.status, 200);
  assert.ok(!list.text.includes(secret), 'the list holds no secret');
  for (const t of Object.values(tokens)) assert.ok(!list.text.includes(t));
  const row = list.body.items.find((t) => t.id === c.body.id);
  assert.deepEqual(Object.keys(row).sort(), ['created_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked', 'revoked_at', 'user']);
  assert.equal(row.name, 'nightly report');
  assert.equal(row.revoked, false);
  assert.match(row.last_used_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const one = await asToken(srv.url, tokens.admin, 'GET', `/api/v1/tokens/${c.body.id}`);
  assert.equal(one.body.token, undefined);

  const del = await asToken(srv.url, tokens.admin, 'DELETE', `/api/v1/tokens/${c.body.id}`);
  assert.equal(del.status, 204);
  const after_ = await asToken(srv.url, secret, 'GET', '/api/v1/me');
  assert.equal(after_.status, 401, 'revoked: refused at once');
  const again = await asToken(srv.url, tokens.admin, 'DELETE', `/api/v1/tokens/${c.body.id}`);
  assert.equal(again.status, 204, 'revoking twice is harmless');
  const listed = (await asToken(srv.url, tokens.admin, 'GET', `/api/v1/tokens/${c.body.id}`)).body;
  assert.equal(listed.revoked, true);
  assert.ok(listed.revoked_at);
  assert.equal((await asToken(srv.url, tokens.admin, 'DELETE', '/api/v1/tokens/999999')).status, 404);
  assert.equal((await asToken(srv.url, tokens.admin, 'DELETE', '/api/v1/tokens/abc')).status, 404);
  const bad = await asToken(srv.url, tokens.admin, 'POST', '/api/v1/tokens', { body: { username: 'nobody_here' } });
  assert.equal(bad.status, 422);
  assert.ok(errorOf(bad).fields.username);
  // without a username the token is the caller's own
  const own = await asToken(srv.url, tokens.admin, 'POST', '/api/v1/tokens', { body: { name: 'mine' } });
  assert.equal(own.status, 201);
  keep(own.body.token);
  assert.equal(own.body.user.username, 'admin');
});

test('a disabled user: session and token stop at once, login refused', async () => {
  const s = await login(srv.url, 'handler_net2', 'demo-handler_net2');
  keep(s.cookie.split('=')[1]);
  const t = cli(['token', 'create', '--username', 'handler_net2', '--db', srv.db]);
  const token = keep(t.stdout.trim());
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).status, 200);
  assert.equal((await asToken(srv.url, token, 'GET', '/api/v1/me')).status, 200);
  const id = s.user.id;
  const d = await asToken(srv.url, tokens.admin, 'PATCH', `/api/v1/users/${id}`, { body: { disabled: true } });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.disabled, true);
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).status, 401, 'session');
  assert.equal((await asToken(srv.url, token, 'GET', '/api/v1/me')).status, 401, 'token');
  const again = await login(srv.url, 'handler_net2', 'demo-handler_net2', { localAddress: failFrom() });
  assert.equal(again.status, 401, 'cannot log in');
  const tc = cli(['token', 'create', '--username', 'handler_net2', '--db', srv.db]);
  assert.notEqual(tc.status, 0, 'no new token for a disabled user');
  // enabling again: tokens work again, the ended session does not
  const e = await asToken(srv.url, tokens.admin, 'PATCH', `/api/v1/users/${id}`, { body: { disabled: false } });
  assert.equal(e.status, 200);
  assert.equal((await asToken(srv.url, token, 'GET', '/api/v1/me')).status, 200);
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).status, 401);
});

test('forged, truncated and expired cookies and tokens: 401', async () => {
  const s = await login(srv.url, 'agent2', 'demo-agent2');
  const real = s.cookie.split('=')[1];
  keep(real);
  const cookies = [b64url(32), real.slice(0, 42), real + 'A', real.slice(0, 20), '', 'x'.repeat(5000), '%00%ff', `"${b64url(32)}"`];
  for (const c of cookies) {
    const r = await req(srv.url, 'GET', '/api/v1/me', { headers: { cookie: `gd_session=${c}` } });
    assert.equal(r.status, 401, `cookie ${c.slice(0, 50)}`);
    assert.equal(errorOf(r).code, 'unauthorized');
  }
  const toks = [`gd_${b64url(32)}`, tokens.agent.slice(0, -1), tokens.agent + 'x', tokens.agent.slice(3), 'gd_', 'a'.repeat(4000)];
  for (const t of toks) {
    const r = await asToken(srv.url, t, 'GET', '/api/v1/me');
    assert.equal(r.status, 401, `token ${t.slice(0, 50)}`);
  }
  for (const h of ['Basic YWRtaW46ZGVtby1hZG1pbg==', 'Bearer', `Token ${tokens.agent}`]) {
    const r = await req(srv.url, 'GET', '/api/v1/me', { headers: { authorization: h } });
    assert.equal(r.status, 401, h);
  }
  assert.equal((await req(srv.url, 'GET', '/api/v1/me', { headers: { authorization: `bearer ${tokens.agent}` } })).status, 200,
    'the scheme is case-insensitive');

  // idle expiry: last seen more than 8 hours ago
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).status, 200);
  const hash = (x) => `x'${Buffer.from(sha256(x)).toString('hex')}'`;
  sql(srv.db, `UPDATE sessions SET last_seen = strftime('%s','now') - 8*3600 - 5 WHERE id_hash = ${hash(real)}`);
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).status, 401, 'idle');
  assert.equal(sql(srv.db, `SELECT count(*) FROM sessions WHERE id_hash = ${hash(real)}`), '0', 'the expired row is gone');
  // absolute expiry, however active
  const s2 = await login(srv.url, 'agent2', 'demo-agent2');
  const real2 = keep(s2.cookie.split('=')[1]);
  sql(srv.db, `UPDATE sessions SET expires_at = strftime('%s','now') - 1 WHERE id_hash = ${hash(real2)}`);
  const r = await asSession(srv.url, s2, 'GET', '/api/v1/me');
  assert.equal(r.status, 401, 'absolute');
  assert.match(r.headers.get('set-cookie'), /gd_session=; .*Max-Age=0/, 'the stale cookie is cleared');
  // a stale cookie does not stand in the way of logging in again
  const s3 = await login(srv.url, 'agent2', 'demo-agent2', { headers: { cookie: `gd_session=${real2}` } });
  assert.equal(s3.status, 200);
  assert.equal(s3.res.headers['set-cookie'].length, 1, 'one Set-Cookie: the new session');
  assert.notEqual(s3.cookie, `gd_session=${real2}`);
  keep(s3.cookie.split('=')[1]);
  assert.equal((await asSession(srv.url, s3, 'GET', '/api/v1/me')).status, 200);
});

import { createHash } from 'node:crypto';
function sha256(s) { return createHash('sha256').update(s).digest(); }

test('only hashes are stored: sessions by SHA-256, tokens by SHA-256 and a prefix', async () => {
  const s = await login(srv.url, 'supervisor1', 'demo-supervisor1');
  const id = keep(s.cookie.split('=')[1]);
  assert.equal(sql(srv.db, `SELECT count(*) FROM sessions WHERE id_hash = x'${sha256(id).toString('hex')}'`), '1');
  assert.equal(sql(srv.db, `SELECT count(*) FROM api_tokens WHERE token_hash = x'${sha256(tokens.handler).toString('hex')}'`), '1');
  assert.match(sql(srv.db, "SELECT password_hash FROM users WHERE username = 'agent1'"),
    /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  const salts = sql(srv.db, "SELECT count(DISTINCT substr(password_hash, 1, 40)) = count(*) FROM users WHERE password_hash IS NOT NULL");
  assert.equal(salts, '1', 'every user has its own salt');
});

test('wrong password and unknown user get the same 401', async () => {
  const a = await login(srv.url, 'agent1', 'not-the-password', { localAddress: failFrom() });
  const b = await login(srv.url, 'no_such_user', 'not-the-password', { localAddress: failFrom() });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.res.text, b.res.text);
  assert.equal(a.setCookie, '');
});

test('bad login input: 400 malformed or oversized, 415 wrong type, 422 missing fields', async () => {
  const post = (raw, headers = { 'content-type': 'application/json' }) => req(srv.url, 'POST', '/api/v1/session', { raw, headers });
  assert.equal((await post('{"username": "agent1", "password": ')).status, 400);
  assert.equal((await post('[1,2]')).status, 400);
  assert.equal((await post('{"username":"agent1","password":"demo-agent1"}', { 'content-type': 'text/plain' })).status, 415);
  let r = await post('{"username":"agent1"}');
  assert.equal(r.status, 422);
  assert.equal(errorOf(r).fields.password, 'required');
  r = await post('{"username":7,"password":["x"]}');
  assert.equal(r.status, 422);
  assert.ok(errorOf(r).fields.username && errorOf(r).fields.password);
  r = await post('{"username":"agent1","password":"demo-agent1","remember":true}');
  assert.equal(r.status, 422);
  assert.equal(errorOf(r).fields.remember, 'unknown field');
  r = await post(JSON.stringify({ username: 'u'.repeat(65), password: 'x' }));
  assert.equal(r.status, 400, 'username over 64 bytes');
  r = await post(JSON.stringify({ username: 'agent1', password: 'p'.repeat(1025) }));
  assert.equal(r.status, 400, 'password over 1024 bytes');
  r = await post(JSON.stringify({ username: 'agent1', password: 'p'.repeat(900000) }));
  assert.equal(r.status, 400, 'a huge password is refused unhashed');
  // none of these counted as a failed login: 127.0.0.1 can still log in
  const s = await login(srv.url, 'agent1', 'demo-agent1');
  assert.equal(s.status, 200);
  keep(s.cookie.split('=')[1]);
  assert.doesNotMatch(srv.stderr(), /login failed: user 'agent1' from 127\.0\.0\.1$/m);
});

test('users API: create, validate role and department, list, show', async () => {
  const post = (body) => asToken(srv.url, tokens.admin, 'POST', '/api/v1/users', { body });
  const fieldsOf = async (body) => { const r = await post(body); assert.equal(r.status, 422, JSON.stringify(body) + r.text); return errorOf(r).fields; };
  assert.ok((await fieldsOf({ username: 'h1', role: 'handler' })).department, 'a handler needs a department');
  assert.ok((await fieldsOf({ username: 'h1', role: 'handler', department: 'PCSC' })).department, 'a handling one');
  assert.ok((await fieldsOf({ username: 'a1', role: 'agent', department: 'NET' })).department, 'agents: centre');
  assert.ok((await fieldsOf({ username: 'd1', role: 'dispatcher', department: 'KM' })).department);
  assert.ok((await fieldsOf({ username: 's1', role: 'supervisor', department: 'VAS' })).department);
  assert.ok((await fieldsOf({ username: 'x1', role: 'handler', department: 'NOPE' })).department, 'unknown code');
  assert.ok((await fieldsOf({ username: 'x1', role: 'boss' })).role);
  assert.ok((await fieldsOf({ username: 'x1' })).role);
  assert.ok((await fieldsOf({ role: 'admin' })).username);
  assert.ok((await fieldsOf({ username: 'bad name', role: 'admin' })).username);
  assert.ok((await fieldsOf({ username: 'n'.repeat(64), role: 'admin' })).username);
  assert.ok((await fieldsOf({ username: 'agent1', role: 'agent' })).username, 'taken');
  assert.ok((await fieldsOf({ username: 'p1', role: 'admin', password: 'short' })).password);
  assert.ok((await fieldsOf({ username: 'p1', role: 'admin', password: 12345678 })).password);
  assert.ok((await fieldsOf({ username: 'p1', role: 'admin', is_admin: true })).is_admin);
  const many = await fieldsOf({ username: '', role: 'boss', display_name: 'x'.repeat(65) });
  assert.ok(many.username && many.role && many.display_name, 'every bad field is named');

  const pw = keep('handler-pass-9');
  const c = await post({ username: 'wang.wu', role: 'handler', department: 'BILL', display_name: '王五', password: pw });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.headers.get('location'), `/api/v1/users/${c.body.id}`);
  assert.deepEqual({ ...c.body, id: 0, created_at: '' }, {
    id: 0, username: 'wang.wu', display_name: '王五', role: 'handler', department: 'BILL',
    department_name: '计费结算中心', disabled: false, created_at: '',
  });
  const a = await post({ username: 'agent9', role: 'agent' });
  assert.equal(a.status, 201);
  assert.equal(a.body.department, 'PCSC', 'centre roles default to PCSC');
  assert.equal(a.body.display_name, 'agent9');
  const adm = await post({ username: 'admin2', role: 'admin' });
  assert.equal(adm.body.department, null);
  assert.equal((await login(srv.url, 'wang.wu', pw)).status, 200);

  const list = await asToken(srv.url, tokens.admin, 'GET', '/api/v1/users');
  assert.ok(list.body.items.some((u) => u.username === 'wang.wu'));
  assert.ok(!list.text.includes('scrypt'));
  const one = await asToken(srv.url, tokens.admin, 'GET', `/api/v1/users/${c.body.id}`);
  assert.equal(one.body.username, 'wang.wu');
  assert.equal((await asToken(srv.url, tokens.admin, 'GET', '/api/v1/users/99999')).status, 404);
  assert.equal((await asToken(srv.url, tokens.admin, 'GET', '/api/v1/users/x1')).status, 404);
});

test('users API: change role, department, display name; reset a password', async () => {
  const pw = keep('first-pass-1');
  const c = await asToken(srv.url, tokens.admin, 'POST', '/api/v1/users', { body: { username: 'li.si', role: 'agent', password: pw } });
  assert.equal(c.status, 201);
  const id = c.body.id;
  const patch = (body, token = tokens.admin) => asToken(srv.url, token, 'PATCH', `/api/v1/users/${id}`, { body });
  let r = await patch({ role: 'handler' });
  assert.equal(r.status, 422, 'a handler in PCSC');
  assert.ok(errorOf(r).fields.department);
  r = await patch({ role: 'handler', department: 'NET' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.role, 'handler');
  assert.equal(r.body.department, 'NET');
  r = await patch({ role: 'dispatcher', department: 'PCSC', display_name: '李四' });
  assert.equal(r.status, 200);
  assert.equal(r.body.display_name, '李四');
  r = await patch({ role: 'admin', department: null });
  assert.equal(r.status, 200);
  assert.equal(r.body.department, null);
  for (const bad of [{ role: 7 }, { disabled: 'yes' }, { department: 5 }, { display_name: '' }, { password: 'short' }, { username: 'x' }]) {
    r = await patch({ ...bad });
    assert.equal(r.status, 422, JSON.stringify(bad));
  }
  assert.equal((await patch({ role: 'agent', department: 'PCSC' })).status, 200);

  // the user's session sees the new role at once
  const s = await login(srv.url, 'li.si', pw);
  keep(s.cookie.split('=')[1]);
  assert.equal(s.user.role, 'agent');
  assert.equal((await patch({ role: 'supervisor' })).status, 200);
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).body.user.role, 'supervisor');

  // a password reset ends the sessions and changes the password
  const pw2 = keep('second-pass-2');
  r = await patch({ password: pw2 });
  assert.equal(r.status, 200);
  assert.equal((await asSession(srv.url, s, 'GET', '/api/v1/me')).status, 401, 'old session ended');
  assert.equal((await login(srv.url, 'li.si', pw, { localAddress: failFrom() })).status, 401, 'old password');
  assert.equal((await login(srv.url, 'li.si', pw2)).status, 200, 'new password');

  // an admin cannot lock itself out
  const me = (await asToken(srv.url, tokens.admin, 'GET', '/api/v1/me')).body.user.id;
  r = await asToken(srv.url, tokens.admin, 'PATCH', `/api/v1/users/${me}`, { body: { disabled: true } });
  assert.equal(r.status, 422);
  r = await asToken(srv.url, tokens.admin, 'PATCH', `/api/v1/users/${me}`, { body: { role: 'agent', department: 'PCSC' } });
  assert.equal(r.status, 422);
  assert.equal((await asToken(srv.url, tokens.admin, 'PATCH', '/api/v1/users/424242', { body: { display_name: 'x' } })).status, 404);
});

test('CLI: user add and token create', async () => {
  const pw = keep('cli-password-1');
  let r = cli(['user', 'add', '--username', 'cli_handler', '--role', 'handler', '--department', 'VAS', '--password-stdin', '--db', srv.db], pw + '\n');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(pw));
  const s = await login(srv.url, 'cli_handler', pw);
  assert.equal(s.status, 200);
  keep(s.cookie.split('=')[1]);
  assert.equal(s.user.department, 'VAS');
  r = cli(['user', 'add', '--username', 'cli_bad', '--role', 'handler', '--db', srv.db]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /department/);
  r = cli(['user', 'add', '--username', 'cli_handler', '--role', 'agent', '--db', srv.db]);
  assert.notEqual(r.status, 0, 'taken');
  r = cli(['user', 'add', '--username', 'cli_gen', '--role', 'agent', '--db', srv.db]);
  assert.equal(r.status, 0);
  const gen = r.stdout.match(/password \(shown only now\): (\S+)/)[1];
  keep(gen);
  assert.equal((await login(srv.url, 'cli_gen', gen)).status, 200, 'a generated password works');
  r = cli(['token', 'create', '--username', 'nobody_x', '--db', srv.db]);
  assert.notEqual(r.status, 0);
  r = cli(['user', 'add', '--username', 'x', '--role', 'admin', '--db', srv.dir + '/missing.db']);
  assert.notEqual(r.status, 0, 'no database');
  assert.ok(!existsSync(srv.dir + '/missing.db'), 'and none was created');
  r = cli(['token', 'create', '--db', srv.db]);
  assert.equal(r.status, 2);
});

test('init --demo again is harmless and prints the logins again', async () => {
  const before_ = sql(srv.db, 'SELECT group_concat(id || username || password_hash) FROM users');
  const r = cli(['init', '--db', srv.db, '--demo']);
  assert.equal(r.status, 0, r.stderr);
  for (const [u, p] of Object.values(ROLES)) assert.match(r.stdout, new RegExp(`${u}\\s+${p}\\s`));
  assert.match(r.stdout, /handler_km1\s+demo-handler_km1\s+handler\s+KM/);
  assert.equal(sql(srv.db, 'SELECT group_concat(id || username || password_hash) FROM users'), before_);
});

// Last: everything above used these secrets; none may be stored or logged.
test('no clear-text password, token or session id in the database files or the log', async () => {
  assert.ok(secrets.size > 30, `collected ${secrets.size} secrets`);
  const stopped = await srv.stop();
  assert.equal(stopped.code, 0);
  const files = [srv.db, srv.db + '-wal', srv.db + '-shm'].filter((f) => existsSync(f));
  const blobs = files.map((f) => [f, readFileSync(f)]).concat([['stderr', Buffer.from(srv.stderr())]]);
  assert.ok(srv.stderr().includes('login ok'), 'logins are logged');
  assert.ok(srv.stderr().includes('login failed'), 'failed logins are logged');
  for (const s of secrets) {
    for (const [name, data] of blobs) assert.equal(data.indexOf(s), -1, `${s.slice(0, 12)}... found in ${name}`);
  }
});
