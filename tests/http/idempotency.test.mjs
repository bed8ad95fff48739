// idempotency.test.mjs - Idempotency-Key on POST /api/v1/tickets and the
// ticket actions (issue 12): a retry with the same key, user and body gets
// the first answer (status, body, ETag) and changes nothing - also across a
// restart and after a kill -9 between the commit and the answer; the same
// key with another request answers 422; keys expire after 24 hours; bad
// keys answer 400 and change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, clients, netTicket, errorOf, sql, stopClean, cli } from './lib.mjs';
import { freshFault, ticketIn, history, act, inputsFor, sleep } from './workflow-lib.mjs';

let srv, u;
before(async () => { srv = await startServer(); u = clients(srv); });
after(async () => { await stopClean(srv); });

const key = (() => { let n = 0; return (tag = 'k') => `${tag}-${process.pid}-${++n}-${Date.now()}`; })();
const ticketsWith = (db, fault) => Number(sql(db, `SELECT count(*) FROM tickets WHERE fault_number = '${fault}'`));

// The parts of an answer a retry must repeat.
function answerOf(r) {
  return { status: r.status, text: r.text, etag: r.headers.get('etag'), location: r.headers.get('location') };
}

test('a retried create gets the first answer byte for byte, and no second ticket', async () => {
  const k = key('create');
  const body = netTicket({ fault_number: freshFault(), submit: true });
  const first = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  assert.match(first.headers.get('location'), /^\/api\/v1\/tickets\/TS\d{14}$/);
  // the same body with its members in another order is the same request
  const reordered = Object.fromEntries(Object.entries(body).reverse());
  for (const again of [body, reordered]) {
    const r = await u.agent1.post('/api/v1/tickets', again, { 'idempotency-key': k });
    assert.deepEqual(answerOf(r), answerOf(first));
    assert.equal(r.headers.get('idempotent-replayed'), 'true');
  }
  assert.equal(ticketsWith(srv.db, body.fault_number), 1);
  // the ticket moved on since; the retry still answers as the first time
  await act(u.agent1, first.body.number, 'urge', {});
  const late = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
  assert.equal(late.text, first.text);
});

test('the same key with another body or path answers 422 and writes nothing', async () => {
  const k = key('other');
  const body = netTicket({ fault_number: freshFault() });
  assert.equal((await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k })).status, 201);
  const other = { ...body, subject: '另一个主题' };
  const r = await u.agent1.post('/api/v1/tickets', other, { 'idempotency-key': k });
  assert.equal(r.status, 422, r.text);
  const e = errorOf(r);
  assert.equal(e.code, 'validation_failed');
  assert.ok(e.fields['Idempotency-Key'], r.text);
  assert.equal(ticketsWith(srv.db, body.fault_number), 1);
  // another route with the same key is another request too
  const t = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault() }));
  const urge = await act(u.agent1, t.body.number, 'urge', {}, { 'idempotency-key': k });
  assert.equal(urge.status, 422, urge.text);
  assert.equal((await u.agent1.get(`/api/v1/tickets/${t.body.number}`)).body.urge_count, 0);
});

test('keys belong to their user: the same key from another user is a new request', async () => {
  const k = key('users');
  const a = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault() }), { 'idempotency-key': k });
  const b = await u.agent2.post('/api/v1/tickets', netTicket({ fault_number: freshFault() }), { 'idempotency-key': k });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.notEqual(a.body.number, b.body.number);
  assert.equal(b.headers.get('idempotent-replayed'), null);
});

test('a bad key answers 400 and changes nothing; other writes refuse a key', async () => {
  const fault = freshFault();
  const body = netTicket({ fault_number: fault });
  const bad = ['x'.repeat(201), 'tab\there', '', ' '.repeat(201)];
  for (const k of bad) {
    const r = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
    assert.equal(r.status, 400, `key ${JSON.stringify(k)}: ${r.text}`);
    assert.ok(errorOf(r).fields['Idempotency-Key'] || /Idempotency-Key/.test(errorOf(r).message), r.text);
  }
  // control characters and bytes above ASCII, sent raw (fetch will not send them)
  const net = await import('node:net');
  for (const raw of [Buffer.from('ab\x01cd', 'latin1'), Buffer.from('密钥', 'utf8')]) {
    const { port } = new URL(srv.url);
    const payload = Buffer.from(JSON.stringify(body));
    const answer = await new Promise((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write(Buffer.concat([Buffer.from(`POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
          `Authorization: Bearer ${u.agent1.token}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${payload.length}\r\nIdempotency-Key: `), raw, Buffer.from('\r\n\r\n'), payload]));
      });
      let got = '';
      s.on('data', (d) => { got += d.toString('latin1'); });
      s.on('close', () => resolve(got));
    });
    assert.match(answer, /^HTTP\/1\.1 400 /, answer.slice(0, 300));
  }
  assert.equal(ticketsWith(srv.db, fault), 0);
  // 200 printable characters are fine
  const k200 = ('k' + process.pid + '~!@#$%^&*()_+= ').padEnd(200, 'z');
  assert.equal((await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k200 })).status, 201);
  assert.equal((await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k200 })).headers.get('idempotent-replayed'), 'true');
  assert.equal(ticketsWith(srv.db, fault), 1);
  // a write that does not take a key says so instead of letting it pass
  const phrases = Number(sql(srv.db, 'SELECT count(*) FROM phrases'));
  const p = await u.admin.post('/api/v1/phrases', { kind: 'greeting', text: '您好' }, { 'idempotency-key': key() });
  assert.equal(p.status, 400, p.text);
  assert.match(errorOf(p).message, /does not take an Idempotency-Key/);
  assert.equal(Number(sql(srv.db, 'SELECT count(*) FROM phrases')), phrases);
  // reads ignore it
  assert.equal((await u.agent1.get('/api/v1/me', undefined, { 'idempotency-key': key() })).status, 200);
});

test('a request refused before writing (422 validation) leaves the key free for the corrected one', async () => {
  const k = key('fix');
  const fault = freshFault();
  const wrong = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: fault, subject: '' }), { 'idempotency-key': k });
  assert.equal(wrong.status, 422);
  const right = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: fault }), { 'idempotency-key': k });
  assert.equal(right.status, 201, right.text);
  assert.equal(right.headers.get('idempotent-replayed'), null);
});

test('actions: a retried accept answers 200 again with the same ETag, one history row; a refusal is kept too', async () => {
  const t = await ticketIn(u, 'dispatched');
  const k = key('accept');
  const first = await act(u.handler_net1, t.number, 'accept', {}, { 'idempotency-key': k });
  assert.equal(first.status, 200, first.text);
  const again = await act(u.handler_net1, t.number, 'accept', {}, { 'idempotency-key': k });
  assert.deepEqual(answerOf(again), answerOf(first));
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal((await history(u.agent1, t.number)).filter((h) => h.action === 'accept').length, 1);
  // without a key the same accept is refused: the state moved on
  assert.equal((await act(u.handler_net1, t.number, 'accept', {})).status, 409);
  // a refusal by the engine is the answer the key keeps
  const k2 = key('refused');
  const no = await act(u.handler_net2, t.number, 'accept', {}, { 'idempotency-key': k2 });
  assert.equal(no.status, 409, no.text);
  const noAgain = await act(u.handler_net2, t.number, 'accept', {}, { 'idempotency-key': k2 });
  assert.equal(noAgain.status, 409);
  assert.equal(noAgain.text, no.text);
  assert.equal(noAgain.headers.get('idempotent-replayed'), 'true');
  // and If-Match is honoured on the first run
  const k3 = key('stale');
  const stale = await act(u.handler_net1, t.number, 'reply', inputsFor('reply'), { 'idempotency-key': k3, 'if-match': '"1"' });
  assert.equal(stale.status, 412, stale.text);
});

test('concurrent requests with one key: exactly one ticket, and every answer is its answer', async () => {
  const k = key('race');
  const body = netTicket({ fault_number: freshFault() });
  const answers = await Promise.all(Array.from({ length: 12 }, () =>
    u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k })));
  for (const r of answers) assert.equal(r.status, 201, r.text);
  const numbers = new Set(answers.map((r) => r.body.number));
  assert.equal(numbers.size, 1, [...numbers].join(' '));
  assert.equal(new Set(answers.map((r) => r.text)).size, 1);
  assert.equal(answers.filter((r) => r.headers.get('idempotent-replayed') === null).length, 1);
  assert.equal(ticketsWith(srv.db, body.fault_number), 1);
  // the same for an action on one ticket
  const t = await ticketIn(u, 'in_progress');
  const kc = key('race-comment');
  const c = await Promise.all(Array.from({ length: 8 }, () =>
    act(u.handler_net1, t.number, 'comment', inputsFor('comment'), { 'idempotency-key': kc })));
  for (const r of c) assert.equal(r.status, 200, r.text);
  assert.equal((await history(u.agent1, t.number)).filter((h) => h.action === 'comment').length, 1);
});

test('keys expire after 24 hours: then the key is a new request, and the server deletes old ones', async () => {
  const k = key('old');
  const body = netTicket({ fault_number: freshFault() });
  const first = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
  assert.equal(first.status, 201);
  // a day and a second ago
  sql(srv.db, `UPDATE idempotency_keys SET created_at = created_at - 86401 WHERE key = '${k}'`);
  const later = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
  assert.equal(later.status, 201, later.text);
  assert.equal(later.headers.get('idempotent-replayed'), null);
  assert.notEqual(later.body.number, first.body.number);
  assert.equal(ticketsWith(srv.db, body.fault_number), 2);
  // just inside the day it still answers as before
  sql(srv.db, `UPDATE idempotency_keys SET created_at = created_at - 86000 WHERE key = '${k}'`);
  assert.equal((await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k })).text, later.text);
  // the periodic sweep deletes expired keys (a separate server, sweeping every second)
  const s2 = await startServer({ args: ['--sla-interval', '1'] });
  const a = clients(s2, ['agent1']).agent1;
  const ks = [key('gone'), key('gone')];
  for (const x of ks) assert.equal((await a.post('/api/v1/tickets', netTicket({ fault_number: freshFault() }), { 'idempotency-key': x })).status, 201);
  sql(s2.db, `UPDATE idempotency_keys SET created_at = created_at - 90000 WHERE key = '${ks[0]}'`);
  let left;
  for (let i = 0; i < 100; i++) {
    left = sql(s2.db, 'SELECT key FROM idempotency_keys ORDER BY key');
    if (!left.includes(ks[0])) break;
    await sleep(100);
  }
  assert.ok(!left.includes(ks[0]), 'the expired key is still there');
  assert.ok(left.includes(ks[1]), 'a fresh key was deleted');
  await stopClean(s2);
});

test('a retry after a restart gets the first answer', async () => {
  const s1 = await startServer({ keep: true });
  const a = clients(s1, ['agent1']).agent1;
  const k = key('restart');
  const body = netTicket({ fault_number: freshFault() });
  const first = await a.post('/api/v1/tickets', body, { 'idempotency-key': k });
  assert.equal(first.status, 201);
  await s1.stop();
  const s2 = await startServer({ dir: s1.dir, keep: true });
  const again = await req2(s2, a.token, body, k);
  assert.deepEqual(answerOf(again), answerOf(first));
  assert.equal(ticketsWith(s2.db, body.fault_number), 1);
  await stopClean(s2);
  rmSync(s1.dir, { recursive: true, force: true });
});

async function req2(s, token, body, k) {
  const r = await fetch(s.url + '/api/v1/tickets', { method: 'POST', body: JSON.stringify(body), headers: {
    authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': k } });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

// GONGDAN_TEST_KILL_AFTER_COMMIT=KEY: the server SIGKILLs itself after the
// commit of that key's write, before answering it.
test('kill -9 between the commit and the answer: the retry gets the committed answer, nothing twice', async () => {
  const k = key('crash');
  const s1 = await startServer({ keep: true, env: { GONGDAN_TEST_KILL_AFTER_COMMIT: k } });
  const a = clients(s1, ['agent1']).agent1;
  const body = netTicket({ fault_number: freshFault(), submit: true });
  const lost = await a.post('/api/v1/tickets', body, { 'idempotency-key': k }).then((r) => r, (e) => e);
  assert.ok(lost instanceof Error, `the first request was answered: ${lost.status} ${lost.text}`);
  const died = await s1.stop();
  assert.equal(died.signal, 'SIGKILL', JSON.stringify(died));
  assert.match(s1.stderr(), /killed after the commit/);
  const s2 = await startServer({ dir: s1.dir, keep: true });
  const again = await req2(s2, a.token, body, k);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const t = JSON.parse(again.text);
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(again.headers.get('etag'), `"${t.version}"`);
  assert.equal(ticketsWith(s2.db, body.fault_number), 1);
  // the same for an action, on the restarted server
  await s2.stop();
  const u2 = { agent1: a };
  const ka = key('crash-action');
  const s3 = await startServer({ dir: s1.dir, keep: true, env: { GONGDAN_TEST_KILL_AFTER_COMMIT: ka } });
  const lostAction = await fetch(`${s3.url}/api/v1/tickets/${t.number}/actions/urge`, { method: 'POST', body: '{}',
    headers: { authorization: `Bearer ${u2.agent1.token}`, 'content-type': 'application/json', 'idempotency-key': ka } })
    .then((r) => r.status, (e) => e);
  assert.ok(lostAction instanceof Error, `the action was answered: ${lostAction}`);
  assert.equal((await s3.stop()).signal, 'SIGKILL');
  const s4 = await startServer({ dir: s1.dir, keep: true });
  const retry = await fetch(`${s4.url}/api/v1/tickets/${t.number}/actions/urge`, { method: 'POST', body: '{}',
    headers: { authorization: `Bearer ${u2.agent1.token}`, 'content-type': 'application/json', 'idempotency-key': ka } });
  assert.equal(retry.status, 200);
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  const urged = await retry.json();
  assert.equal(urged.urge_count, 1);
  assert.equal(Number(sql(s4.db, `SELECT urge_count FROM tickets WHERE number = '${t.number}'`)), 1);
  await stopClean(s4);
  const audit = cli(['audit', 'verify', '--db', s4.db]);
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
  rmSync(s1.dir, { recursive: true, force: true });
});
