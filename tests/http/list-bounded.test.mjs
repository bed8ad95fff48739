// list-bounded.test.mjs - lists and searches do bounded work (issue 9): with
// a tiny budget (`serve --list-budget`) the answers are partial, say so, and
// following next_cursor gives exactly the full answer - in order, never a
// ticket twice or missed - for every kind of filter and every role's scope.
// Also: highlighting of Chinese and Latin words, and `gongdan generate`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliAsync, startServer, as, sql, stopClean } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'gongdan-bounded-'));
const db = join(dir, 'test.db');
let full, tiny; // the same database served with the default and with a tiny budget
const users = {};

before(async () => {
  assert.equal(cli(['init', '--db', db, '--demo-users']).status, 0);
  const g = cli(['generate', '--db', db, '--tickets', '900', '--days', '20', '--seed', '7']);
  assert.equal(g.status, 0, g.stderr);
  full = await startServer({ dir, keep: true });
  tiny = await startServer({ dir, keep: true, args: ['--list-budget', '5'] });
  for (const name of ['dispatcher1', 'agent1', 'handler_net1', 'handler_km1'])
    users[name] = { full: as(full, name), tiny: as(tiny, name) };
});

after(async () => {
  await stopClean(tiny);
  await stopClean(full);
  rmSync(dir, { recursive: true, force: true });
});

// Follows next_cursor to the end: the numbers in order, and the pages.
async function walk(client, query, limit) {
  const seen = [];
  const pages = [];
  let cursor = '';
  for (let i = 0; i < 2000; i++) {
    const r = await client.get(`/api/v1/tickets?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    pages.push(r.body);
    seen.push(...r.body.items.map((t) => t.number));
    if (!r.body.next_cursor) return { seen, pages };
    cursor = r.body.next_cursor;
  }
  throw new Error(`${query}: the cursor never ended`);
}

const QUERIES = [
  '', 'state=closed', 'state=pending_dispatch', 'state=dispatched&department=NET', 'category=NET',
  'category=NET.SIGNAL', 'region=KM', 'region=KM&state=closed', 'overdue=true', 'overdue=false', 'department=BILL',
  'q=%E5%81%9C%E6%9C%BA', 'q=%E4%BF%A1%E5%8F%B7&state=closed', 'category=VAS&region=DQ', 'assignee=me',
  'created_by=me', 'state=closed&category=BILL&region=QJ&overdue=false',
  'sort=deadline', 'sort=deadline&state=dispatched', 'sort=deadline&state=in_progress&department=BILL',
  'sort=deadline&state=closed', 'sort=deadline&region=KM&overdue=false', 'sort=priority',
  'sort=priority&region=KM', 'sort=priority&q=%E5%81%9C%E6%9C%BA', 'priority=urgent&state=closed',
  'sort=created&priority=normal',
];

test('a partial answer continues to exactly the full answer, for every filter and role', async () => {
  let partials = 0;
  for (const [name, u] of Object.entries(users)) {
    for (const q of QUERIES) {
      const whole = await walk(u.full, q, 200);
      for (const p of whole.pages) assert.equal(p.partial, false, `${name} ${q}: the default budget covers 900 tickets`);
      const bits = await walk(u.tiny, q, 7);
      assert.deepEqual(bits.seen, whole.seen, `${name} ${q}: the partial walk differs from the full answer`);
      assert.equal(new Set(bits.seen).size, bits.seen.length, `${name} ${q}: a ticket came twice`);
      for (const p of bits.pages) {
        assert.ok(p.items.length <= 7);
        if (p.partial) {
          partials++;
          assert.ok(p.next_cursor, 'a partial page always continues');
          assert.match(p.searched_to, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          assert.ok(p.items.length < 7, 'a full page is not partial');
        } else {
          assert.equal(p.searched_to, null);
        }
      }
    }
  }
  assert.ok(partials > 20, `a budget of 5 must give partial answers (saw ${partials})`);
});

test("a search in an agent's or a handler's scope is everyone's matches that the caller may see", async () => {
  const found = {};
  for (const q of ['q=%E5%81%9C%E6%9C%BA', 'q=%E4%BF%A1%E5%8F%B7', 'q=%E4%BF%A1%E5%8F%B7&state=closed',
    'q=%E6%89%A3%E8%B4%B9']) {
    const all = (await walk(users.dispatcher1.full, q, 200)).seen;
    assert.ok(all.length > 20, `${q}: the data has matches`);
    for (const name of ['agent1', 'handler_net1', 'handler_km1']) {
      const visible = new Set((await walk(users[name].full, '', 200)).seen);
      const want = all.filter((n) => visible.has(n));
      found[name] = (found[name] || 0) + want.length;
      assert.deepEqual((await walk(users[name].full, q, 200)).seen, want, `${name} ${q}`);
      assert.deepEqual((await walk(users[name].tiny, q, 7)).seen, want, `${name} ${q} (partial pages)`);
    }
  }
  for (const [name, n] of Object.entries(found)) assert.ok(n > 0, `${name}: some matches are the caller's`);
});

test('sort=deadline: open tickets by deadline (most overdue first), then the rest newest first; sort=priority: urgent first', async () => {
  const rows = (q) => sql(db, q).split('\n').filter(Boolean);
  const queue = rows('SELECT number FROM tickets WHERE closed_at IS NULL AND deadline IS NOT NULL ORDER BY deadline, id');
  const rest = rows('SELECT number FROM tickets WHERE NOT (closed_at IS NULL AND deadline IS NOT NULL) ORDER BY id DESC');
  assert.ok(queue.length > 20 && rest.length > 20);
  for (const u of [users.dispatcher1.full, users.dispatcher1.tiny])
    assert.deepEqual((await walk(u, 'sort=deadline', 9)).seen, [...queue, ...rest]);
  // one open state (and department) walks an index of its own (sql/0020); a
  // state that is not open has nothing in the first phase
  const dept = "(SELECT id FROM departments WHERE code = 'BILL')";
  for (const [query, where] of [['state=dispatched', "state = 'dispatched'"],
    ['state=in_progress&department=BILL', `state = 'in_progress' AND department_id = ${dept}`],
    ['state=closed', "state = 'closed'"]]) {
    const q1 = rows(`SELECT number FROM tickets WHERE ${where} AND closed_at IS NULL AND deadline IS NOT NULL ORDER BY deadline, id`);
    const r1 = rows(`SELECT number FROM tickets WHERE ${where} AND NOT (closed_at IS NULL AND deadline IS NOT NULL) ORDER BY id DESC`);
    assert.ok(q1.length + r1.length > 5, `${query}: the data has such tickets`);
    for (const u of [users.dispatcher1.full, users.dispatcher1.tiny])
      assert.deepEqual((await walk(u, `sort=deadline&${query}`, 4)).seen, [...q1, ...r1], query);
  }
  const urgent = rows("SELECT number FROM tickets WHERE priority = 'urgent' ORDER BY id DESC");
  const normal = rows("SELECT number FROM tickets WHERE priority = 'normal' ORDER BY id DESC");
  assert.ok(urgent.length > 20 && normal.length > 20);
  for (const u of [users.dispatcher1.full, users.dispatcher1.tiny])
    assert.deepEqual((await walk(u, 'sort=priority', 9)).seen, [...urgent, ...normal]);
  // the first page of the queue: soonest deadline first, a cursor of its own kind
  const first = await users.dispatcher1.full.get('/api/v1/tickets?sort=deadline&limit=3');
  assert.deepEqual(first.body.items.map((t) => t.number), queue.slice(0, 3));
  assert.match(first.body.next_cursor, /^d\d+\.\d+$/);
});

test('sort and cursor mistakes are refused and change nothing', async () => {
  const u = users.dispatcher1.full;
  const bad = async (query, status, field) => {
    const r = await u.get(`/api/v1/tickets?${query}`);
    assert.equal(r.status, status, `${query}: ${r.text}`);
    assert.equal(typeof r.body.error.message, 'string');
    assert.ok(r.body.error.fields && r.body.error.fields[field], `${query}: names ${field}: ${r.text}`);
  };
  await bad('sort=urgency', 400, 'sort');
  await bad('sort=deadline&q=%E5%81%9C%E6%9C%BA', 422, 'sort');
  await bad('priority=high', 422, 'priority');
  await bad('sort=deadline&cursor=123', 400, 'cursor'); // a cursor of another order
  await bad('cursor=d1.2', 400, 'cursor');
  await bad('sort=deadline&cursor=d12', 400, 'cursor');
  await bad('sort=priority&priority=urgent&cursor=n5', 400, 'cursor'); // one priority has one phase
  await bad('cursor=-4', 400, 'cursor');
});

test('format=csv: the pages one after the other are one file, the same tickets as the JSON list', async () => {
  const u = users.dispatcher1.full;
  const query = 'state=closed&region=KM&sort=priority';
  const want = (await walk(u, query, 200)).seen;
  assert.ok(want.length > 25, 'more than one page of 25');
  let file = Buffer.alloc(0);
  let cursor = '';
  let pages = 0;
  for (;;) {
    const r = await fetch(`${full.url}/api/v1/tickets?${query}&limit=25&format=csv${cursor ? `&cursor=${cursor}` : ''}`,
      { headers: { authorization: `Bearer ${u.token}` } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="tickets-\d{8}\.csv"$/);
    assert.equal(r.headers.get('x-partial'), 'false');
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), pages === 0, 'a BOM on the first page only');
    file = Buffer.concat([file, body]);
    pages++;
    cursor = r.headers.get('x-next-cursor');
    if (!cursor) break;
  }
  assert.ok(pages > 1);
  const lines = file.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines.pop(), '', 'rows end in CRLF');
  assert.match(lines[0], /^工单编号,状态,优先级,投诉类型,/);
  assert.equal(lines.filter((l) => l.startsWith('工单编号')).length, 1, 'one header row');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), want);
  const one = lines[1].split(',');
  assert.equal(one[1], '已归档');
  assert.ok(['紧急', '普通'].includes(one[2]));
  assert.match(lines[1], /,\d{4}-\d\d-\d\d \d\d:\d\d,/, 'local times to the minute');
  const bad = await u.get('/api/v1/tickets?format=xml');
  assert.equal(bad.status, 422);
  assert.ok(bad.body.error.fields.format);
});

test('the order is newest first and items are the same as GET of the ticket, minus allowed_actions', async () => {
  const u = users.dispatcher1.full;
  const r = await u.get('/api/v1/tickets?limit=30');
  const created = r.body.items.map((t) => t.created_at);
  assert.deepEqual(created, [...created].sort().reverse());
  // every item, of every kind of ticket, is GET of the ticket minus allowed_actions (the list
  // writes its items as text, GET builds them as values: the two must agree member for member)
  const many = [...r.body.items, ...(await u.get('/api/v1/tickets?state=closed&limit=40')).body.items,
    ...(await u.get('/api/v1/tickets?state=draft&limit=10')).body.items,
    ...(await u.get('/api/v1/tickets?overdue=true&limit=10')).body.items];
  const searched = (await u.get('/api/v1/tickets?q=%E5%81%9C%E6%9C%BA&limit=20')).body.items;
  assert.ok(many.some((t) => t.resolution !== null) && many.some((t) => t.department === null));
  assert.ok(many.some((t) => Object.keys(t.fields).length > 0), 'items with extra fields');
  for (const item of [...many, ...searched]) {
    const one = await u.get(`/api/v1/tickets/${item.number}`);
    const { allowed_actions: _, ...rest } = one.body;
    const { highlight: __, ...plain } = item;
    assert.deepEqual(Object.keys(plain), Object.keys(rest), 'the same members in the same order');
    assert.deepEqual(plain, rest);
  }
});

test('a list from the 100th page on is answered like the first', async () => {
  const u = users.dispatcher1.tiny;
  const whole = await walk(users.dispatcher1.full, '', 5);
  assert.ok(whole.pages.length > 100);
  const ids = sql(db, 'SELECT id FROM tickets ORDER BY id DESC').split('\n').map(Number);
  const cursor = ids[500];
  const r = await u.get(`/api/v1/tickets?limit=5&cursor=${cursor}`);
  assert.deepEqual(r.body.items.map((t) => t.number), whole.seen.slice(501, 506));
});

test('the words are highlighted, Chinese and Latin, in the subject and a snippet', async () => {
  const srv = await startServer();
  try {
    const agent = as(srv, 'agent1');
    const long = `${'前面的话'.repeat(10)}用户反映手机停机后无法上网，${'后面的话'.repeat(20)}`;
    const mk = async (subject, description, fields) => {
      const body = { category: 'BILL.SUSPEND', fault_number: '13912340000', subject, description };
      if (fields) Object.assign(body, { category: 'NET.SIGNAL', fields });
      const r = await agent.post('/api/v1/tickets', body);
      assert.equal(r.status, 201, r.text);
      return r.body.number;
    };
    const a = await mk('停机后无法上网', long);
    const b = await mk('SMS 收不到 停机', '停机停机');
    const hl = async (q) => {
      const r = await agent.get(`/api/v1/tickets?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, r.text);
      return Object.fromEntries(r.body.items.map((t) => [t.number, t.highlight]));
    };
    let h = await hl('停机');
    assert.deepEqual(h[a].subject, ['', '停机', '后无法上网']);
    assert.deepEqual(h[b].subject, ['SMS 收不到 ', '停机', '']);
    assert.deepEqual(h[b].snippet, ['', '停机停机', ''], 'adjacent matches are one mark');
    // the snippet starts 16 characters before the match, is cut with …
    assert.equal(h[a].snippet[0], `…${`${'前面的话'.repeat(10)}用户反映手机`.slice(-16)}`);
    assert.equal(h[a].snippet[1], '停机');
    assert.ok(h[a].snippet[2].endsWith('…'));
    assert.equal([...h[a].snippet.join('')].length, 80 + 2, '80 characters and two ellipses');
    // two words, Latin folded to lower case as the index does
    h = await hl('sms 停机');
    assert.deepEqual(Object.keys(h), [b]);
    assert.deepEqual(h[b].subject, ['', 'SMS', ' 收不到 ', '停机', '']);
    // a longer word matches as its characters in a row; one character too
    h = await hl('无法上网');
    assert.deepEqual(h[a].subject, ['停机后', '无法上网', '']);
    h = await hl('网');
    assert.deepEqual(h[a].subject, ['停机后无法上', '网', '']);
    // a match only in an extra field: the snippet comes from that field
    const c = await mk('信号问题', '用户来电', {
      symptom: '室内无信号', calling_number: '13912340000', called_number: '13987654321', announcement: '提示音',
      location: '昆明市翠湖小区<script>', tried_other_device: 'yes', persists_after_restart: 'no', handset_model: 'P40',
    });
    h = await hl('翠湖');
    assert.deepEqual(h[c].subject, null);
    assert.equal(h[c].snippet_field, 'location');
    assert.deepEqual(h[c].snippet, ['昆明市', '翠湖', '小区<script>'], 'text stays text');
  } finally {
    await stopClean(srv);
  }
});

test('the index gongdan generate built in bulk finds every ticket holding a word, and no other', async () => {
  // a word of two Chinese characters is a pair the tokenizer indexes: found
  // exactly where the subject, the description or an extra field holds it
  for (const word of ['停机', '信号', '扣费', '翠湖', '宽带']) {
    const like = `'%${word}%'`;
    const expected = sql(db, `SELECT number FROM tickets WHERE subject LIKE ${like} OR description LIKE ${like}
      OR EXISTS (SELECT 1 FROM json_each(tickets.fields) WHERE value LIKE ${like}) ORDER BY id DESC`).split('\n').filter(Boolean);
    const found = await walk(users.dispatcher1.full, `q=${encodeURIComponent(word)}`, 200);
    assert.ok(expected.length > 0, word);
    assert.deepEqual(found.seen, expected, word);
  }
});

test('the index gongdan generate built in bulk is the one edits keep in step: a draft edited is found by its new words only', async () => {
  const [number, creator, subject] = sql(db, "SELECT t.number, u.username, t.subject FROM tickets t JOIN users u ON u.id = t.created_by WHERE t.state = 'draft' ORDER BY t.id LIMIT 1").split('|');
  const owner = as(full, creator);
  const before = await owner.get(`/api/v1/tickets?q=${encodeURIComponent(subject)}&created_by=me&limit=200`);
  assert.ok(before.body.items.some((t) => t.number === number), 'the generated draft is in the index');
  const r = await owner.patch(`/api/v1/tickets/${number}`, { subject: '蓝牙耳机无法配对' });
  assert.equal(r.status, 200, r.text);
  const found = await owner.get(`/api/v1/tickets?q=${encodeURIComponent('蓝牙耳机')}`);
  assert.deepEqual(found.body.items.map((t) => t.number), [number]);
  const gone = await owner.get(`/api/v1/tickets?q=${encodeURIComponent(subject)}&created_by=me&limit=200`);
  assert.ok(!gone.body.items.some((t) => t.number === number), 'the old subject is out of the index');
});

test('gongdan generate: a realistic centre, reproducible by seed, that audit verify accepts', async () => {
  assert.equal(cli(['audit', 'verify', '--db', db]).status, 0);
  const count = (q) => Number(sql(db, q));
  assert.equal(count('SELECT count(*) FROM tickets'), 900);
  // every state, most closed; returns, transfers, rejections, reopens, urges, overdue
  const states = sql(db, 'SELECT state FROM tickets GROUP BY state').split('\n').sort();
  assert.deepEqual(states, ['closed', 'dispatched', 'draft', 'in_progress', 'pending_dispatch', 'replied']);
  assert.ok(count("SELECT count(*) FROM tickets WHERE state = 'closed'") > 600);
  for (const action of ['return', 'transfer', 'reject', 'reopen', 'urge', 'comment', 'overdue', 'resolve'])
    assert.ok(count(`SELECT count(*) FROM history WHERE action = '${action}'`) > 0, `no ${action} in the history`);
  // repeat callers, uneven categories and regions
  assert.ok(count('SELECT max(n) FROM (SELECT count(*) AS n FROM tickets GROUP BY fault_number)') >= 3);
  assert.ok(count('SELECT count(*) FROM tickets WHERE repeat_count > 0') > 20);
  const km = count("SELECT count(*) FROM tickets WHERE region = 'KM'"), dq = count("SELECT count(*) FROM tickets WHERE region = 'DQ'");
  assert.ok(km > 5 * dq, `KM ${km} vs DQ ${dq}`);
  // creation times spread over the 20 days before today, ids in creation order
  assert.equal(count('SELECT count(*) FROM tickets a JOIN tickets b ON b.id = a.id + 1 WHERE b.created_at < a.created_at'), 0);
  assert.ok(count("SELECT count(DISTINCT date(created_at, 'unixepoch')) FROM tickets") >= 19);
  // the same seed gives the same centre, another seed another one
  // (not the served one: the server's own SLA sweep has moved on since)
  const once = join(dir, 'once.db'), again = join(dir, 'again.db'), other = join(dir, 'other.db');
  for (const [p, seed] of [[once, '7'], [again, '7'], [other, '8']]) {
    assert.equal((await cliAsync(['init', '--db', p, '--demo-users'])).status, 0);
    assert.equal((await cliAsync(['generate', '--db', p, '--tickets', '900', '--days', '20', '--seed', seed])).status, 0);
  }
  // the history hashes cover every row of every ticket's flow
  const digest = (p) => createHash('sha256').update(sql(p, "SELECT number, state, subject, history_hash FROM tickets ORDER BY id")).digest('hex');
  assert.equal(digest(again), digest(once));
  assert.notEqual(digest(other), digest(once));
  // it refuses a database that already holds tickets, and bad options
  assert.notEqual(cli(['generate', '--db', db, '--tickets', '10']).status, 0);
  assert.equal(cli(['generate', '--db', join(dir, 'x.db'), '--tickets', '-5']).status, 2);
  assert.equal(cli(['generate', '--db', join(dir, 'x.db')]).status, 2);
});

// The full-text index's structure record (tickets_fts_data rowid 10, FTS5's
// format: a 4-byte cookie, then varints): its levels, each a list of
// segments [id, first page, last page].
function ftsLevels() {
  const b = Buffer.from(sql(db, 'SELECT hex(block) FROM tickets_fts_data WHERE id = 10'), 'hex');
  let at = 4;
  const next = () => { let v = 0; for (;;) { const c = b[at++]; v = v * 128 + (c & 0x7f); if (!(c & 0x80)) return v; } };
  const levels = [];
  const nLevels = next();
  next(); next(); // segments, write counter
  for (let l = 0; l < nLevels; l++) {
    next(); // segments in a merge
    const segs = [];
    for (let n = next(); n > 0; n--) segs.push([next(), next(), next()]);
    levels.push(segs);
  }
  return levels;
}

test('the bulk index sits where a grown one would: the next writes never merge it (no stall, no huge WAL)', async () => {
  const levels = ftsLevels();
  // the bulk segment alone at the level 4^level tickets would have reached
  // (900: 5); the earlier tests' edits wrote small ones below it
  assert.equal(levels.length, 6);
  assert.equal(levels[5].length, 1);
  const bulk = levels[5][0];
  assert.ok(levels.slice(0, 5).flat().every((seg) => seg[2] - seg[1] < bulk[2] - bulk[1]));
  const agent = users.agent1.full;
  for (let i = 0; i < 24; i++) {
    const r = await agent.post('/api/v1/tickets', { category: 'BILL.SUSPEND', fault_number: `1391234${String(i).padStart(4, '0')}`,
      subject: `余额充足仍被停机 ${i}`, region: 'KM', submit: true });
    assert.equal(r.status, 201, r.text);
  }
  const after = ftsLevels();
  assert.deepEqual(after[5], [bulk], 'the bulk segment is untouched at its level');
  assert.ok(after.slice(0, 5).flat().length > 0, 'the new tickets are in small segments below it');
  const found = await agent.get(`/api/v1/tickets?q=${encodeURIComponent('余额充足')}&created_by=me&limit=100`);
  assert.ok(found.body.items.length >= 24);
});
