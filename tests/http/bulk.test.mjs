// bulk.test.mjs - POST /api/v1/tickets/actions/{action} (issue 13, bulk
// actions): one workflow action on a list of tickets, each in its own
// savepoint of ONE group commit; what could not be applied is reported as
// skipped with its reason (not_found, stale_version, not_allowed, invalid)
// and the rest is applied exactly as the single action would (history,
// queues, report counters, audit chain). Also: 派单, 转派, 催单 and 备注 in
// bulk, a role that may never take the action (403 for the whole list),
// visibility, the limits and bad bodies (nothing changed, no commit),
// Idempotency-Key, CSRF, and 200 tickets in exactly one commit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, clients, netTicket, errorOf, req, cli, stopClean } from './lib.mjs';
import { login, asSession } from './auth-lib.mjs';
import { freshFault, act, get, history, inputsFor, sleep } from './workflow-lib.mjs';

let srv, u;
// no SLA sweep or key purge while the commits are counted (the first one runs at start)
before(async () => { srv = await startServer({ args: ['--sla-interval', '86400'] }); u = clients(srv); });
after(async () => { await stopClean(srv); });

const bulk = (client, action, tickets, inputs, headers = {}) =>
  client.post(`/api/v1/tickets/actions/${action}`, inputs === undefined ? { tickets } : { tickets, inputs }, headers);
const key = (() => { let n = 0; return (tag) => `bulk-${tag}-${process.pid}-${++n}`; })();

// n fresh tickets submitted on creation by agent1 (待派单); returns their bodies.
async function pending(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }));
    assert.equal(r.status, 201, r.text);
    out.push(r.body);
  }
  return out;
}
const items = (ts) => ts.map((t) => ({ number: t.number, version: t.version }));

// /queues as "state|department" -> total.
async function queues() {
  const r = await u.admin.get('/api/v1/queues');
  assert.equal(r.status, 200, r.text);
  const m = {};
  for (const x of r.body.items) m[`${x.state}|${x.department}`] = x.total;
  return m;
}

function auditOk() {
  const r = cli(['audit', 'verify', '--db', srv.db]);
  assert.equal(r.status, 0, `audit verify: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /audit ok/);
}

// The store's group-commit counters from /metrics: batches (= commits) and jobs.
async function commits() {
  const r = await req(srv.url, 'GET', '/metrics');
  const one = (name) => Number(r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'))[1]);
  return { batches: one('gongdan_group_commit_batch_size_count'), jobs: one('gongdan_group_commit_batch_size_sum') };
}
// A request by client first, so that its token's last_used_at write (at most
// once a minute, a write of its own) is behind us before counting.
async function settle(client) {
  assert.equal((await client.get('/api/v1/me')).status, 200);
  await sleep(150);
}

// The parts of a history row the single action and the bulk one must share.
const row = (h) => ({ action: h.action, actor: h.actor, role: h.role, from: h.from_state, to: h.to_state,
  department: h.department, text: h.text, inputs: h.inputs });

test('bulk 派单 of 50 tickets, a few changed meanwhile: each skipped with its reason, the rest done exactly', async () => {
  const ts = await pending(50);
  // meanwhile: one dispatched by someone else, one commented on (its version moves on)
  const single = await act(u.supervisor1, ts[3].number, 'dispatch', { department: 'NET' });
  assert.equal(single.status, 200, single.text);
  assert.equal((await act(u.agent1, ts[7].number, 'comment', { comment: '用户来电补充：晚上信号更差' })).status, 200);
  const q0 = await queues();
  const list = items(ts);
  delete list[3].version; // no precondition: refused for its state
  const missing = 'TS20991231999999';
  list.splice(20, 0, { number: missing });
  const r = await bulk(u.dispatcher1, 'dispatch', list, { department: 'NET', comment: '批量派单：请网络部核查' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), null, 'a list has no ETag');
  const b = r.body;
  assert.equal(b.action, 'dispatch');
  assert.equal(b.done, 48);
  assert.equal(b.skipped, 3);
  assert.deepEqual(b.results.map((x) => x.number), list.map((x) => x.number), 'in the order given');
  const byNumber = Object.fromEntries(b.results.map((x) => [x.number, x]));
  assert.equal(byNumber[ts[3].number].reason, 'not_allowed');
  assert.match(byNumber[ts[3].number].message, /not allowed while the ticket is dispatched/);
  assert.equal(byNumber[ts[7].number].reason, 'stale_version');
  assert.match(byNumber[ts[7].number].message, /version/);
  assert.equal(byNumber[missing].reason, 'not_found');
  for (const x of b.results.filter((y) => y.status === 'skipped')) {
    assert.deepEqual(Object.keys(x).sort(), ['message', 'number', 'reason', 'status']);
  }

  const want = row((await history(u.supervisor1, ts[3].number)).at(-1));
  for (const t of ts) {
    const res = byNumber[t.number];
    const now = await get(u.dispatcher1, t.number);
    const h = await history(u.dispatcher1, t.number);
    if (t === ts[3] || t === ts[7]) {
      assert.equal(res.status, 'skipped');
      assert.equal(h.at(-1).action, t === ts[3] ? 'dispatch' : 'comment', 'nothing of the bulk written');
      assert.equal(h.filter((x) => x.actor === 'dispatcher1').length, 0);
      continue;
    }
    assert.deepEqual(res, { number: t.number, status: 'done', version: t.version + 1, state: 'dispatched' });
    assert.equal(now.version, t.version + 1);
    assert.equal(now.state, 'dispatched');
    assert.equal(now.department, 'NET');
    assert.deepEqual(h.map((x) => x.action), ['create', 'submit', 'dispatch'], 'exactly one history row more');
    assert.deepEqual(row(h[2]), { ...want, actor: 'dispatcher1', role: 'dispatcher',
      text: '批量派单：请网络部核查', inputs: { department: 'NET', comment: '批量派单：请网络部核查' } });
  }
  const q1 = await queues();
  assert.equal(q1['pending_dispatch|null'], q0['pending_dispatch|null'] - 48);
  assert.equal(q1['dispatched|NET'], (q0['dispatched|NET'] || 0) + 48);
  // the NET handlers see them in their queue now
  const mine = await u.handler_net1.get('/api/v1/tickets?state=dispatched&limit=200');
  assert.equal(mine.body.items.filter((x) => byNumber[x.number]?.status === 'done').length, 48);
  auditOk();
});

test('转派, 催单 and 备注 in bulk; an input wrong for some tickets skips only those as invalid', async () => {
  const ts = await pending(6);
  let r = await bulk(u.dispatcher1, 'dispatch', items(ts), { department: 'NET' });
  assert.equal(r.body.done, 6, r.text);
  // 转派 by a NET handler: five to VAS; the sixth goes to VAS first on its own
  assert.equal((await act(u.handler_net1, ts[5].number, 'transfer', inputsFor('transfer', 'VAS'))).status, 200);
  r = await bulk(u.handler_net1, 'transfer', ts.map((t) => ({ number: t.number })),
    { department: 'VAS', comment: '属增值业务问题，转派增值业务中心' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.done, 5);
  const last = r.body.results[5];
  // NET no longer has it: the handler's department may not transfer it (403 on its own)
  assert.equal(last.reason, 'not_allowed', JSON.stringify(last));
  assert.equal((await act(u.handler_net1, ts[5].number, 'transfer', inputsFor('transfer', 'BILL'))).status, 403);
  for (const t of ts.slice(0, 5)) {
    const now = await get(u.handler_vas1, t.number);
    assert.equal(now.department, 'VAS');
    assert.equal(now.state, 'dispatched');
    const h = (await history(u.handler_vas1, t.number)).at(-1);
    assert.deepEqual([h.action, h.actor, h.from_state, h.to_state, h.department, h.text],
      ['transfer', 'handler_net1', 'dispatched', 'dispatched', 'VAS', '属增值业务问题，转派增值业务中心']);
  }
  // a dispatcher transfers all six to VAS: they are all there already
  r = await bulk(u.dispatcher1, 'transfer', ts.map((t) => ({ number: t.number })), { department: 'VAS', comment: '再转' });
  assert.equal(r.body.done, 0);
  for (const x of r.body.results) {
    assert.equal(x.reason, 'invalid');
    assert.deepEqual(x.fields, { department: 'the ticket is already with this department' });
  }
  // 转派 without its required comment: invalid for every ticket, as the single action's 422
  r = await bulk(u.dispatcher1, 'transfer', ts.map((t) => ({ number: t.number })), { department: 'ENT' });
  assert.equal(r.body.skipped, 6);
  assert.deepEqual(r.body.results[0].fields, { comment: 'required' });
  const one = await act(u.dispatcher1, ts[0].number, 'transfer', { department: 'ENT' });
  assert.equal(one.status, 422);
  assert.deepEqual(errorOf(one).fields, r.body.results[0].fields, 'the same reasons as the single action');

  // 催单 by the creating agent: urgent, counted, one history row each
  r = await bulk(u.agent1, 'urge', ts.map((t) => ({ number: t.number })));
  assert.equal(r.body.done, 6, r.text);
  for (const t of ts) {
    const now = await get(u.agent1, t.number);
    assert.equal(now.priority, 'urgent');
    assert.equal(now.urge_count, 1);
    assert.equal(r.body.results.find((x) => x.number === t.number).version, now.version);
  }
  // 备注 by the VAS handler
  r = await bulk(u.handler_vas1, 'comment', ts.map((t) => ({ number: t.number })), { comment: '已联系用户，约定明日回电' });
  assert.equal(r.body.done, 6, r.text);
  for (const t of ts) {
    const h = await history(u.agent1, t.number);
    assert.deepEqual(h.slice(-2).map((x) => [x.action, x.actor, x.text]),
      [['urge', 'agent1', null], ['comment', 'handler_vas1', '已联系用户，约定明日回电']]);
  }
  auditOk();
});

test('a role that may never take the action: 403 for the whole list; unseen tickets are not_found', async () => {
  const ts = await pending(3);
  const before = await Promise.all(ts.map((t) => get(u.admin, t.number)));
  for (const who of ['agent1', 'handler_net1']) {
    const r = await bulk(u[who], 'dispatch', items(ts), { department: 'NET' });
    assert.equal(r.status, 403, r.text);
    assert.equal(errorOf(r).code, 'forbidden');
    // the single action refuses the same role the same way
    assert.equal((await act(u[who], ts[0].number, 'dispatch', { department: 'NET' })).status, who === 'agent1' ? 403 : 404);
  }
  // an unknown action: 404, as on one ticket
  const r404 = await bulk(u.dispatcher1, 'teleport', items(ts));
  assert.equal(r404.status, 404, r404.text);
  const one404 = await act(u.dispatcher1, ts[0].number, 'teleport');
  assert.equal(one404.status, 404);
  assert.equal(errorOf(r404).code, errorOf(one404).code);
  // handlers may comment, but on tickets they cannot see they learn nothing
  const missing = 'TS20991231999998';
  const r = await bulk(u.handler_km1, 'comment', [{ number: ts[0].number }, { number: missing }], { comment: '看看' });
  assert.equal(r.status, 200, r.text);
  const [hidden, none] = r.body.results;
  assert.equal(hidden.reason, 'not_found');
  assert.equal(hidden.message.replace(ts[0].number, 'N'), none.message.replace(missing, 'N'), 'indistinguishable');
  assert.equal((await act(u.handler_km1, ts[0].number, 'comment', { comment: '看看' })).status, 404);
  // the agent may urge its own tickets, but another agent's are hidden from it
  const other = await bulk(u.agent2, 'urge', items(ts));
  assert.deepEqual(other.body.results.map((x) => x.reason), ['not_found', 'not_found', 'not_found']);
  const after = await Promise.all(ts.map((t) => get(u.admin, t.number)));
  assert.deepEqual(after, before, 'nothing changed');
});

test('limits and bad bodies: 422/400 in the SPEC §6 shape, nothing changed, no commit', async () => {
  const ts = await pending(2);
  const many = Array.from({ length: 201 }, (_, i) => ({ number: `TS2099010100${String(i).padStart(4, '0')}` }));
  const cases = [
    [{ tickets: many, inputs: { department: 'NET' } }, 422, (e) => assert.match(e.fields.tickets, /at most 200/)],
    [{ tickets: [], inputs: { department: 'NET' } }, 422, (e) => assert.ok(e.fields.tickets)],
    [{ inputs: { department: 'NET' } }, 422, (e) => assert.equal(e.fields.tickets, 'required')],
    [{ tickets: ts[0].number }, 422, (e) => assert.equal(e.fields.tickets, 'must be an array')],
    [{ tickets: [{ number: ts[0].number }, { number: ts[1].number }, { number: ts[0].number }] }, 422,
      (e) => assert.deepEqual(e.fields, { 'tickets[2].number': 'duplicate of tickets[0]' })],
    [{ tickets: [{ number: ts[0].number, version: '3' }, {}, 'TS1', { number: ts[1].number, extra: 1 }] }, 422,
      (e) => assert.deepEqual(Object.keys(e.fields).sort(),
        ['tickets[0].version', 'tickets[1].number', 'tickets[2]', 'tickets[3].extra'])],
    [{ tickets: [{ number: ts[0].number }], inputs: 'NET' }, 422, (e) => assert.ok(e.fields.inputs)],
    [{ tickets: [{ number: ts[0].number }], department: 'NET' }, 422, (e) => assert.ok(e.fields.department)],
  ];
  await settle(u.dispatcher1);
  const c0 = await commits();
  for (const [body, status, check] of cases) {
    const r = await u.dispatcher1.post('/api/v1/tickets/actions/dispatch', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
    const e = errorOf(r);
    assert.equal(e.code, 'validation_failed');
    check(e);
  }
  const bad = await req(srv.url, 'POST', '/api/v1/tickets/actions/dispatch',
    { raw: '{"tickets": [', headers: { authorization: `Bearer ${u.dispatcher1.token}`, 'content-type': 'application/json' } });
  assert.equal(bad.status, 400, bad.text);
  errorOf(bad);
  // the body cap is the server's, as for every route (1 MiB by default)
  const huge = await bulk(u.dispatcher1, 'comment', items(ts), { comment: '备'.repeat(400000) });
  assert.equal(huge.status, 413, huge.text.slice(0, 200));
  errorOf(huge);
  const ifMatch = await bulk(u.dispatcher1, 'dispatch', items(ts), { department: 'NET' }, { 'if-match': '"1"' });
  assert.equal(ifMatch.status, 400, ifMatch.text);
  assert.ok(errorOf(ifMatch).fields['If-Match']);
  assert.deepEqual(await commits(), c0, 'refused before the writer');
  for (const t of ts) assert.equal((await get(u.admin, t.number)).version, t.version);
});

test('Idempotency-Key: a retry answers the first answer and changes nothing', async () => {
  const ts = await pending(4);
  const k = key('urge');
  const list = ts.map((t) => ({ number: t.number }));
  const first = await bulk(u.agent1, 'urge', list, {}, { 'idempotency-key': k });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.done, 4);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  await settle(u.agent1);
  const c0 = await commits();
  const again = await bulk(u.agent1, 'urge', list, {}, { 'idempotency-key': k });
  assert.equal(again.status, 200);
  assert.equal(again.text, first.text, 'the same bytes');
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(await commits(), c0, 'answered from the stored answer, no write');
  for (const t of ts) {
    assert.equal((await get(u.agent1, t.number)).urge_count, 1);
    assert.equal((await history(u.agent1, t.number)).filter((h) => h.action === 'urge').length, 1);
  }
  // the same key with another list is another request: 422, nothing written
  const other = await bulk(u.agent1, 'urge', list.slice(1), {}, { 'idempotency-key': k });
  assert.equal(other.status, 422, other.text);
  assert.ok(errorOf(other).fields['Idempotency-Key']);
  assert.equal((await get(u.agent1, ts[1].number)).urge_count, 1);
  // a keyed list whose tickets are all skipped is an answer too, kept as such
  const k2 = key('skip');
  const s1 = await bulk(u.dispatcher1, 'accept', list, {}, { 'idempotency-key': k2 });
  assert.equal(s1.status, 403, s1.text); // dispatchers never accept
  const s2 = await bulk(u.dispatcher1, 'reject', list, { comment: '驳回' }, { 'idempotency-key': k2 });
  assert.equal(s2.status, 200, s2.text);
  assert.equal(s2.body.skipped, 4);
  const s3 = await bulk(u.dispatcher1, 'reject', list, { comment: '驳回' }, { 'idempotency-key': k2 });
  assert.equal(s3.text, s2.text);
  assert.equal(s3.headers.get('idempotent-replayed'), 'true');
});

test('a session needs X-CSRF-Token for a bulk action, like for one', async () => {
  const ts = await pending(2);
  const s = await login(srv.url, 'dispatcher1', 'demo-dispatcher1');
  assert.equal(s.status, 200);
  const body = { tickets: items(ts), inputs: { department: 'BILL' } };
  const none = await asSession(srv.url, s, 'POST', '/api/v1/tickets/actions/dispatch', { body, csrf: false });
  assert.equal(none.status, 403, none.text);
  errorOf(none);
  for (const t of ts) assert.equal((await get(u.admin, t.number)).state, 'pending_dispatch');
  const ok = await asSession(srv.url, s, 'POST', '/api/v1/tickets/actions/dispatch', { body });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.done, 2);
  const anon = await req(srv.url, 'POST', '/api/v1/tickets/actions/dispatch', { body });
  assert.equal(anon.status, 401);
});

test('200 tickets take exactly one commit', async () => {
  const ts = await pending(200);
  const q0 = await queues();
  await settle(u.supervisor1);
  const c0 = await commits();
  const r = await bulk(u.supervisor1, 'dispatch', items(ts), { department: 'ENT', comment: '政企客户集中派单' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.done, 200);
  assert.equal(r.body.skipped, 0);
  const c1 = await commits();
  assert.equal(c1.batches - c0.batches, 1, 'one transaction, one commit');
  assert.equal(c1.jobs - c0.jobs, 1, 'one job');
  const q1 = await queues();
  assert.equal(q1['dispatched|ENT'], (q0['dispatched|ENT'] || 0) + 200);
  assert.equal(q1['pending_dispatch|null'], q0['pending_dispatch|null'] - 200);
  for (const t of [ts[0], ts[99], ts[199]]) {
    const h = await history(u.supervisor1, t.number);
    assert.deepEqual(h.map((x) => x.action), ['create', 'submit', 'dispatch']);
  }
  auditOk();
});
