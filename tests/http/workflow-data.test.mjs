// workflow-data.test.mjs - what the engine keeps (issue 5): the queue
// counters against a full recount after a random walk, the hash-chained
// history against tampering with the sqlite3 tool, the SLA sweep, and the
// graph as data (an action added with INSERTs, honoured without a rebuild).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, errorOf, cli, netTicket } from './lib.mjs';
import {
  clients, act, ok, get, history, draft, ticketIn, inputsFor, freshFault, sqlite, sqliteOk, prng, sleep, TRANSITIONS,
  USERS, expectedAllowed, stopClean,
} from './workflow-lib.mjs';

// Every ticket, as admin, page by page.
async function allTickets(admin) {
  const out = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const r = await admin.get(`/api/v1/tickets?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('pagination does not end');
}

// /queues items keyed "state|department" → {total, overdue}.
function cells(items) {
  const m = {};
  for (const x of items) m[`${x.state}|${x.department}`] = { total: x.total, overdue: x.overdue };
  return m;
}

const WEIGHT = { submit: 4, dispatch: 4, accept: 4, reply: 4, close: 4, reject: 2, urge: 0.3, comment: 0.3 };

function recount(tickets) {
  const m = {};
  for (const t of tickets) {
    const k = `${t.state}|${t.department}`;
    m[k] ??= { total: 0, overdue: 0 };
    m[k].total += 1;
    if (t.overdue) m[k].overdue += 1;
  }
  return m;
}

async function waitFor(what, fn, ms = 6000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function auditOk(db) {
  const r = cli(['audit', 'verify', '--db', db]);
  assert.equal(r.status, 0, `audit verify: ${r.stderr}`);
  assert.match(r.stdout, /audit ok/);
  return r;
}

test('queue counters equal a full recount after a seeded random walk of 200 actions', async (ctx) => {
  const srv = await startServer({ args: ['--sla-interval', '1'] });
  try {
    const u = clients(srv);
    const rand = prng(Number(process.env.WALK_SEED || 20261129));
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const actions = {}; // number -> successful actions (history rows expected besides create/overdue)
    const numbers = [];
    for (let i = 0; i < 20; i++) {
      const agent = i % 4 === 3 ? u.agent2 : u.agent1;
      const kind = i % 3;
      const body = kind === 0 ? netTicket({ fault_number: freshFault() })
        : kind === 1 ? { category: 'BILL.DISPUTE', fault_number: freshFault(), subject: '话费争议', fields: { bill_month: '2026年10月' } }
          : { category: 'VAS.MMS.FORCED', fault_number: freshFault(), subject: '未定制彩信被扣费' };
      if (i % 5 === 0) body.submit = true;
      const r = await agent.post('/api/v1/tickets', body);
      assert.equal(r.status, 201, r.text);
      numbers.push(r.body.number);
      actions[r.body.number] = body.submit ? 1 : 0;
    }
    const users = Object.keys(USERS);
    const depts = ['NET', 'VAS', 'BILL', 'KM', 'ENT'];
    let done = 0, attempts = 0, marked = [];
    const used = {};
    let checkedAt = -1;
    while (done < 200 && attempts < 5000) {
      attempts++;
      if (done % 50 === 0 && checkedAt !== done) {
        checkedAt = done;
        assert.deepEqual(cells((await u.admin.get('/api/v1/queues')).body.items), recount(await allTickets(u.admin)), `counters after ${done} actions`);
      }
      if (done === 100 && !marked.length) {
        // halfway: four open tickets pass their deadline; the sweep marks them
        const open = (await allTickets(u.admin)).filter((t) => t.state !== 'closed' && t.deadline);
        marked = open.slice(0, 4).map((t) => t.number);
        assert.ok(marked.length >= 2, 'enough submitted open tickets to make overdue');
        sqliteOk(srv.db, `UPDATE tickets SET deadline = unixepoch() - 60 WHERE number IN (${marked.map((n) => `'${n}'`).join(',')});`);
        await waitFor('the sweep', async () => {
          for (const n of marked) if (!(await get(u.admin, n)).overdue) return false;
          return true;
        });
      }
      // every (user, action) the ticket offers now, weighted towards moving
      // forward so the walk reaches every state; urge and comment seldom
      const n = pick(numbers);
      const views = await Promise.all(users.map((name) => u[name].get(`/api/v1/tickets/${n}`)));
      const choices = [];
      views.forEach((v, i) => {
        if (v.status === 404) return;
        assert.equal(v.status, 200, v.text);
        assert.deepEqual(v.body.allowed_actions, expectedAllowed(users[i], v.body), `${users[i]} on ${v.body.state}`);
        for (const a of v.body.allowed_actions) choices.push([users[i], v.body, a, WEIGHT[a] ?? 1]);
      });
      if (!choices.length) continue;
      let x = rand() * choices.reduce((sum, c) => sum + c[3], 0);
      const [user, t, action] = choices.find((c) => (x -= c[3]) < 0) || choices.at(-1);
      const dept = pick(depts.filter((d) => d !== t.department));
      const r = await act(u[user], n, action, inputsFor(action, dept), { 'if-match': `"${t.version}"` });
      assert.equal(r.status, 200, `step ${done}: ${user} ${action} on ${n} (${t.state}): ${r.text}`);
      // the move is the one SPEC §5 describes
      const tr = TRANSITIONS.find(([a, from]) => a === action && from === t.state);
      const after = r.body;
      assert.equal(after.state, tr[2] || t.state, `${action} from ${t.state}`);
      assert.equal(after.version, t.version + 1);
      if (action === 'dispatch' || action === 'transfer') assert.equal(after.department, dept);
      else if (action === 'return' || action === 'reopen') assert.equal(after.department, null);
      else assert.equal(after.department, t.department);
      if (action === 'accept') assert.equal(after.assignee, user);
      else if (['dispatch', 'transfer', 'return', 'reopen'].includes(action)) assert.equal(after.assignee, null);
      else assert.equal(after.assignee, t.assignee);
      actions[n] += 1;
      used[action] = (used[action] || 0) + 1;
      done++;
    }
    assert.equal(done, 200, `only ${done} actions in ${attempts} attempts`);
    ctx.diagnostic(`walk: ${JSON.stringify(used)}`);
    for (const a of ['submit', 'dispatch', 'return', 'accept', 'transfer', 'reply', 'reject', 'close', 'reopen', 'urge', 'comment'])
      assert.ok(used[a], `the walk took no '${a}': change the seed`);

    // the counters against a recount of every ticket
    const tickets = await allTickets(u.admin);
    assert.equal(tickets.length, 20);
    assert.equal(new Set(tickets.map((t) => t.number)).size, 20, 'pagination neither repeats nor skips');
    const q = (await u.admin.get('/api/v1/queues')).body;
    const want = recount(tickets);
    assert.deepEqual(cells(q.items), want);
    assert.equal(q.total, 20);
    assert.equal(q.overdue, tickets.filter((t) => t.overdue).length);
    for (const [state, c] of Object.entries(q.by_state)) {
      const mine = tickets.filter((t) => t.state === state);
      assert.deepEqual(c, { total: mine.length, overdue: mine.filter((t) => t.overdue).length }, state);
    }
    // every successful action wrote one history row (plus create and the sweep's)
    for (const t of tickets) {
      const rows = await history(u.admin, t.number);
      const overdueRows = rows.filter((h) => h.action === 'overdue').length;
      assert.equal(rows.length, 1 + actions[t.number] + overdueRows, t.number);
      assert.ok(overdueRows <= 1);
      assert.equal(overdueRows, marked.includes(t.number) ? 1 : 0, `${t.number} overdue rows`);
    }
    // handlers see only their department's rows
    for (const h of ['handler_net1', 'handler_vas1', 'handler_km1']) {
      const dept = USERS[h].department;
      const mine = (await u[h].get('/api/v1/queues')).body;
      assert.ok(mine.items.every((x) => x.department === dept), `${h}: ${JSON.stringify(mine.items)}`);
      assert.deepEqual(mine.items, q.items.filter((x) => x.department === dept));
    }
    // and the audit recounts too (while the server runs: WAL)
    auditOk(srv.db);
  } finally {
    await stopClean(srv);
  }
});

test('tamper test: history rows edited or deleted with sqlite3 are detected by `gongdan audit verify`', async () => {
  const srv = await startServer({ keep: true });
  const dir = srv.dir;
  try {
    const u = clients(srv);
    const a = await ticketIn(u, 'closed'); // create, submit, dispatch, accept, reply, close: 6 rows
    const b = await ticketIn(u, 'in_progress', { via: 'VAS' });
    await ok(u.agent1, b.number, 'comment');
    const c = await draft(u.agent1);
    // the database itself refuses edits and deletes of history
    let r = sqlite(srv.db, `UPDATE history SET text = 'x' WHERE seq = 1;`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /append-only/);
    r = sqlite(srv.db, `DELETE FROM history WHERE seq = 1;`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /append-only/);
    auditOk(srv.db);
    assert.equal((await history(u.admin, a.number)).length, 6);
    // consistent copies, taken while the server runs
    const copy = (name) => {
      const p = join(dir, `${name}.db`);
      sqliteOk(srv.db, `.backup '${p}'`);
      return p;
    };
    const untouched = copy('untouched');
    const tid = (num) => `(SELECT id FROM tickets WHERE number = '${num}')`;
    const tamper = (name, sql) => {
      const p = copy(name);
      sqliteOk(p, `DROP TRIGGER history_no_update; DROP TRIGGER history_no_delete; ${sql}`);
      return cli(['audit', 'verify', '--db', p]);
    };
    // (a) a row's text edited
    r = tamper('edited', `UPDATE history SET text = '已处理完毕（篡改）' WHERE ticket_id = ${tid(a.number)} AND seq = 5;`);
    assert.notEqual(r.status, 0, 'an edited row is detected');
    assert.match(r.stderr, new RegExp(`${a.number}.*row 5`));
    // other columns too: the actor, the time, the inputs
    r = tamper('actor', `UPDATE history SET actor_id = (SELECT id FROM users WHERE username = 'supervisor1') WHERE ticket_id = ${tid(b.number)} AND seq = 4;`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${b.number}.*row 4`));
    r = tamper('at', `UPDATE history SET at = at - 86400 WHERE ticket_id = ${tid(a.number)} AND seq = 6;`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${a.number}.*row 6`));
    r = tamper('inputs', `UPDATE history SET inputs = '{"department":"BILL"}' WHERE ticket_id = ${tid(a.number)} AND seq = 3;`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${a.number}.*row 3`));
    // (b) a middle row deleted
    r = tamper('middle', `DELETE FROM history WHERE ticket_id = ${tid(a.number)} AND seq = 3;`);
    assert.notEqual(r.status, 0, 'a deleted middle row is detected');
    assert.match(r.stderr, new RegExp(`${a.number}.*row 3`));
    // ... even when the later rows are renumbered to close the gap
    r = tamper('renumbered', `DELETE FROM history WHERE ticket_id = ${tid(a.number)} AND seq = 3;
      UPDATE history SET seq = seq - 1 WHERE ticket_id = ${tid(a.number)} AND seq > 3;`);
    assert.notEqual(r.status, 0, 'a deleted and renumbered row is detected');
    assert.match(r.stderr, new RegExp(a.number));
    // (c) the newest row deleted: only the ticket's anchor tells
    r = tamper('newest', `DELETE FROM history WHERE ticket_id = ${tid(a.number)} AND seq = 6;`);
    assert.notEqual(r.status, 0, 'a deleted newest row is detected');
    assert.match(r.stderr, new RegExp(a.number));
    r = tamper('only', `DELETE FROM history WHERE ticket_id = ${tid(c.number)};`);
    assert.notEqual(r.status, 0, 'a ticket whose whole history is gone is detected');
    assert.match(r.stderr, new RegExp(c.number));
    r = tamper('only-and-anchor', `DELETE FROM history WHERE ticket_id = ${tid(c.number)};
      UPDATE tickets SET history_hash = NULL WHERE number = '${c.number}';`);
    assert.notEqual(r.status, 0, 'a ticket without any history is detected, even with its anchor cleared');
    assert.match(r.stderr, new RegExp(`${c.number}.*row 1`));
    r = tamper('anchor', `UPDATE tickets SET history_hash = NULL WHERE number = '${b.number}';`);
    assert.notEqual(r.status, 0, 'a cleared anchor is detected');
    assert.match(r.stderr, new RegExp(b.number));
    // a forged row appended at the end
    r = tamper('forged', `INSERT INTO history (ticket_id, seq, at, actor_id, actor_role, action, from_state, to_state, text, prev_hash, hash)
      SELECT ticket_id, seq + 1, at, actor_id, actor_role, 'comment', to_state, to_state, '伪造', hash, hash
        FROM history WHERE ticket_id = ${tid(a.number)} AND seq = 6;`);
    assert.notEqual(r.status, 0, 'a forged row is detected');
    assert.match(r.stderr, new RegExp(`${a.number}.*row 7`));
    // the counters are audited too
    const qc = copy('counters');
    sqliteOk(qc, `UPDATE queue_counts SET total = total + 1 WHERE state = 'closed';`);
    r = cli(['audit', 'verify', '--db', qc]);
    assert.notEqual(r.status, 0, 'a wrong queue counter is detected');
    assert.match(r.stderr, /queue counters/);
    // the untouched copy and the live database verify
    auditOk(untouched);
    auditOk(srv.db);
  } finally {
    try { await stopClean(srv); } finally { rmSync(dir, { recursive: true, force: true }); }
  }
});

test('SLA sweep: overdue tickets are marked once, raised to urgent, filtered and counted; closed ones never', async () => {
  const srv = await startServer({ args: ['--sla-interval', '1'] });
  try {
    const u = clients(srv);
    const a = await ticketIn(u, 'dispatched');
    const d = await ticketIn(u, 'in_progress');
    const b = await ticketIn(u, 'closed');
    const c = await ticketIn(u, 'pending_dispatch');
    const e = await draft(u.agent1); // never submitted: no deadline
    sqliteOk(srv.db, `UPDATE tickets SET deadline = unixepoch() - 60 WHERE number IN ('${a.number}', '${b.number}', '${d.number}');`);
    await waitFor('the sweep to mark the ticket', async () => (await get(u.admin, a.number)).overdue);
    await sleep(2500); // at least two more sweeps
    const ta = await get(u.admin, a.number);
    assert.equal(ta.overdue, true);
    assert.equal(ta.priority, 'urgent');
    assert.equal(ta.state, 'dispatched');
    assert.equal(ta.version, a.version + 1, 'marked once');
    const rows = (await history(u.agent1, a.number)).filter((h) => h.action === 'overdue');
    assert.equal(rows.length, 1, 'one overdue row whatever the number of sweeps');
    assert.equal(rows[0].actor, null, 'the server itself');
    assert.equal(rows[0].role, 'system');
    assert.equal(rows[0].from_state, 'dispatched');
    assert.equal(rows[0].to_state, 'dispatched');
    assert.equal(rows[0].department, 'NET');
    assert.match(rows[0].text, /overdue/);
    // the closed one is never marked
    const tb = await get(u.admin, b.number);
    assert.equal(tb.overdue, false);
    assert.equal(tb.priority, 'normal');
    assert.equal(tb.version, b.version);
    assert.equal((await history(u.admin, b.number)).filter((h) => h.action === 'overdue').length, 0);
    assert.equal((await get(u.admin, c.number)).overdue, false, 'deadline ahead');
    assert.equal((await get(u.admin, e.number)).overdue, false, 'no deadline');
    // overdue=true / false
    const list = async (who, q) => (await who.get(`/api/v1/tickets?${q}&limit=200`)).body.items.map((t) => t.number);
    const yes = await list(u.admin, 'overdue=true');
    assert.deepEqual(yes.sort(), [a.number, d.number].sort());
    const no = await list(u.admin, 'overdue=false');
    assert.ok(no.includes(b.number) && no.includes(c.number) && no.includes(e.number));
    assert.ok(!no.includes(a.number) && !no.includes(d.number));
    assert.deepEqual((await list(u.handler_net1, 'overdue=true&state=dispatched')), [a.number]);
    // the queues count them
    let q = cells((await u.admin.get('/api/v1/queues')).body.items);
    assert.deepEqual(q['dispatched|NET'], { total: 1, overdue: 1 });
    assert.deepEqual(q['in_progress|NET'], { total: 1, overdue: 1 });
    assert.deepEqual(q['closed|NET'], { total: 1, overdue: 0 });
    assert.deepEqual(q['pending_dispatch|null'], { total: 1, overdue: 0 });
    // the overdue count follows the ticket; closing ends it; reopening restarts the clock
    await ok(u.handler_net1, d.number, 'reply');
    q = cells((await u.admin.get('/api/v1/queues')).body.items);
    assert.deepEqual(q['replied|NET'], { total: 1, overdue: 1 });
    assert.equal(q['in_progress|NET'], undefined);
    let td = await ok(u.supervisor1, d.number, 'close');
    assert.equal(td.overdue, false);
    q = cells((await u.admin.get('/api/v1/queues')).body.items);
    assert.deepEqual(q['closed|NET'], { total: 2, overdue: 0 });
    td = await ok(u.agent1, d.number, 'reopen');
    assert.equal(td.overdue, false);
    assert.ok(Date.parse(td.deadline) > Date.now(), 'a fresh deadline');
    await sleep(1500);
    assert.equal((await get(u.admin, d.number)).overdue, false, 'not marked again');
    // the closed ticket's deadline was moved behind the engine's back: put it
    // back before the audit, whose report counters follow the engine's writes
    sqliteOk(srv.db, `UPDATE tickets SET deadline = unixepoch('${b.deadline}') WHERE number = '${b.number}';`);
    auditOk(srv.db);
  } finally {
    await stopClean(srv);
  }
});

test('the graph is data: an action added with INSERTs is honoured without a rebuild', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-wf-'));
  const db = join(dir, 'test.db');
  const init = cli(['init', '--db', db, '--demo']);
  assert.equal(init.status, 0, init.stderr);
  sqliteOk(db, `INSERT INTO wf_actions(code, name, sort) VALUES('escalate', '升级', 13);
    INSERT INTO wf_transitions VALUES('escalate', 'in_progress', 'pending_dispatch', 'handler', 'department');
    INSERT INTO wf_inputs(action, name, kind, required) VALUES('escalate', 'comment', 'text', 1);
    DELETE FROM wf_transitions WHERE action = 'reopen' AND role = 'agent';`);
  const srv = await startServer({ dir });
  try {
    const u = clients(srv);
    const wf = (await u.agent1.get('/api/v1/workflow')).body;
    const esc = wf.actions.find((x) => x.code === 'escalate');
    // no English name or label in the rows: the Chinese name, then the input's name, stand in
    assert.deepEqual(esc, { code: 'escalate', name: '升级', name_en: '升级',
      inputs: [{ name: 'comment', label: 'comment', label_en: 'comment', kind: 'text', required: true, max: 2000 }] });
    const t = await ticketIn(u, 'in_progress');
    const n = t.number;
    assert.deepEqual((await get(u.handler_net1, n)).allowed_actions, ['return', 'transfer', 'reply', 'urge', 'comment', 'escalate']);
    assert.ok(!(await get(u.agent1, n)).allowed_actions.includes('escalate'));
    // refused for an agent and a dispatcher (403), in the wrong state (409), without its input (422)
    let r = await act(u.agent1, n, 'escalate', { comment: '升级' });
    assert.equal(r.status, 403, r.text);
    r = await act(u.dispatcher1, n, 'escalate', { comment: '升级' });
    assert.equal(r.status, 403, r.text);
    const x = await ticketIn(u, 'dispatched');
    r = await act(u.handler_net1, x.number, 'escalate', { comment: '升级' });
    assert.equal(r.status, 409, r.text);
    assert.match(errorOf(r).message, /return, accept, transfer, urge, comment/);
    r = await act(u.handler_net1, n, 'escalate', {});
    assert.equal(r.status, 422, r.text);
    assert.equal(errorOf(r).fields.comment, 'required');
    assert.equal((await get(u.admin, n)).version, t.version);
    // it runs, moves the state, and is recorded
    const after = await ok(u.handler_net1, n, 'escalate', { comment: '需省公司协调' });
    assert.equal(after.state, 'pending_dispatch');
    assert.equal(after.version, t.version + 1);
    const last = (await history(u.agent1, n)).at(-1);
    assert.deepEqual([last.action, last.action_name, last.actor, last.from_state, last.to_state, last.text],
      ['escalate', '升级', 'handler_net1', 'in_progress', 'pending_dispatch', '需省公司协调']);
    // a rule removed from the table is gone too: agents may no longer reopen
    const c = await ticketIn(u, 'closed');
    assert.deepEqual((await get(u.agent1, c.number)).allowed_actions, ['comment']);
    r = await act(u.agent1, c.number, 'reopen', inputsFor('reopen'));
    assert.equal(r.status, 403, r.text);
    await ok(u.supervisor1, c.number, 'reopen');
    auditOk(db);
  } finally {
    await stopClean(srv);
  }
});
