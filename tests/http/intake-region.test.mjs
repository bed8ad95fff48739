// intake-region.test.mjs - the region suggestion (SPEC §2: area code, number
// segments imported with `gongdan segments import`, 省公司 otherwise), the
// region of a new ticket, and repeat complaints (重复投诉 / 历史故障): the
// count, and the customer's history as each role may see it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, errorOf, cli, netTicket } from './lib.mjs';
import { clients, sql, freshMobile, vasTicket, create, listAll, numbers, invalid, stopClean } from './intake-lib.mjs';

let srv, u, dir;
before(async () => { srv = await startServer(); u = clients(srv); dir = mkdtempSync(join(tmpdir(), 'gongdan-seg-')); });
after(async () => { await stopClean(srv); rmSync(dir, { recursive: true, force: true }); });

const lookup = async (number) => {
  const r = await u.agent1.get(`/api/v1/regions/lookup?number=${encodeURIComponent(number)}`);
  assert.equal(r.status, 200, r.text);
  return r.body.region;
};
const segments = () => sql(srv.db, 'SELECT group_concat(prefix || \'=\' || region, \' \') FROM (SELECT * FROM number_segments ORDER BY prefix)');

// --- lookup ----------------------------------------------------------------

test('lookup: fixed lines by area code, unknown numbers to 省公司', async () => {
  assert.equal(await lookup('08711234567'), 'KM');
  assert.equal(await lookup('087112345678'), 'KM');
  assert.equal(await lookup('06911234567'), 'XSBN');
  assert.equal(await lookup('08881234567'), 'LJ');
  assert.equal(await lookup('06921234567'), 'DH');
  assert.equal(await lookup('01012345678'), 'PROV', 'an area code outside the province');
  assert.equal(await lookup('13912345678'), 'PROV', 'a mobile without an imported segment');
  const regions = (await u.agent1.get('/api/v1/regions')).body;
  assert.equal(regions.find((x) => x.code === 'PROV').name, '省公司');
  assert.equal(regions.length, 17);
  // the parameter is required, and alone
  let r = await u.agent1.get('/api/v1/regions/lookup');
  assert.equal(r.status, 400);
  assert.ok(errorOf(r).fields.number);
  r = await u.agent1.get('/api/v1/regions/lookup?number=13912345678&x=1');
  assert.equal(r.status, 400);
  assert.equal((await u.agent1.get('/api/v1/regions/lookup?number=abc')).body.region, 'PROV');
});

test('segments import: good rows kept, header skipped, bad rows reported by line, exit 0', async () => {
  const file = join(dir, 'segments.csv');
  writeFileSync(file, [
    'prefix,region',       // 1 header
    '1390871,KM',          // 2
    '1390691,XSBN',        // 3
    '139087,KM',           // 4 wrong length
    '13908711,KM',         // 5 wrong length
    '13a0872,DL',          // 6 letters
    '1390872,XX',          // 7 unknown region
    '',                    // 8 blank
    ' 1390888 , LJ \r',    // 9 spaces and CRLF are fine
    '1390873',             // 10 no region
    '2390873,DL',          // 11 not a mobile prefix
    '1390872,DL',          // 12
  ].join('\n') + '\n');
  const r = cli(['segments', 'import', file, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  const bad = [...r.stderr.matchAll(/:(\d+): /g)].map((m) => Number(m[1]));
  assert.deepEqual(bad, [4, 5, 6, 7, 10, 11], r.stderr);
  assert.match(r.stderr, /:7: .*region/);
  assert.match(r.stdout, /imported 4\b/);
  assert.equal(segments(), '1390691=XSBN 1390871=KM 1390872=DL 1390888=LJ');
  // the running server answers from the new segments at once
  assert.equal(await lookup('13908710001'), 'KM');
  assert.equal(await lookup('13906919999'), 'XSBN');
  assert.equal(await lookup('13908880000'), 'LJ');
  assert.equal(await lookup('13908720000'), 'DL');
  assert.equal(await lookup('13908730000'), 'PROV');
  // a second import updates a prefix's region
  writeFileSync(file, '1390872,DH\n');
  assert.equal(cli(['segments', 'import', file, '--db', srv.db]).status, 0);
  assert.equal(await lookup('13908720000'), 'DH');
});

test('segments import: a CSV saved with a BOM (as Excel does) reads its first line', async () => {
  const file = join(dir, 'bom.csv');
  writeFileSync(file, '\ufeffprefix,region\r\n1391871,KM\r\n');
  let r = cli(['segments', 'import', file, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'the header is recognised');
  writeFileSync(file, '\ufeff1392871,KM\r\n');
  r = cli(['segments', 'import', file, '--db', srv.db]);
  assert.equal(r.stderr, '', 'the first row is a good row');
  assert.equal(await lookup('13928710000'), 'KM');
});

test('segments import: a missing file or bad arguments exit non-zero and change nothing', async () => {
  const before_ = segments();
  let r = cli(['segments', 'import', join(dir, 'missing.csv'), '--db', srv.db]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /missing\.csv/);
  r = cli(['segments', 'import', '--db', srv.db]);
  assert.notEqual(r.status, 0);
  r = cli(['segments', 'import', dir, '--db', srv.db]);
  assert.notEqual(r.status, 0, 'a directory is not a CSV file');
  assert.equal(segments(), before_);
});

// --- the region of a new ticket -----------------------------------------------

test('a ticket without region gets the suggestion; an explicit one overrides; unknown: 422', async () => {
  assert.equal((await create(u.agent1, vasTicket({ fault_number: '08711234567' }))).region, 'KM');
  let t = await create(u.agent1, vasTicket({ fault_number: '06917654321' }));
  assert.equal(t.region, 'XSBN');
  assert.equal(t.region_name, '西双版纳');
  assert.equal((await create(u.agent1, vasTicket({ fault_number: '13908710002' }))).region, 'KM', 'from the imported segment');
  assert.equal((await create(u.agent1, vasTicket({ fault_number: '13799999999' }))).region, 'PROV');
  assert.equal((await create(u.agent1, vasTicket({ fault_number: '13799999999', region: '' }))).region, 'PROV');
  t = await create(u.agent1, vasTicket({ fault_number: '08711234567', region: 'DL' }));
  assert.equal(t.region, 'DL', 'the agent overrides the suggestion');
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ region: 'XX' })), ['region']);
  invalid(await u.agent1.post('/api/v1/tickets', vasTicket({ region: 'km' })), ['region']);
  // PATCH: an explicit region, or null to take the suggestion again
  const path = `/api/v1/tickets/${t.number}`;
  assert.equal((await u.agent1.patch(path, { region: 'QJ' })).body.region, 'QJ');
  invalid(await u.agent1.patch(path, { region: 'XX' }), ['region']);
  assert.equal((await u.agent1.patch(path, { region: null })).body.region, 'KM');
});

// --- repeat complaints ------------------------------------------------------

test('repeat_count: the other tickets of the same fault number in the previous 30 days', async () => {
  const n = freshMobile('150');
  const other = freshMobile('150');
  const t1 = await create(u.agent1, vasTicket({ fault_number: n }));
  assert.equal(t1.repeat_count, 0);
  await create(u.agent1, vasTicket({ fault_number: other }));
  const t2 = await create(u.agent2, vasTicket({ fault_number: n, submit: true }));
  assert.equal(t2.repeat_count, 1, 'another agent\'s ticket counts too');
  const t3 = await create(u.agent1, netTicket({ fault_number: n }));
  assert.equal(t3.repeat_count, 2);
  // the count is of earlier tickets: editing the first one does not count the later ones
  const p = await u.agent1.patch(`/api/v1/tickets/${t1.number}`, { subject: '补充说明' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.repeat_count, 0);
  assert.equal((await u.agent2.get(`/api/v1/tickets/${t2.number}`)).body.repeat_count, 1, 'unchanged by later tickets');
  // moving a draft to another customer counts that customer's earlier tickets
  const t4 = await create(u.agent1, vasTicket({ fault_number: other }));
  assert.equal(t4.repeat_count, 1);
  const moved = await u.agent1.patch(`/api/v1/tickets/${t4.number}`, { fault_number: n });
  assert.equal(moved.body.repeat_count, 3);
});

test('历史故障: ?fault_number= lists the customer\'s tickets newest first, agents see other agents\' there', async () => {
  const n = freshMobile('151');
  const a = await create(u.agent1, vasTicket({ fault_number: n, subject: '第一次投诉', submit: true }));
  const b = await create(u.agent1, vasTicket({ fault_number: n, subject: '第二次投诉' }));
  const c = await create(u.agent2, netTicket({ fault_number: n, subject: '第三次投诉', submit: true }));
  await create(u.agent1, vasTicket({ subject: '别的用户' }));
  const expected = [c.number, b.number, a.number];
  for (const who of ['agent1', 'agent2', 'dispatcher1', 'supervisor1', 'admin']) {
    const r = await u[who].get(`/api/v1/tickets?fault_number=${n}`);
    assert.equal(r.status, 200);
    assert.deepEqual(numbers(r.body.items), expected, who);
  }
  // ... but not in the agent's own list
  const own2 = numbers(await listAll(u.agent2));
  assert.ok(own2.includes(c.number));
  assert.ok(!own2.includes(a.number) && !own2.includes(b.number));
  assert.ok(!numbers(await listAll(u.agent1)).includes(c.number));
  // paging the history keeps its order
  const p1 = await u.agent2.get(`/api/v1/tickets?fault_number=${n}&limit=2`);
  assert.deepEqual(numbers(p1.body.items), expected.slice(0, 2));
  const p2 = await u.agent2.get(`/api/v1/tickets?fault_number=${n}&limit=2&cursor=${p1.body.next_cursor}`);
  assert.deepEqual(numbers(p2.body.items), expected.slice(2));
  assert.equal(p2.body.next_cursor, null);
  // the agent serving this customer opens those tickets too
  assert.equal((await u.agent2.get(`/api/v1/tickets/${a.number}`)).status, 200);
  // other filters still apply within the lookup
  const drafts = await u.agent2.get(`/api/v1/tickets?fault_number=${n}&state=draft`);
  assert.deepEqual(numbers(drafts.body.items), [b.number]);
});

test('历史故障 for handlers: only the tickets dispatched to their department', async () => {
  const n = freshMobile('152');
  const vas = await create(u.agent1, vasTicket({ fault_number: n, submit: true }));
  const net = await create(u.agent1, netTicket({ fault_number: n, submit: true }));
  await create(u.agent1, vasTicket({ fault_number: n, submit: true })); // never dispatched
  for (const [t, department] of [[vas, 'VAS'], [net, 'NET']]) {
    const r = await u.dispatcher1.post(`/api/v1/tickets/${t.number}/actions/dispatch`, { department });
    assert.equal(r.status, 200, r.text);
  }
  const seen = async (who) => numbers((await u[who].get(`/api/v1/tickets?fault_number=${n}`)).body.items);
  assert.deepEqual(await seen('handler_net1'), [net.number]);
  assert.deepEqual(await seen('handler_net2'), [net.number]);
  assert.deepEqual(await seen('handler_vas1'), [vas.number]);
  assert.deepEqual(await seen('handler_km1'), []);
  assert.equal((await u.handler_vas1.get(`/api/v1/tickets/${net.number}`)).status, 404);
  assert.equal((await u.handler_net1.get(`/api/v1/tickets/${net.number}`)).status, 200);
});

test('a malformed fault number in the lookup is refused, not answered with an empty history', async () => {
  for (const bad of ['138 1234 5678', '１３８１２３４５６７８', '1381234567', 'abc']) {
    const r = await u.agent1.get(`/api/v1/tickets?fault_number=${encodeURIComponent(bad)}`);
    const f = invalid(r, ['fault_number']);
    assert.match(f.fault_number, /digit/, bad);
  }
});
