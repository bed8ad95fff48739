// workflow-rules.test.mjs - what the engine refuses (issue 5): every action
// not allowed in each state (409 naming the allowed ones), role and
// department refusals (403), invisible tickets (404), the check order of
// workflow.h, bad input (422, ticket unchanged, no history row),
// allowed_actions per role and state, ETag/If-Match and the accept race.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, errorOf, req, netTicket, cli } from './lib.mjs';
import {
  clients, act, ok, get, history, draft, ticketIn, inputsFor, expectedStatus, expectedAllowed, freshFault, STATES,
  ACTIONS, stopClean,
} from './workflow-lib.mjs';

let srv, u;
before(async () => { srv = await startServer(); u = clients(srv); });
after(async () => { await stopClean(srv); });

// Runs fn, then checks the ticket kept its version, state and history.
async function unchanged(number, fn) {
  const t0 = await get(u.admin, number);
  const h0 = await history(u.admin, number);
  await fn();
  const t1 = await get(u.admin, number);
  assert.equal(t1.version, t0.version, `${number}: version changed`);
  assert.equal(t1.state, t0.state);
  assert.equal(t1.department, t0.department);
  assert.equal(t1.assignee, t0.assignee);
  assert.equal(t1.priority, t0.priority);
  assert.deepEqual(await history(u.admin, number), h0, `${number}: a history row was added`);
}

const VISIBLE_USERS = ['agent1', 'agent2', 'dispatcher1', 'supervisor1', 'handler_net1', 'handler_net2', 'handler_vas1', 'admin'];

test('every action in every state, for every role: allowed_actions, 403 for the role, 409 naming the allowed actions', async () => {
  let checked = 0;
  for (const state of STATES) {
    // through VAS first, so handler_vas1 sees it without being its department;
    // agent2 sees it as the same customer's history (历史故障)
    const fault = freshFault();
    const t = await ticketIn(u, state, { via: 'VAS', overrides: { fault_number: fault } });
    const n = t.number;
    assert.equal((await u.agent2.post('/api/v1/tickets', netTicket({ fault_number: fault }))).status, 201);
    await unchanged(n, async () => {
      for (const user of VISIBLE_USERS) {
        const netSees = !['draft', 'pending_dispatch'].includes(state);
        if (user.startsWith('handler_net') && !netSees) {
          assert.equal((await u[user].get(`/api/v1/tickets/${n}`)).status, 404, `${user} never had ${state} ${n}`);
          continue;
        }
        const seen = await get(u[user], n);
        const allowed = expectedAllowed(user, seen);
        assert.deepEqual(seen.allowed_actions, allowed, `${user} on ${state}: allowed_actions`);
        for (const action of ACTIONS) {
          const want = expectedStatus(user, seen, action);
          if (want === 200) continue; // allowed: run in the branch tests
          const r = await act(u[user], n, action, inputsFor(action, 'BILL'));
          assert.equal(r.status, want, `${user} ${action} on ${state}: ${r.text}`);
          const e = errorOf(r);
          if (want === 403) {
            assert.equal(e.code, 'forbidden');
          } else {
            assert.equal(e.code, 'conflict');
            assert.ok(e.message.includes(action) && e.message.includes(state), e.message);
            assert.ok(e.message.includes(allowed.length ? allowed.join(', ') : '(none)'),
              `${user} ${action} on ${state}: the message names the allowed actions ${allowed}: ${e.message}`);
          }
          checked++;
        }
      }
    });
  }
  assert.ok(checked > 300, `${checked} refusals checked`);
});

test('allowed_actions, spot checks of the important ones', async () => {
  const d = await draft(u.agent1);
  assert.deepEqual((await get(u.agent1, d.number)).allowed_actions, ['submit', 'resolve', 'urge', 'comment']);
  assert.deepEqual((await get(u.dispatcher1, d.number)).allowed_actions, ['urge', 'comment']);
  assert.deepEqual((await get(u.admin, d.number)).allowed_actions, ['submit', 'resolve', 'urge', 'comment']);
  const p = await ticketIn(u, 'pending_dispatch');
  assert.deepEqual((await get(u.dispatcher1, p.number)).allowed_actions, ['dispatch', 'return', 'urge', 'comment']);
  assert.deepEqual((await get(u.supervisor1, p.number)).allowed_actions, ['dispatch', 'return', 'urge', 'comment']);
  assert.deepEqual((await get(u.agent1, p.number)).allowed_actions, ['urge', 'comment']);
  const x = await ticketIn(u, 'dispatched', { via: 'VAS' });
  assert.deepEqual((await get(u.handler_net2, x.number)).allowed_actions, ['return', 'accept', 'transfer', 'urge', 'comment']);
  assert.deepEqual((await get(u.handler_vas1, x.number)).allowed_actions, ['urge', 'comment']);
  assert.deepEqual((await get(u.dispatcher1, x.number)).allowed_actions, ['transfer', 'urge', 'comment']);
  const i = await ticketIn(u, 'in_progress');
  assert.deepEqual((await get(u.handler_net1, i.number)).allowed_actions, ['return', 'transfer', 'reply', 'urge', 'comment']);
  const r = await ticketIn(u, 'replied');
  assert.deepEqual((await get(u.supervisor1, r.number)).allowed_actions, ['reject', 'close', 'urge', 'comment']);
  assert.deepEqual((await get(u.handler_net1, r.number)).allowed_actions, ['urge', 'comment']);
  const c = await ticketIn(u, 'closed');
  for (const who of ['agent1', 'dispatcher1', 'supervisor1', 'admin'])
    assert.deepEqual((await get(u[who], c.number)).allowed_actions, ['reopen', 'comment'], who);
  assert.deepEqual((await get(u.handler_net1, c.number)).allowed_actions, ['comment']);
});

test('invisible tickets answer 404 for every action, never 403', async () => {
  const t = await ticketIn(u, 'dispatched'); // NET, never VAS or KM
  const n = t.number;
  await unchanged(n, async () => {
    for (const who of [u.handler_vas1, u.handler_km1, u.agent2]) {
      assert.equal((await who.get(`/api/v1/tickets/${n}`)).status, 404);
      assert.equal((await who.get(`/api/v1/tickets/${n}/history`)).status, 404);
      for (const action of [...ACTIONS, 'no-such-action']) {
        const r = await act(who, n, action, inputsFor(action, 'VAS'));
        assert.equal(r.status, 404, `${who.username} ${action}: ${r.text}`);
        assert.equal(errorOf(r).code, 'not_found');
        assert.match(errorOf(r).message, /no ticket/);
      }
    }
  });
  // a number that does not exist reads the same
  const r = await act(u.admin, 'TS20000101999999', 'comment', { comment: 'x' });
  assert.equal(r.status, 404);
  assert.match(errorOf(r).message, /no ticket/);
});

test('the check order: 404 visible → 404 action → 403 role → 409 state → 422 inputs', async () => {
  const t = await ticketIn(u, 'in_progress', { via: 'VAS' }); // now NET; VAS passed it on
  const n = t.number;
  const bad = { department: 'PCSC', nonsense: true };
  await unchanged(n, async () => {
    // invisible beats an unknown action
    let r = await act(u.handler_km1, n, 'no-such-action', bad);
    assert.equal(r.status, 404);
    assert.match(errorOf(r).message, /no ticket/);
    // an unknown action beats everything else
    for (const a of ['no-such-action', 'DISPATCH', 'create', 'overdue', 'edit']) {
      r = await act(u.agent1, n, a, bad);
      assert.equal(r.status, 404, `${a}: ${r.text}`);
      assert.match(errorOf(r).message, /no such action/);
    }
    // the role beats the state and the inputs
    r = await act(u.agent1, n, 'dispatch', bad);
    assert.equal(r.status, 403, r.text);
    r = await act(u.dispatcher1, n, 'accept', bad);
    assert.equal(r.status, 403, r.text);
    // the department too: VAS sees it (it passed through) but it is NET's now
    r = await act(u.handler_vas1, n, 'accept', bad);
    assert.equal(r.status, 403, r.text);
    r = await act(u.handler_vas1, n, 'reply', bad);
    assert.equal(r.status, 403, r.text);
    // the state beats the inputs
    r = await act(u.dispatcher1, n, 'dispatch', bad);
    assert.equal(r.status, 409, r.text);
    assert.match(errorOf(r).message, /transfer, urge, comment/);
    r = await act(u.handler_net1, n, 'accept', bad);
    assert.equal(r.status, 409, r.text);
    // finally the inputs, with every problem named at once
    r = await act(u.dispatcher1, n, 'transfer', bad);
    assert.equal(r.status, 422, r.text);
    const e = errorOf(r);
    assert.equal(e.code, 'validation_failed');
    assert.ok(e.fields.department, 'names the centre department');
    assert.ok(e.fields.nonsense, 'names the unknown input');
    assert.ok(e.fields.comment, 'names the missing comment');
  });
});

test('bad input: clear 4xx, the ticket unchanged, no history row', async () => {
  const cases = async (number, action, who, list) => {
    await unchanged(number, async () => {
      for (const [inputs, field, status = 422] of list) {
        const r = await act(who, number, action, inputs);
        assert.equal(r.status, status, `${action} ${JSON.stringify(inputs)}: ${r.text}`);
        if (field) assert.ok(errorOf(r).fields && errorOf(r).fields[field], `${action} ${JSON.stringify(inputs)} names ${field}: ${r.text}`);
      }
    });
  };
  const p = await ticketIn(u, 'pending_dispatch');
  await cases(p.number, 'dispatch', u.dispatcher1, [
    [{}, 'department'], [{ department: '' }, 'department'], [{ department: '   ' }, 'department'],
    [{ department: null }, 'department'], [{ department: 'PCSC' }, 'department'],
    [{ department: 'NOPE' }, 'department'], [{ department: 'net' }, 'department'], [{ department: 42 }, 'department'],
    [{ department: ['NET'] }, 'department'], [{ department: 'NET', priority: 'urgent' }, 'priority'],
    [{ department: 'NET', comment: 123 }, 'comment'], [{ department: 'NET', comment: 'x'.repeat(2001) }, 'comment'],
  ]);
  await cases(p.number, 'return', u.dispatcher1, [
    [{}, 'comment'], [{ comment: '' }, 'comment'], [{ comment: ' \n\t ' }, 'comment'], [{ comment: false }, 'comment'],
  ]);
  await cases(p.number, 'comment', u.agent1, [[{}, 'comment'], [{ comment: '  ' }, 'comment'], [{ comment: 'ok', text: 'x' }, 'text']]);
  await cases(p.number, 'urge', u.agent1, [[{ reason: '快点' }, 'reason'], [{ comment: 7 }, 'comment']]);
  // unknown actions, also long Chinese names cut in the message
  await cases(p.number, 'escalate', u.dispatcher1, [[{ department: 'NET' }, null, 404]]);
  const longName = encodeURIComponent('升级'.repeat(30));
  const r404 = await u.dispatcher1.post(`/api/v1/tickets/${p.number}/actions/${longName}`, {});
  assert.equal(r404.status, 404);
  assert.match(errorOf(r404).message, /^no such action '升级/);
  // malformed bodies
  await unchanged(p.number, async () => {
    const auth = { authorization: `Bearer ${u.dispatcher1.token}` };
    const path = `/api/v1/tickets/${p.number}/actions/dispatch`;
    let r = await req(srv.url, 'POST', path, { raw: '{"department":', headers: { ...auth, 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    r = await req(srv.url, 'POST', path, { raw: '["NET"]', headers: { ...auth, 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    r = await req(srv.url, 'POST', path, { raw: '{"department":"NET","department":"VAS"}', headers: { ...auth, 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    r = await req(srv.url, 'POST', path, { raw: 'department=NET', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 415);
  });

  const x = await ticketIn(u, 'dispatched');
  await cases(x.number, 'transfer', u.handler_net1, [
    [{ department: 'NET', comment: '转给自己' }, 'department'], [{ department: 'VAS' }, 'comment'],
    [{ comment: '转派' }, 'department'], [{ department: 'PCSC', comment: '转派' }, 'department'],
    [{ department: 'GHOST', comment: '转派' }, 'department'],
  ]);
  await cases(x.number, 'accept', u.handler_net1, [[{ assignee: 'handler_net2' }, 'assignee']]);

  const r = await ticketIn(u, 'replied');
  await cases(r.number, 'close', u.supervisor1, [
    [{}, 'summary'], [{ summary: '' }, 'summary'], [{ satisfaction: 5 }, 'summary'],
    [{ summary: '好', satisfaction: 0 }, 'satisfaction'], [{ summary: '好', satisfaction: 6 }, 'satisfaction'],
    [{ summary: '好', satisfaction: 2.5 }, 'satisfaction'], [{ summary: '好', satisfaction: '5' }, 'satisfaction'],
    [{ summary: '好', satisfaction: -1 }, 'satisfaction'], [{ summary: '好', satisfaction: true }, 'satisfaction'],
    [{ summary: '好', satisfaction: '' }, 'satisfaction'], [{ summary: '好', satisfaction: 1e10 }, 'satisfaction'],
  ]);
  await cases(r.number, 'reject', u.dispatcher1, [[{}, 'comment'], [{ comment: '' }, 'comment']]);
  const ip = await ticketIn(u, 'in_progress');
  await cases(ip.number, 'reply', u.handler_net1, [
    [{}, 'resolution'], [{ resolution: '   ' }, 'resolution'], [{ resolution: '字'.repeat(2001) }, 'resolution'],
    [{ resolution: 'ok', summary: 'x' }, 'summary'],
  ]);
  const c = await ticketIn(u, 'closed');
  await cases(c.number, 'reopen', u.agent1, [[{}, 'comment'], [{ comment: '' }, 'comment']]);
  const d = await draft(u.agent1, { fields: { symptom: '无信号' } }); // the other extra fields missing
  await cases(d.number, 'resolve', u.agent1, [[{ resolution: '已解释' }, 'summary'], [{ summary: '好' }, 'resolution']]);
  await cases(d.number, 'submit', u.agent1, [[{}, 'fields.location']]);
  // the limits are characters, not bytes: 2000 Chinese characters pass
  const long = await act(u.handler_net1, ip.number, 'reply', { resolution: '字'.repeat(2000) });
  assert.equal(long.status, 200, long.text);
  // satisfaction 1 and 5 are fine
  const closed = await act(u.supervisor1, r.number, 'close', { summary: '好', satisfaction: 1 });
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.body.satisfaction, 1);
});

test('ETag on every ticket response; If-Match stale → 412 and nothing changed; current → 200', async () => {
  const d = await draft(u.agent1);
  const n = d.number;
  let r = await u.agent1.get(`/api/v1/tickets/${n}`);
  assert.equal(r.headers.get('etag'), `"${r.body.version}"`);
  const v = r.body.version;
  // PATCH honours If-Match
  r = await u.agent1.patch(`/api/v1/tickets/${n}`, { subject: '改过的主题' }, { 'if-match': `"${v + 1}"` });
  assert.equal(r.status, 412, r.text);
  assert.equal(errorOf(r).code, 'precondition_failed');
  r = await u.agent1.patch(`/api/v1/tickets/${n}`, { subject: '改过的主题' }, { 'if-match': `"${v}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), `"${v + 1}"`);
  // actions honour If-Match
  r = await act(u.agent1, n, 'submit', {}, { 'if-match': `"${v + 1}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), `"${r.body.version}"`);
  assert.equal(r.body.version, v + 2);
  const stale = `"${v + 1}"`;
  await unchanged(n, async () => {
    for (const [who, action] of [[u.dispatcher1, 'dispatch'], [u.agent1, 'comment'], [u.dispatcher1, 'return']]) {
      const x = await act(who, n, action, inputsFor(action, 'NET'), { 'if-match': stale });
      assert.equal(x.status, 412, `${action}: ${x.text}`);
      assert.equal(errorOf(x).code, 'precondition_failed');
      assert.match(errorOf(x).message, new RegExp(`version ${v + 2}`));
    }
    // a malformed If-Match is a 400, not a silent pass
    const bad = await act(u.dispatcher1, n, 'dispatch', { department: 'NET' }, { 'if-match': 'yesterday' });
    assert.equal(bad.status, 400, bad.text);
  });
  r = await act(u.dispatcher1, n, 'dispatch', { department: 'NET' }, { 'if-match': `"${v + 2}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.state, 'dispatched');
  r = await act(u.handler_net1, n, 'accept', {}, { 'if-match': '*' });
  assert.equal(r.status, 200, r.text);
  // an invisible ticket stays invisible whatever the If-Match
  r = await act(u.handler_vas1, n, 'comment', { comment: 'x' }, { 'if-match': '"1"' });
  assert.equal(r.status, 404);
  // two writers holding the same version: one wins, the other gets 412
  const cur = `"${r.body ? (await get(u.admin, n)).version : 0}"`;
  const both = await Promise.all([
    act(u.handler_net1, n, 'comment', { comment: '甲' }, { 'if-match': cur }),
    act(u.dispatcher1, n, 'comment', { comment: '乙' }, { 'if-match': cur }),
  ]);
  assert.deepEqual(both.map((x) => x.status).sort(), [200, 412]);
  assert.equal((await history(u.admin, n)).filter((h) => h.action === 'comment').length, 1);
});

test('the race: two handlers accept the same ticket at once — exactly one 200, one 409, one history row', async () => {
  const tickets = [];
  for (let i = 0; i < 10; i++) tickets.push((await ticketIn(u, 'dispatched')).number);
  for (const n of tickets) {
    const [a, b] = await Promise.all([act(u.handler_net1, n, 'accept'), act(u.handler_net2, n, 'accept')]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${n}: ${a.text} / ${b.text}`);
    const loser = a.status === 409 ? a : b;
    assert.equal(errorOf(loser).code, 'conflict');
    assert.match(errorOf(loser).message, /in_progress/);
    const winner = a.status === 200 ? 'handler_net1' : 'handler_net2';
    const t = await get(u.admin, n);
    assert.equal(t.state, 'in_progress');
    assert.equal(t.assignee, winner);
    const accepts = (await history(u.admin, n)).filter((h) => h.action === 'accept');
    assert.equal(accepts.length, 1, `${n}: one accept row`);
    assert.equal(accepts[0].actor, winner);
  }
});

test('many tickets at once: every race has one winner, refusals roll back alone, the flow and counters hold', async () => {
  const tickets = [];
  for (let i = 0; i < 12; i++) tickets.push((await ticketIn(u, 'dispatched')).number);
  const q0 = (await u.admin.get('/api/v1/queues')).body.items;
  const cell = (items, state) => (items.find((x) => x.state === state && x.department === 'NET') || { total: 0 }).total;
  // all at once: two accepts per ticket, a comment each, and a refused dispatch each
  const calls = tickets.flatMap((n) => [
    act(u.handler_net1, n, 'accept'), act(u.handler_net2, n, 'accept'),
    act(u.agent1, n, 'comment', { comment: `并发备注 ${n}` }), act(u.dispatcher1, n, 'dispatch', { department: 'VAS' }),
  ]);
  const res = await Promise.all(calls);
  for (let i = 0; i < tickets.length; i++) {
    const [a, b, c, d] = res.slice(4 * i, 4 * i + 4);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${tickets[i]}: ${a.text} / ${b.text}`);
    assert.equal(c.status, 200, c.text);
    assert.equal(d.status, 409, d.text);
    const rows = await history(u.admin, tickets[i]);
    assert.deepEqual(rows.map((h) => h.seq), rows.map((_, k) => k + 1), 'no gap, no duplicate seq');
    assert.equal(rows.filter((h) => h.action === 'accept').length, 1);
    assert.equal(rows.filter((h) => h.action === 'comment').length, 1);
    assert.equal(rows.filter((h) => h.action === 'dispatch').length, 1, 'only the first dispatch');
    const t = await get(u.admin, tickets[i]);
    assert.equal(t.state, 'in_progress');
    assert.equal(t.version, 5, 'create, submit, dispatch, then accept and comment');
  }
  const q1 = (await u.admin.get('/api/v1/queues')).body.items;
  assert.equal(cell(q1, 'dispatched'), cell(q0, 'dispatched') - tickets.length);
  assert.equal(cell(q1, 'in_progress'), cell(q0, 'in_progress') + tickets.length);
  const audit = cli(['audit', 'verify', '--db', srv.db]);
  assert.equal(audit.status, 0, audit.stderr);
});
