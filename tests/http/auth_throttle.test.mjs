// auth_throttle.test.mjs - login throttling an attacker cannot turn against
// a user (issue 10): 5 failures for one username from one address lock that
// pair for 15 minutes; failures for a username from anywhere only slow it
// down (1 s doubling to 60 s), and failures from one address for many
// usernames slow that address down after 20; a success clears its pair and
// its username. Behind --trusted-proxy the client is the one
// X-Forwarded-For names. Requests come from chosen loopback addresses
// (127.0.0.x). The flood that must not evict a lock is in test_throttle.c
// (16,000 failed logins through HTTP would be 16,000 scrypt hashes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopClean, errorOf, rawExchange, statusLines } from './lib.mjs';
import { login } from './auth-lib.mjs';

let srv;
before(async () => { srv = await startServer({ args: ['--trusted-proxy', '127.0.0.5/32'] }); });
after(async () => { await stopClean(srv); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function retryAfter(r) {
  return Number(r.res.headers['retry-after']);
}

function assertThrottled(r, what, max = 900) {
  assert.equal(r.status, 429, what);
  assert.equal(errorOf(r.res).code, 'too_many_requests');
  const s = retryAfter(r);
  assert.ok(Number.isInteger(s) && s > 0 && s <= max, `Retry-After ${r.res.headers['retry-after']}`);
  assert.equal(r.setCookie, '');
}

// Logs in once Retry-After has passed (as a person trying again would).
async function loginWhenAllowed(user, password, opts) {
  for (let i = 0; i < 4; i++) {
    const r = await login(srv.url, user, password, opts);
    if (r.status !== 429) return r;
    await sleep(retryAfter(r) * 1000 + 100);
  }
  return login(srv.url, user, password, opts);
}

test('5 failures from one address lock that address out for the user; the user elsewhere only waits a moment', async () => {
  const from = { localAddress: '127.0.0.20' };
  for (let i = 0; i < 5; i++) assert.equal((await login(srv.url, 'agent1', `wrong-${i}`, from)).status, 401, `failure ${i + 1}`);
  // the right password from that address: refused unhashed, for the rest of the window
  assertThrottled(await login(srv.url, 'agent1', 'demo-agent1', from), 'the pair is locked');
  assert.ok(retryAfter(await login(srv.url, 'agent1', 'demo-agent1', from)) > 60, 'the pair waits out the window');
  // from anywhere else the user gets in once the short per-user delay passes
  const elsewhere = await loginWhenAllowed('agent1', 'demo-agent1', { localAddress: '127.0.0.21' });
  assert.equal(elsewhere.status, 200);
  // other users from the locked address are fine
  assert.equal((await login(srv.url, 'agent2', 'demo-agent2', from)).status, 200);
  assert.match(srv.stderr(), /login throttled: user 'agent1' from 127\.0\.0\.20/);
});

test('failures for one user from many addresses slow it down progressively, never lock it', async () => {
  let a = 30;
  for (let i = 0; i < 7; i++) {
    const r = await loginWhenAllowed('dispatcher1', 'wrong-password', { localAddress: `127.0.0.${a++}` });
    assert.equal(r.status, 401);
  }
  // 7 failures: the next attempt waits 1 s doubled twice, from wherever it comes
  const r = await login(srv.url, 'dispatcher1', 'demo-dispatcher1', { localAddress: `127.0.0.${a++}` });
  assertThrottled(r, 'slowed', 60);
  assert.ok(retryAfter(r) <= 4, `Retry-After ${retryAfter(r)}`);
  assert.equal((await loginWhenAllowed('dispatcher1', 'demo-dispatcher1', { localAddress: `127.0.0.${a++}` })).status, 200);
});

test('one address failing for 20 usernames is slowed down; other addresses are not', async () => {
  const from = { localAddress: '127.0.0.40' };
  // attempts back to back: the first 20 fail normally, then the delays
  // (1 s, 2 s, 4 s …) catch up with them
  let first429 = 0;
  for (let i = 1; i <= 30 && !first429; i++) {
    const r = await login(srv.url, `ghost${i}`, 'wrong-password', from);
    if (r.status === 429) {
      first429 = i;
      assertThrottled(r, 'address slowed', 60);
    } else {
      assert.equal(r.status, 401);
    }
  }
  assert.ok(first429 > 20, `the first 429 came at attempt ${first429}`);
  assert.equal((await login(srv.url, 'supervisor1', 'demo-supervisor1', { localAddress: '127.0.0.41' })).status, 200);
});

test('a successful login clears the username and its pair', async () => {
  const from = { localAddress: '127.0.0.50' };
  for (let i = 0; i < 4; i++) assert.equal((await login(srv.url, 'handler_vas1', 'wrong', from)).status, 401);
  assert.equal((await login(srv.url, 'handler_vas1', 'demo-handler_vas1', from)).status, 200);
  for (let i = 0; i < 4; i++) assert.equal((await login(srv.url, 'handler_vas1', 'wrong', from)).status, 401);
  // eight failures in the window, but only four since the success
  assert.equal((await login(srv.url, 'handler_vas1', 'demo-handler_vas1', from)).status, 200);
});

test('behind a trusted proxy, X-Forwarded-For names the client: one client\'s failures lock only that client', async () => {
  const proxy = (client) => ({ localAddress: '127.0.0.5', headers: { 'x-forwarded-for': client } });
  for (let i = 0; i < 5; i++) assert.equal((await login(srv.url, 'handler_net1', 'wrong', proxy('203.0.113.7'))).status, 401);
  assertThrottled(await login(srv.url, 'handler_net1', 'demo-handler_net1', proxy('203.0.113.7')), 'that client');
  // another client behind the same proxy gets in (after the short per-user delay)
  assert.equal((await loginWhenAllowed('handler_net1', 'demo-handler_net1', proxy('203.0.113.8'))).status, 200);
  assert.match(srv.stderr(), /login failed: user 'handler_net1' from 203\.0\.113\.7/);
  // hops: the proxy appends what it saw; the right-most untrusted one is the client
  assert.equal((await login(srv.url, 'ghost-hop', 'wrong', proxy('198.51.100.1, 127.0.0.5'))).status, 401);
  assert.match(srv.stderr(), /login failed: user 'ghost-hop' from 198\.51\.100\.1/);
  // from an address that is not a trusted proxy, X-Forwarded-For is ignored
  const forged = { localAddress: '127.0.0.6', headers: { 'x-forwarded-for': '192.0.2.99' } };
  assert.equal((await login(srv.url, 'ghost-forged', 'wrong', forged)).status, 401);
  assert.match(srv.stderr(), /login failed: user 'ghost-forged' from 127\.0\.0\.6/);
  assert.doesNotMatch(srv.stderr(), /192\.0\.2\.99/);
});

test('a trusted proxy may hold more connections than one address may', async () => {
  const { port } = new URL(srv.url);
  const net = await import('node:net');
  const socks = await Promise.all(Array.from({ length: 200 }, () => new Promise((resolve) => {
    const s = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: '127.0.0.5' }, () => resolve(s));
    s.on('error', () => resolve(s));
  })));
  const r = await rawExchange(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { localAddress: '127.0.0.5' });
  assert.match(statusLines(r.text)[0], / 200 /);
  socks.forEach((s) => s.destroy());
});

test('the log names users and addresses, never passwords', async () => {
  const log = srv.stderr();
  assert.match(log, /login failed: user 'ghost2' from 127\.0\.0\.40/);
  assert.match(log, /login ok: user 'agent2'/);
  for (const p of ['wrong-password', 'demo-agent1', 'demo-agent2', 'wrong-0']) assert.ok(!log.includes(p), p);
});
