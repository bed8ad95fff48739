// events.test.mjs - live updates (issue 13): GET /api/v1/events as
// Server-Sent Events. Node has no EventSource: the stream is read from
// http.get and parsed here, as a browser would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { startServer, req, errorOf, sql, rssKiB, stopClean } from './lib.mjs';
import { clients, draft, ok, get, act, inputsFor, freshFault, sleep } from './workflow-lib.mjs';

// One stream: resolves once the answer's head is in (the subscription is
// registered before the head is sent). events: every parsed event, in order.
function subscribe(srv, headers = {}, path = '/api/v1/events') {
  return new Promise((resolve, reject) => {
    const s = { events: [], comments: [], ended: false, closed: false, status: 0, headers: {}, text: '' };
    const waiters = new Set();
    const check = () => { for (const w of waiters) w(); };
    let buf = '';
    const rq = http.get(srv.url + path, { headers, agent: false }, (res) => {
      s.status = res.statusCode;
      s.headers = res.headers;
      s.res = res;
      res.setEncoding('utf8');
      res.on('data', (d) => {
        s.text += d;
        buf += d;
        for (let at; (at = buf.indexOf('\n\n')) >= 0;) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const e = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { s.comments.push(line.slice(1).trim()); continue; }
            const m = line.match(/^([a-z]+): ?(.*)$/);
            if (m) e[m[1]] = m[2];
          }
          if (e.data !== undefined) e.json = JSON.parse(e.data);
          if (e.event) s.events.push(e);
        }
        check();
      });
      res.on('end', () => { s.ended = true; check(); });
      res.on('close', () => { s.closed = true; check(); });
      resolve(s);
    });
    rq.on('error', (err) => { s.closed = true; s.error = err; check(); reject(err); });
    s.close = () => rq.destroy();
    // resolves with the first event pred accepts, or fails after ms
    s.waitFor = (pred, ms = 3000, what = 'an event') => new Promise((res2, rej2) => {
      let w;
      let from = 0; // each waiter looks at every event once
      const t = setTimeout(() => {
        waiters.delete(w);
        rej2(new Error(`no ${what} within ${ms} ms; ${s.events.length} events, the last: ${JSON.stringify(s.events.slice(-3))}`));
      }, ms);
      w = () => {
        for (; from < s.events.length; from++) {
          if (!pred(s.events[from])) continue;
          clearTimeout(t);
          waiters.delete(w);
          res2(s.events[from]);
          return;
        }
      };
      waiters.add(w);
      w();
    });
    s.waitEnd = (ms = 3000) => new Promise((res2, rej2) => {
      let w;
      const t = setTimeout(() => { waiters.delete(w); rej2(new Error(`the stream did not end within ${ms} ms`)); }, ms);
      w = () => { if (s.ended || s.closed) { clearTimeout(t); waiters.delete(w); res2(); } };
      waiters.add(w);
      w();
    });
  });
}

const bearer = (c) => ({ authorization: `Bearer ${c.token}` });
const ticketEvents = (s, number) => s.events.filter((e) => e.event === 'ticket' && e.json.number === number);

async function metric(srv, name) {
  const text = (await req(srv.url, 'GET', '/metrics')).text;
  const m = text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

async function waitMetric(srv, name, pred, ms) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await metric(srv, name);
    if (pred(v)) return v;
    if (Date.now() > until) throw new Error(`${name} stayed ${v}`);
    await sleep(100);
  }
}

// n comment rows on a pending ticket, written behind the server's back (the
// sqlite3 shell): many events at once, published at the server's next commit
function addComments(db, number, n) {
  sql(db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
    INSERT INTO history (ticket_id, seq, at, actor_id, actor_role, action, from_state, to_state, text, prev_hash, hash)
    SELECT t.id, (SELECT max(seq) FROM history WHERE ticket_id = t.id) + i, t.created_at, t.created_by, 'agent',
           'comment', 'pending_dispatch', 'pending_dispatch', 'x', '', ''
      FROM n, tickets t WHERE t.number = '${number}';
    UPDATE tickets SET version = version + ${n} WHERE number = '${number}';`);
}

test('a change reaches every subscriber who may see the ticket, with the exact fields, and nobody else', async (t) => {
  const srv = await startServer();
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const watchers = ['dispatcher1', 'supervisor1', 'admin', 'agent1', 'agent2', 'handler_net1', 'handler_vas1', 'handler_km1'];
  const subs = {};
  for (const name of watchers) {
    subs[name] = await subscribe(srv, bearer(u[name]));
    assert.equal(subs[name].status, 200);
    assert.match(subs[name].headers['content-type'], /^text\/event-stream; charset=utf-8$/);
    assert.equal(subs[name].headers['cache-control'], 'no-store');
    assert.equal(subs[name].headers['x-accel-buffering'], 'no');
  }
  // agent1's ticket, dispatched to NET by dispatcher1
  const t1 = await draft(u.agent1);
  await ok(u.agent1, t1.number, 'submit');
  const dispatched = await ok(u.dispatcher1, t1.number, 'dispatch', { department: 'NET' });
  const sent = Date.now();
  const e = await subs.dispatcher1.waitFor((x) => x.event === 'ticket' && x.json.number === t1.number && x.json.action === 'dispatch', 1000);
  assert.ok(Date.now() - sent <= 1000, 'within a second');
  assert.deepEqual(Object.keys(e.json), ['number', 'state', 'department', 'version', 'action', 'at']);
  assert.deepEqual({ ...e.json, at: undefined },
    { number: t1.number, state: 'dispatched', department: 'NET', version: dispatched.version, action: 'dispatch', at: undefined });
  assert.match(e.json.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(e.id, /^[1-9]\d*$/);
  // the ticket page open in two places: the creator and the handling department see it at once
  await subs.agent1.waitFor((x) => x.id === e.id, 1000);
  await subs.handler_net1.waitFor((x) => x.id === e.id, 1000);
  await subs.dispatcher1.waitFor((x) => x.event === 'queues', 2000, 'a queues event');

  // agent2 serves the same customer later: then it may open agent1's ticket (历史故障)
  const t2 = await draft(u.agent2, { fault_number: t1.fault_number });
  await ok(u.dispatcher1, t1.number, 'comment');
  // a VAS ticket of agent2's: the sentinel every stream must reach (events come in id order)
  const t3 = await draft(u.agent2);
  await ok(u.agent2, t3.number, 'submit');
  await ok(u.dispatcher1, t3.number, 'dispatch', { department: 'VAS' });
  const t4 = await draft(u.agent1);
  await ok(u.agent1, t4.number, 'submit');
  await ok(u.dispatcher1, t4.number, 'dispatch', { department: 'KM' });
  await ok(u.supervisor1, t4.number, 'comment');
  const numbers = [t1.number, t2.number, t3.number, t4.number];
  // the versions each stream must get of t1..t4: a change reaches whoever may
  // see the ticket when it happens (a handler from the dispatch to its
  // department on, agent2 from the moment it served the same customer)
  const all = { [t1.number]: [1, 2, 3, 4], [t2.number]: [1], [t3.number]: [1, 2, 3], [t4.number]: [1, 2, 3, 4] };
  const none = { [t1.number]: [], [t2.number]: [], [t3.number]: [], [t4.number]: [] };
  const expected = {
    dispatcher1: all, supervisor1: all, admin: all,
    agent1: { ...none, [t1.number]: [1, 2, 3, 4], [t2.number]: [1], [t4.number]: [1, 2, 3, 4] },
    agent2: { ...none, [t1.number]: [4], [t2.number]: [1], [t3.number]: [1, 2, 3] },
    handler_net1: { ...none, [t1.number]: [3, 4] },
    handler_vas1: { ...none, [t3.number]: [3] },
    handler_km1: { ...none, [t4.number]: [3, 4] },
  };
  for (const name of watchers) {
    const want = expected[name];
    const lastOf = Object.entries(want).filter(([, v]) => v.length).map(([n, v]) => [n, v.at(-1)]);
    for (const [n, v] of lastOf)
      await subs[name].waitFor((x) => x.event === 'ticket' && x.json.number === n && x.json.version === v, 2000, `${name}: ${n} v${v}`);
  }
  await sleep(300); // anything that should not come would have come by now
  for (const name of watchers) {
    for (const n of numbers) {
      assert.deepEqual(ticketEvents(subs[name], n).map((x) => x.json.version), expected[name][n], `${name}: the events of ${n}`);
      // the same rule as GET /api/v1/tickets/{number}
      const status = (await u[name].get(`/api/v1/tickets/${n}`)).status;
      assert.equal(status, expected[name][n].length ? 200 : 404, `${name} GET ${n}`);
    }
  }
  // ids only grow along one stream
  const ids = subs.admin.events.filter((x) => x.id).map((x) => Number(x.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.equal(new Set(ids).size, ids.length);
  for (const s of Object.values(subs)) s.close();
});

test('resume with Last-Event-ID: exactly what was missed, in order; too far behind or unknown: reset', async (t) => {
  const srv = await startServer({ args: ['--event-keepalive', '1'] });
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const tk = await draft(u.agent1);
  let s = await subscribe(srv, bearer(u.dispatcher1));
  await ok(u.agent1, tk.number, 'submit');
  const first = await s.waitFor((x) => x.json?.action === 'submit');
  s.close();
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await ok(u.dispatcher1, tk.number, 'comment', { comment: `第${i + 1}次备注` }));
  s = await subscribe(srv, { ...bearer(u.dispatcher1), 'last-event-id': first.id });
  await s.waitFor((x) => x.json?.version === made[2].version);
  await ok(u.dispatcher1, tk.number, 'urge'); // after the replay: live again
  await s.waitFor((x) => x.json?.action === 'urge');
  const got = s.events.filter((x) => x.event === 'ticket');
  assert.deepEqual(got.map((x) => [x.json.action, x.json.version]),
    [['comment', made[0].version], ['comment', made[1].version], ['comment', made[2].version], ['urge', made[2].version + 1]]);
  const ids = got.map((x) => Number(x.id));
  assert.ok(ids[0] > Number(first.id) && ids.every((v, i) => !i || v > ids[i - 1]), `ids in order: ${ids}`);
  s.close();
  // the same from the query, for clients that cannot set the header
  s = await subscribe(srv, bearer(u.dispatcher1), `/api/v1/events?last_event_id=${first.id}`);
  await s.waitFor((x) => x.json?.action === 'urge');
  assert.equal(s.events.filter((x) => x.event === 'ticket').length, 4);
  s.close();
  assert.equal((await req(srv.url, 'GET', '/api/v1/events?last_event_id=x', { headers: bearer(u.dispatcher1) })).status, 400);
  assert.equal((await req(srv.url, 'GET', '/api/v1/events?since=1', { headers: bearer(u.dispatcher1) })).status, 400);
  // an id this server never had
  s = await subscribe(srv, { ...bearer(u.dispatcher1), 'last-event-id': '999999' });
  const reset = await s.waitFor((x) => x.event === 'reset');
  assert.deepEqual(reset.json, { reason: 'unknown' });
  assert.equal(Number(reset.id), ids[3], 'a reset moves the client to the newest event');
  s.close();
  s = await subscribe(srv, { ...bearer(u.dispatcher1), 'last-event-id': 'garbage' });
  assert.deepEqual((await s.waitFor((x) => x.event === 'reset')).json, { reason: 'unknown' });
  s.close();
});

test('resume across a restart, and a client further behind than the server keeps is told to reset', async (t) => {
  const srv = await startServer({ keep: true });
  const u = clients(srv);
  const tk = await draft(u.agent1);
  const s = await subscribe(srv, bearer(u.dispatcher1));
  await ok(u.agent1, tk.number, 'submit');
  const seen = await s.waitFor((x) => x.json?.action === 'submit');
  s.close();
  await stopClean(srv);
  // more rows than the ring holds, written behind the server's back
  addComments(srv.db, tk.number, 5000);
  const again = await startServer({ dir: srv.dir });
  t.after(() => stopClean(again));
  const u2 = clients(again);
  const late = await subscribe(again, { ...bearer(u2.dispatcher1), 'last-event-id': seen.id });
  assert.deepEqual((await late.waitFor((x) => x.event === 'reset')).json, { reason: 'behind' });
  assert.equal(late.events.filter((x) => x.event === 'ticket').length, 0, 'nothing replayed after a reset');
  late.close();
  // one the ring still holds: the rows after it, from before the restart
  const top = Number(sql(again.db, 'SELECT max(id) FROM history'));
  const near = await subscribe(again, { ...bearer(u2.dispatcher1), 'last-event-id': String(top - 3) });
  await near.waitFor((x) => x.id === String(top));
  assert.deepEqual(near.events.filter((x) => x.event === 'ticket').map((x) => Number(x.id)), [top - 2, top - 1, top]);
  assert.equal(near.events.at(-1).json.version, 5002);
  near.close();
});

test('a subscriber that stops reading is dropped; memory stays bounded and the server keeps answering', async (t) => {
  // under `make asan` freed memory sits in ASan's quarantine (256 MiB by
  // default): a small one, so that RSS shows what the server holds
  const asan = process.env.ASAN_OPTIONS;
  const srv = await startServer({ env: asan ? { ASAN_OPTIONS: `${asan}:quarantine_size_mb=8` } : {} });
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const tk = await draft(u.agent1);
  await ok(u.agent1, tk.number, 'submit');
  const reader = await subscribe(srv, bearer(u.dispatcher1));
  // 20 that read nothing more: anything kept per subscriber would be kept 20 times
  const stuck = [];
  for (let i = 0; i < 20; i++) {
    stuck.push(await subscribe(srv, bearer(u.supervisor1)));
    stuck[i].res.pause();
  }
  assert.equal(await metric(srv, 'gongdan_event_clients'), 21);
  const rssBefore = rssKiB(srv.proc.pid);
  // 20,000 events: far more than the ring and every socket buffer hold
  for (let round = 0; round < 4; round++) {
    addComments(srv.db, tk.number, 5000);
    await ok(u.dispatcher1, tk.number, 'comment'); // a commit: the publisher reads all of it
    const health = await req(srv.url, 'GET', '/healthz');
    assert.equal(health.status, 200, 'the server answers meanwhile');
  }
  const top = sql(srv.db, 'SELECT max(id) FROM history');
  await reader.waitFor((x) => x.id === top, 10000, 'the reader keeps up');
  // the watchdog drops the one that does not read (its chunk is not taken within the grace)
  await waitMetric(srv, 'gongdan_event_clients', (v) => v === 1, 30000);
  const rssAfter = rssKiB(srv.proc.pid);
  t.diagnostic(`RSS ${rssBefore} KiB before 20,000 events, ${rssAfter} KiB after`);
  // the ring (4,096 events) and 21 sockets' buffers; a copy of the events per
  // subscriber would be 20 x 20,000 x ~230 bytes, some 90 MiB
  assert.ok(rssAfter - rssBefore < (asan ? 48 : 16) * 1024, `RSS grew by ${rssAfter - rssBefore} KiB`);
  assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200);
  assert.ok(!reader.ended && !reader.closed, 'the reading client is still connected');
  reader.close();
  for (const x of stuck) x.close();
});

test('the cap answers 503 with Retry-After; no credentials answer 401; both in the error shape', async (t) => {
  const srv = await startServer({ args: ['--max-event-clients', '3', '--event-keepalive', '1'] });
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const open = [];
  for (let i = 0; i < 3; i++) {
    open.push(await subscribe(srv, bearer(u.dispatcher1)));
    assert.equal(open[i].status, 200);
  }
  const full = await req(srv.url, 'GET', '/api/v1/events', { headers: bearer(u.dispatcher1) });
  assert.equal(full.status, 503);
  assert.equal(errorOf(full).code, 'unavailable');
  assert.equal(full.headers.get('retry-after'), '30');
  assert.equal(await metric(srv, 'gongdan_event_clients_refused_total'), 1);
  // a client that leaves frees its place (found at the latest at its next keep-alive)
  open.pop().close();
  await waitMetric(srv, 'gongdan_event_clients', (v) => v === 2, 5000);
  const again = await subscribe(srv, bearer(u.dispatcher1));
  assert.equal(again.status, 200);
  open.push(again);
  const anon = await req(srv.url, 'GET', '/api/v1/events');
  assert.equal(anon.status, 401);
  assert.equal(errorOf(anon).code, 'unauthorized');
  const forged = await req(srv.url, 'GET', '/api/v1/events', { headers: { authorization: 'Bearer gd_' + 'A'.repeat(43) } });
  assert.equal(forged.status, 401);
  assert.equal((await req(srv.url, 'POST', '/api/v1/events', { headers: bearer(u.dispatcher1), body: {} })).status, 405);
  for (const s of open) s.close();
});

// utime + stime of a process, in clock ticks (100 a second on Linux)
function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('50 idle subscribers cost no CPU, and keep-alives flow', async (t) => {
  const srv = await startServer({ args: ['--event-keepalive', '1'] });
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const subs = [];
  for (let i = 0; i < 50; i++) subs.push(await subscribe(srv, bearer(i % 2 ? u.dispatcher1 : u.handler_net1)));
  assert.equal(await metric(srv, 'gongdan_event_clients'), 50);
  await sleep(300);
  const before = cpuTicks(srv.proc.pid);
  await sleep(2000);
  const used = cpuTicks(srv.proc.pid) - before;
  // 5% of a core over 2 s is 10 ticks; a stream that spins burns 200
  assert.ok(used < 10, `the server used ${used} ticks of CPU in 2 s with 50 idle streams`);
  for (const s of subs) assert.ok(s.comments.includes('keep-alive'), 'a keep-alive within two seconds');
  assert.ok(subs.every((s) => !s.ended && !s.closed));
  for (const s of subs) s.close();
});

test('logout ends the session\'s stream; a revoked token ends its stream', async (t) => {
  const srv = await startServer();
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const login = await req(srv.url, 'POST', '/api/v1/session', { body: { username: 'dispatcher1', password: 'demo-dispatcher1' } });
  assert.equal(login.status, 200, login.text);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  // what `new EventSource('/api/v1/events')` sends from the page: the cookie only
  const s = await subscribe(srv, { cookie, accept: 'text/event-stream' });
  assert.equal(s.status, 200);
  const tk = await draft(u.agent1);
  await s.waitFor((x) => x.json?.number === tk.number);
  const out = await req(srv.url, 'DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': login.body.csrf_token } });
  assert.equal(out.status, 204);
  const end = await s.waitFor((x) => x.event === 'end', 2000, 'the end event');
  assert.deepEqual(end.json, { reason: 'logged_out' });
  await s.waitEnd(2000);
  assert.equal((await req(srv.url, 'GET', '/api/v1/events', { headers: { cookie } })).status, 401);
  // a token an admin revokes
  const made = await u.admin.post('/api/v1/tokens', { username: 'handler_net1', name: 'wall display' });
  assert.equal(made.status, 201, made.text);
  const ts = await subscribe(srv, { authorization: `Bearer ${made.body.token}` });
  assert.equal(ts.status, 200);
  assert.equal((await u.admin.del(`/api/v1/tokens/${made.body.id}`)).status, 204);
  assert.deepEqual((await ts.waitFor((x) => x.event === 'end', 2000)).json, { reason: 'logged_out' });
  await ts.waitEnd(2000);
  // a user whose department changes: the stream ends, the reconnect sees with the new one
  const us = await subscribe(srv, bearer(u.handler_km1));
  const users = (await u.admin.get('/api/v1/users')).body.items;
  const km = users.find((x) => x.username === 'handler_km1');
  assert.equal((await u.admin.patch(`/api/v1/users/${km.id}`, { department: 'VAS' })).status, 200);
  assert.deepEqual((await us.waitFor((x) => x.event === 'end', 2000)).json, { reason: 'logged_out' });
});

test('SIGTERM with live streams: each gets `end`, and the server stops cleanly', async () => {
  const srv = await startServer();
  const u = clients(srv);
  const subs = [];
  for (let i = 0; i < 5; i++) subs.push(await subscribe(srv, bearer(u.dispatcher1)));
  const stuck = await subscribe(srv, bearer(u.dispatcher1));
  stuck.res.pause();
  const started = Date.now();
  await stopClean(srv);
  assert.ok(Date.now() - started < 15000);
  for (const s of subs) {
    await s.waitEnd(2000);
    assert.deepEqual(s.events.at(-1), { event: 'end', data: '{"reason":"stopping"}', json: { reason: 'stopping' } });
  }
  stuck.close();
});

test('a draft edit is an event; an edit that changes nothing is none', async (t) => {
  const srv = await startServer();
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const tk = await draft(u.agent1);
  const s = await subscribe(srv, bearer(u.agent1));
  const same = await u.agent1.patch(`/api/v1/tickets/${tk.number}`, { subject: tk.subject });
  assert.equal(same.status, 200);
  const edited = await u.agent1.patch(`/api/v1/tickets/${tk.number}`, { subject: '改过的主题' });
  assert.equal(edited.status, 200, edited.text);
  const e = await s.waitFor((x) => x.json?.action === 'edit');
  assert.deepEqual({ ...e.json, at: 0 }, { number: tk.number, state: 'draft', department: null, version: edited.body.version, action: 'edit', at: 0 });
  assert.equal(ticketEvents(s, tk.number).length, 1);
  assert.equal((await act(u.agent1, tk.number, 'submit', inputsFor('submit'))).status, 200);
  await s.waitFor((x) => x.json?.action === 'submit');
  assert.equal((await get(u.agent1, tk.number)).version, ticketEvents(s, tk.number).at(-1).json.version);
  void freshFault;
  s.close();
});

test('an open stream does not keep an idle session alive: its checks are no use of it, and expiry ends it', async (t) => {
  const srv = await startServer({ args: ['--event-keepalive', '1'] });
  t.after(() => stopClean(srv));
  const login = await req(srv.url, 'POST', '/api/v1/session', { body: { username: 'agent1', password: 'demo-agent1' } });
  assert.equal(login.status, 200, login.text);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  // the session was last used two hours ago (of its eight idle hours)
  const seen = Math.floor(Date.now() / 1000) - 7200;
  sql(srv.db, `UPDATE sessions SET last_seen = ${seen}`);
  const s = await subscribe(srv, { cookie });
  assert.equal(s.status, 200); // this request is a use of it
  sql(srv.db, `UPDATE sessions SET last_seen = ${seen}`);
  await sleep(2500); // two keep-alives, each checking the session
  assert.ok(s.comments.filter((c) => c === 'keep-alive').length >= 2, `keep-alives: ${s.comments}`);
  assert.equal(Number(sql(srv.db, 'SELECT last_seen FROM sessions')), seen, 'the checks did not touch the session');
  // idle for eight hours: the next check ends the stream
  sql(srv.db, `UPDATE sessions SET last_seen = ${seen - 8 * 3600}`);
  assert.deepEqual((await s.waitFor((x) => x.event === 'end', 3000)).json, { reason: 'logged_out' });
  await s.waitEnd(2000);
});

test('a bulk dispatch is one event per ticket, in one commit, and one `queues` hint', async (t) => {
  const srv = await startServer();
  t.after(() => stopClean(srv));
  const u = clients(srv);
  const numbers = [];
  for (let i = 0; i < 3; i++) {
    const tk = await draft(u.agent1);
    await ok(u.agent1, tk.number, 'submit');
    numbers.push(tk.number);
  }
  const s = await subscribe(srv, bearer(u.handler_net1));
  const r = await u.dispatcher1.post('/api/v1/tickets/actions/dispatch',
    { tickets: numbers.map((number) => ({ number })), inputs: { department: 'NET' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.done, 3, r.text);
  for (const n of numbers) await s.waitFor((x) => x.json?.number === n && x.json.action === 'dispatch', 2000);
  await s.waitFor((x) => x.event === 'queues', 2000);
  await sleep(1500); // a second hint would come within the second after the first
  assert.equal(s.events.filter((x) => x.event === 'queues').length, 1);
  assert.deepEqual(s.events.filter((x) => x.event === 'ticket').map((x) => x.json.number), numbers);
  s.close();
});
