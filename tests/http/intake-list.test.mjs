// intake-list.test.mjs - GET /api/v1/tickets (SPEC §6): every filter, alone
// and in every combination, returns exactly the tickets an independent
// filter over the whole set picks; what each role's list holds; cursor
// pagination stable under concurrent inserts; bad parameters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, errorOf, netTicket } from './lib.mjs';
import { clients, sql, freshMobile, vasTicket, create, listAll, numbers, invalid, localDay, stopClean } from './intake-lib.mjs';

let srv, u, all, customer;
const DAY = 86400 * 1000;

before(async () => {
  srv = await startServer({ args: ['--sla-interval', '1'] });
  u = clients(srv);
  customer = freshMobile('158');
  const dispatch = async (t, department) => {
    const r = await u.dispatcher1.post(`/api/v1/tickets/${t.number}/actions/dispatch`, { department });
    assert.equal(r.status, 200, r.text);
  };
  const accept = async (who, t) => assert.equal((await u[who].post(`/api/v1/tickets/${t.number}/actions/accept`, {})).status, 200);
  await create(u.agent1, netTicket({ fault_number: '08711234567' }));
  const late1 = await create(u.agent1, netTicket({ category: 'NET.DROP', fault_number: '06911234567', submit: true }));
  const late2 = await create(u.agent1, { category: 'BILL.DISPUTE', fault_number: customer, subject: '话费争议', submit: true });
  await dispatch(late2, 'BILL');
  const vas = await create(u.agent1, vasTicket({ region: 'DL', submit: true }));
  await dispatch(vas, 'VAS');
  await accept('handler_vas1', vas);
  const net = await create(u.agent2, netTicket({ category: 'NET.DATA', fault_number: '08717654321', submit: true }));
  await dispatch(net, 'NET');
  await accept('handler_net1', net);
  await create(u.agent2, { category: 'DATA.WBB.CONNECT', fault_number: customer, subject: '无线宽带连不上' });
  await create(u.agent2, vasTicket({ category: 'VAS.DL.BREW.NOCANCEL', fault_number: customer, submit: true }));
  await dispatch(await create(u.agent1, netTicket({ fault_number: freshMobile(), submit: true })), 'NET');
  await create(u.agent1, vasTicket({ category: 'BIZ.GROUP', fault_number: '06921234567' }));
  await create(u.admin, vasTicket({ category: 'SVC.ATTITUDE', region: 'KM' }));
  for (let i = 0; i < 12; i++)
    await create(u[i % 3 ? 'agent1' : 'agent2'], vasTicket({ category: i % 2 ? 'VAS.MMS.TARIFF' : 'VAS.DL.JAVA.OTHER', submit: i % 4 === 0 }));
  // two tickets past their deadline: moved back with the CLI (the deadline
  // is not searched text), then marked by the server's own SLA sweep
  sql(srv.db, `UPDATE tickets SET deadline = unixepoch() - 60 WHERE number IN ('${late1.number}', '${late2.number}')`);
  for (let i = 0; i < 100 && !(await u.admin.get(`/api/v1/tickets/${late2.number}`)).body.overdue; i++)
    await new Promise((r) => setTimeout(r, 100));
  all = await listAll(u.admin);
  assert.equal(all.filter((t) => t.overdue).length, 2, 'the sweep marked both');
});
after(async () => { await stopClean(srv); });

// The independent oracle: what a filter must pick from the whole set.
const under = (code, c) => code === c || code.startsWith(c + '.');
function pick(items, f, me) {
  return items.filter((t) =>
    (f.state === undefined || t.state === f.state) &&
    (f.department === undefined || t.department === f.department) &&
    (f.category === undefined || under(t.category, f.category)) &&
    (f.region === undefined || t.region === f.region) &&
    (f.assignee === undefined || t.assignee === (f.assignee === 'me' ? me : f.assignee)) &&
    (f.created_by === undefined || t.created_by === (f.created_by === 'me' ? me : f.created_by)) &&
    (f.fault_number === undefined || t.fault_number === f.fault_number) &&
    (f.overdue === undefined || t.overdue === (f.overdue === 'true')) &&
    (f.from === undefined || t.created_at >= f.from) &&
    (f.to === undefined || t.created_at < f.to));
}
const qs = (f) => Object.entries(f).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
async function check(who, f, scope = (t) => true) {
  const got = numbers(await listAll(u[who], qs(f)));
  const want = numbers(pick(all.filter(scope), f, who));
  assert.deepEqual(got, want, `${who} ?${qs(f)}`);
  return got;
}

test('the data set covers every filter', () => {
  assert.ok(all.length >= 22);
  for (const s of ['draft', 'pending_dispatch', 'dispatched', 'in_progress']) assert.ok(all.some((t) => t.state === s), s);
  assert.deepEqual(numbers(all), numbers(all).slice().sort().reverse(), 'newest first');
});

test('each filter alone returns exactly the right tickets', async () => {
  const cases = [
    { state: 'draft' }, { state: 'pending_dispatch' }, { state: 'dispatched' }, { state: 'in_progress' }, { state: 'closed' },
    { department: 'NET' }, { department: 'VAS' }, { department: 'BILL' }, { department: 'ENT' },
    { category: 'NET' }, { category: 'NET.SIGNAL' }, { category: 'VAS' }, { category: 'VAS.DL' }, { category: 'VAS.DL.BREW' },
    { category: 'DATA' }, { category: 'BILL.DISPUTE' },
    { region: 'KM' }, { region: 'XSBN' }, { region: 'DL' }, { region: 'PROV' }, { region: 'DH' }, { region: 'LJ' },
    { assignee: 'handler_net1' }, { assignee: 'handler_vas1' }, { assignee: 'agent1' },
    { created_by: 'agent1' }, { created_by: 'agent2' }, { created_by: 'admin' }, { created_by: 'me' },
    { fault_number: customer }, { fault_number: '08711234567' }, { fault_number: '13000000000' },
    { overdue: 'true' }, { overdue: 'false' },
  ];
  for (const f of cases) {
    const got = await check('dispatcher1', f);
    if (!(f.overdue === 'false') && !('created_by' in f && f.created_by === 'me') && !(f.state === 'closed') &&
        !(f.department === 'ENT') && !(f.region === 'LJ') && !(f.assignee === 'agent1') && !(f.fault_number === '13000000000'))
      assert.ok(got.length > 0, `?${qs(f)} is not a vacuous case`);
  }
  // a parent code matches its whole subtree, and only it
  const net = await listAll(u.dispatcher1, 'category=NET');
  assert.ok(net.length >= 3 && net.every((t) => t.category.startsWith('NET.')));
  assert.ok(new Set(net.map((t) => t.category)).size >= 3);
});

test('assignee=me and created_by=me are the caller', async () => {
  assert.deepEqual(await check('handler_net1', { assignee: 'me' }, (t) => t.department === 'NET'), numbers(all.filter((t) => t.assignee === 'handler_net1')));
  assert.equal((await check('handler_vas1', { assignee: 'me' }, (t) => t.department === 'VAS')).length, 1);
  assert.equal((await check('handler_net2', { assignee: 'me' }, (t) => t.department === 'NET')).length, 0);
  const mine = await check('agent2', { created_by: 'me' }, (t) => t.created_by === 'agent2');
  assert.ok(mine.length >= 5);
  assert.deepEqual(mine, numbers(all.filter((t) => t.created_by === 'agent2')));
  await check('agent1', { created_by: 'me' }, (t) => t.created_by === 'agent1');
});

test('what each role\'s plain list holds', async () => {
  for (const who of ['dispatcher1', 'supervisor1', 'admin']) assert.deepEqual(numbers(await listAll(u[who])), numbers(all), who);
  for (const who of ['agent1', 'agent2']) assert.deepEqual(numbers(await listAll(u[who])), numbers(all.filter((t) => t.created_by === who)), who);
  assert.deepEqual(numbers(await listAll(u.handler_net1)), numbers(all.filter((t) => t.department === 'NET')));
  assert.deepEqual(numbers(await listAll(u.handler_vas1)), numbers(all.filter((t) => t.department === 'VAS')));
  assert.deepEqual(await listAll(u.handler_km1), []);
});

test('from / to: whole local days (to inclusive) and exact ISO times (to exclusive)', async () => {
  const today = localDay(new Date(), '-');
  const tomorrow = localDay(new Date(Date.now() + DAY), '-');
  const yesterday = localDay(new Date(Date.now() - DAY), '-');
  assert.equal((await listAll(u.dispatcher1, `from=${today}`)).length, all.length);
  assert.equal((await listAll(u.dispatcher1, `to=${today}`)).length, all.length);
  assert.equal((await listAll(u.dispatcher1, `from=${today}&to=${today}`)).length, all.length);
  assert.equal((await listAll(u.dispatcher1, `from=${tomorrow}`)).length, 0);
  assert.equal((await listAll(u.dispatcher1, `to=${yesterday}`)).length, 0);
  assert.equal((await listAll(u.dispatcher1, `from=${today}&to=${yesterday}`)).length, 0);
  const times = [...new Set(all.map((t) => t.created_at))].sort();
  for (const at of [times[0], times[Math.floor(times.length / 2)], times.at(-1)]) {
    await check('dispatcher1', { from: at });
    await check('dispatcher1', { to: at });
    await check('dispatcher1', { from: times[0], to: at, state: 'draft' });
  }
  const late = new Date(Date.parse(times.at(-1)) + 1000).toISOString().replace('.000', '');
  await check('dispatcher1', { to: late });
  assert.equal((await listAll(u.dispatcher1, `from=${late}`)).length, 0);
});

test('every combination of filters agrees with the oracle (and never exhausts the server)', async () => {
  const values = {
    state: 'pending_dispatch', department: 'NET', category: 'VAS', region: 'KM', created_by: 'agent1',
    fault_number: customer, overdue: 'true', assignee: 'handler_net1',
  };
  const keys = Object.keys(values);
  const runs = [];
  for (let m = 1; m < 1 << keys.length; m++) {
    const f = Object.fromEntries(keys.filter((_, i) => m & (1 << i)).map((k) => [k, values[k]]));
    runs.push(f);
  }
  // dispatcher: everything visible; agent2: own tickets unless looking up a customer
  for (const f of runs) {
    const r = await u.dispatcher1.get(`/api/v1/tickets?limit=200&${qs(f)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(numbers(r.body.items), numbers(pick(all, f, 'dispatcher1')), `?${qs(f)}`);
  }
  for (const f of runs.filter((_, i) => i % 3 === 0)) {
    const scope = f.fault_number ? () => true : (t) => t.created_by === 'agent2';
    const r = await u.agent2.get(`/api/v1/tickets?limit=200&${qs(f)}`);
    assert.deepEqual(numbers(r.body.items), numbers(pick(all.filter(scope), f, 'agent2')), `agent2 ?${qs(f)}`);
  }
  for (const f of runs.filter((_, i) => i % 5 === 0)) {
    const r = await u.handler_net1.get(`/api/v1/tickets?limit=200&${qs(f)}`);
    assert.deepEqual(numbers(r.body.items), numbers(pick(all.filter((t) => t.department === 'NET'), f, 'handler_net1')), `handler ?${qs(f)}`);
  }
  assert.equal((await u.admin.get('/api/v1/tickets?limit=1')).status, 200, 'still serving');
});

test('limit and cursor: pages of exactly `limit`, in order, next_cursor null at the end', async () => {
  const first = await u.dispatcher1.get('/api/v1/tickets');
  assert.equal(first.body.items.length, Math.min(50, all.length), 'default limit 50');
  const pages = [];
  let cursor = null;
  do {
    const r = await u.dispatcher1.get(`/api/v1/tickets?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    pages.push(r.body.items);
    cursor = r.body.next_cursor;
    assert.ok(cursor === null || typeof cursor === 'string');
  } while (cursor);
  assert.ok(pages.slice(0, -1).every((p) => p.length === 4));
  assert.ok(pages.at(-1).length >= 1 && pages.at(-1).length <= 4);
  assert.deepEqual(numbers(pages.flat()), numbers(all));
  const exact = await u.dispatcher1.get(`/api/v1/tickets?limit=${all.length}`);
  assert.equal(exact.body.next_cursor, null, 'no next page when the last page is full');
  // a cursor combines with filters
  const vas = await listAll(u.dispatcher1, 'category=VAS');
  const p1 = await u.dispatcher1.get('/api/v1/tickets?category=VAS&limit=3');
  const p2 = await u.dispatcher1.get(`/api/v1/tickets?category=VAS&limit=3&cursor=${p1.body.next_cursor}`);
  assert.deepEqual(numbers([...p1.body.items, ...p2.body.items]), numbers(vas.slice(0, 6)));
});

test('paging with limit=5 while others create tickets: no duplicates, no gaps', async () => {
  const snapshot = numbers(await listAll(u.dispatcher1));
  const creating = Promise.all(Array.from({ length: 30 }, (_, i) =>
    u[i % 2 ? 'agent1' : 'agent2'].post('/api/v1/tickets', vasTicket({ subject: `翻页时新建 ${i}` }))));
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const r = await u.dispatcher1.get(`/api/v1/tickets?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...numbers(r.body.items));
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor);
  const created = (await creating).map((r) => { assert.equal(r.status, 201); return r.body.number; });
  assert.ok(pages >= snapshot.length / 5);
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  for (const n of snapshot) assert.ok(seen.includes(n), `gap: ${n}`);
  for (const n of seen) assert.ok(snapshot.includes(n) || created.includes(n), `stranger: ${n}`);
  assert.deepEqual(seen, seen.slice().sort().reverse(), 'newest first throughout');
  all = await listAll(u.admin);
});

test('bad parameters: unknown → 400, limit out of range → 400, bad dates → 400, unknown values → 422', async () => {
  const bad400 = ['bogus=1', 'State=draft', 'limit=0', 'limit=201', 'limit=-1', 'limit=abc', 'limit=', 'cursor=abc',
    'cursor=0', 'cursor=-5', 'from=2026-02-30', 'from=2026-13-01', 'to=2026-00-10', 'from=yesterday', 'from=2026-1-5',
    'from=2026-%201-05', 'from=', 'to=20261129', 'from=2026-11-29T25:00:00Z', 'to=2026-11-29T10:00:00', 'overdue=maybe'];
  for (const q of bad400) {
    const r = await u.dispatcher1.get(`/api/v1/tickets?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(errorOf(r).code, 'bad_request');
  }
  const named = await u.dispatcher1.get('/api/v1/tickets?bogus=1');
  assert.match(errorOf(named).message, /bogus/);
  assert.equal((await u.dispatcher1.get('/api/v1/tickets?limit=1')).status, 200);
  assert.equal((await u.dispatcher1.get('/api/v1/tickets?limit=200')).status, 200);
  // a mistyped value is refused, not answered with an empty list
  invalid(await u.dispatcher1.get('/api/v1/tickets?state=pending'), ['state']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?category=net.signal'), ['category']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?region=Kunming'), ['region']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?department=NETWORK'), ['department']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?assignee=nobody'), ['assignee']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?created_by=nobody&state=nope'), ['created_by', 'state']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?fault_number=12345'), ['fault_number']);
});
