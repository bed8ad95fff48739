// auth_throttle.test.mjs - login throttling: 5 failed logins for one
// username (from anywhere) or from one address (for any usernames) within
// 15 minutes answer 429 with Retry-After; a successful login clears the
// username's count. Requests come from chosen loopback addresses
// (127.0.0.x) so the two counts can be told apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, errorOf } from './lib.mjs';
import { login } from './auth-lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

function assertThrottled(r, what) {
  assert.equal(r.status, 429, what);
  assert.equal(errorOf(r.res).code, 'too_many_requests');
  const after_ = Number(r.res.headers['retry-after']);
  assert.ok(Number.isInteger(after_) && after_ > 0 && after_ <= 900, `Retry-After ${r.res.headers['retry-after']}`);
  assert.equal(r.setCookie, '');
}

test('per user: 5 failures from 5 addresses lock the username, not the addresses', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await login(srv.url, 'agent1', `wrong-${i}`, { localAddress: `127.0.0.${20 + i}` });
    assert.equal(r.status, 401, `failure ${i + 1}`);
  }
  // even the right password, from a fresh address: refused unhashed
  assertThrottled(await login(srv.url, 'agent1', 'demo-agent1', { localAddress: '127.0.0.30' }), 'user locked');
  // other users, and the same addresses, are unaffected
  assert.equal((await login(srv.url, 'agent2', 'demo-agent2', { localAddress: '127.0.0.20' })).status, 200);
  assert.match(srv.stderr(), /login throttled: user 'agent1'/);
});

test('per address: 5 failures for different usernames lock the address, not the users', async () => {
  const addr = '127.0.0.40';
  for (const u of ['dispatcher1', 'ghost1', 'ghost2', 'ghost3', 'ghost4']) {
    assert.equal((await login(srv.url, u, 'wrong-password', { localAddress: addr })).status, 401, u);
  }
  assertThrottled(await login(srv.url, 'supervisor1', 'demo-supervisor1', { localAddress: addr }), 'address locked');
  // the same user from another address is fine: one failure is not five
  assert.equal((await login(srv.url, 'dispatcher1', 'demo-dispatcher1', { localAddress: '127.0.0.41' })).status, 200);
});

test('a successful login clears the username\'s failures', async () => {
  let a = 50;
  for (let i = 0; i < 4; i++) assert.equal((await login(srv.url, 'handler_vas1', 'wrong', { localAddress: `127.0.0.${a++}` })).status, 401);
  assert.equal((await login(srv.url, 'handler_vas1', 'demo-handler_vas1', { localAddress: `127.0.0.${a++}` })).status, 200);
  for (let i = 0; i < 4; i++) assert.equal((await login(srv.url, 'handler_vas1', 'wrong', { localAddress: `127.0.0.${a++}` })).status, 401);
  // eight failures in the window, but only four since the success
  assert.equal((await login(srv.url, 'handler_vas1', 'demo-handler_vas1', { localAddress: `127.0.0.${a++}` })).status, 200);
  // and a fifth failure now locks it
  assert.equal((await login(srv.url, 'handler_vas1', 'wrong', { localAddress: `127.0.0.${a++}` })).status, 401);
  for (let i = 0; i < 4; i++) await login(srv.url, 'handler_vas1', 'wrong', { localAddress: `127.0.0.${a++}` });
  assertThrottled(await login(srv.url, 'handler_vas1', 'demo-handler_vas1', { localAddress: `127.0.0.${a++}` }), 'locked again');
});

test('the log names users and addresses, never passwords', async () => {
  const log = srv.stderr();
  assert.match(log, /login failed: user 'ghost1' from 127\.0\.0\.40/);
  assert.match(log, /login ok: user 'agent2'/);
  for (const p of ['wrong-password', 'demo-agent1', 'demo-agent2', 'wrong-0']) assert.ok(!log.includes(p), p);
});
