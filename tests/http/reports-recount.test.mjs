// reports-recount.test.mjs - every figure of the reports, on 20,000 tickets
// generated over 60 days (`gongdan generate`, a random walk through the
// workflow), against a recount done here from the tickets and the history
// with plain SQL and JavaScript (not the migration's views), for every
// role's view. Local days are Asia/Shanghai for the server, the generator
// and the sqlite3 recount alike.
process.env.TZ = 'Asia/Shanghai';

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { as, cli, startServer, stopClean, takeBack } from './lib.mjs';

let srv, db, u, cats, depts, regions, hist;

function rows(text) {
  const r = spawnSync('sqlite3', ['-json', '-readonly', db], { input: `.timeout 5000\n${text}\n`, encoding: 'utf8',
    maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

const DAY = "date(created_at, 'unixepoch', 'localtime')";

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-reports-'));
  db = join(dir, 'test.db');
  assert.equal(cli(['init', '--db', db, '--demo-users']).status, 0);
  const g = cli(['generate', '--db', db, '--tickets', '20000', '--days', '60', '--seed', '1']);
  assert.equal(g.status, 0, g.stderr);
  const audit = cli(['audit', 'verify', '--db', db]);
  assert.equal(audit.status, 0, audit.stderr);
  assert.match(audit.stdout, /report counters match/);
  srv = await startServer({ dir });
  u = { supervisor: as(srv, 'supervisor1'), handler: as(srv, 'handler_net1'), agent: as(srv, 'agent1'),
    dispatcher: as(srv, 'dispatcher1') };
  cats = rows('SELECT id, code, coalesce(parent_id, 0) AS parent FROM categories');
  depts = rows('SELECT id, code FROM departments');
  regions = rows('SELECT code FROM regions');
  // every history row, in order, with the department of the row before it
  hist = rows(`SELECT h.ticket_id, h.seq, h.at, h.action, coalesce(h.department_id, 0) AS dept,
      date(h.at, 'unixepoch', 'localtime') AS day, t.created_by AS creator
    FROM history h JOIN tickets t ON t.id = h.ticket_id ORDER BY h.ticket_id, h.seq`);
});

after(async () => { if (srv) await stopClean(srv); });

const deptId = (code) => depts.find((d) => d.code === code).id;
const userId = (name) => rows(`SELECT id FROM users WHERE username = '${name}'`)[0].id;

// The data's days: the ranges below cut months on both sides.
function span() {
  const r = rows(`SELECT min(${DAY}) AS a, max(${DAY}) AS b FROM tickets`)[0];
  return { first: r.a, last: r.b };
}

async function get(who, path) {
  const r = await who.get(path);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

// The tickets a view counts: a WHERE clause over tickets t.
const views = () => ({
  supervisor: '1',
  handler: `coalesce(t.department_id, 0) = ${deptId('NET')}`,
  agent: `t.created_by = ${userId('agent1')}`,
});

function subtree(code) {
  const root = cats.find((c) => c.code === code).id;
  const ids = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of cats) if (ids.has(c.parent) && !ids.has(c.id)) { ids.add(c.id); grew = true; }
  }
  return [...ids];
}

function walkTree(items, visit) {
  for (const n of items) { visit(n); walkTree(n.children, visit); }
}

test('complaints by category: every node, subtotal and share, for every role, against a recount', async () => {
  const { first, last } = span();
  const ranges = [[first, last], ['2026-10-15', '2026-11-20']];
  for (const [role, where] of Object.entries(views())) {
    for (const [from, to] of ranges) {
      const rep = await get(u[role], `/api/v1/reports/complaints?from=${from}&to=${to}`);
      const own = new Map(rows(`SELECT category_id AS id, count(*) AS n, sum(repeat_count > 0) AS r FROM tickets t
        WHERE ${where} AND ${DAY} BETWEEN '${from}' AND '${to}' GROUP BY 1`).map((x) => [x.id, x]));
      const total = [...own.values()].reduce((a, x) => a + x.n, 0);
      assert.ok(total > 0, `${role} has tickets in ${from}..${to}`);
      assert.equal(rep.totals.count, total, `${role} ${from}..${to} total`);
      let nodes = 0;
      walkTree(rep.items, (n) => {
        const ids = subtree(n.code);
        const id = cats.find((c) => c.code === n.code).id;
        const sub = ids.reduce((a, i) => a + (own.get(i)?.n || 0), 0);
        const rep2 = ids.reduce((a, i) => a + (own.get(i)?.r || 0), 0);
        assert.equal(n.count, own.get(id)?.n || 0, `${role} ${n.code} own`);
        assert.equal(n.subtotal, sub, `${role} ${n.code} subtotal`);
        assert.equal(n.repeats, rep2, `${role} ${n.code} repeats`);
        assert.ok(Math.abs(n.share - sub / total) <= 0.0000501, `${role} ${n.code} share`);
        nodes++;
      });
      assert.equal(nodes, cats.length, 'the whole tree');
      const roots = rep.items.reduce((a, n) => a + n.subtotal, 0);
      assert.equal(roots, total, 'the roots add up to the total');
    }
  }
});

test('complaints by region, department, day, week and month, filtered, for every role', async () => {
  const from = '2026-10-13', to = '2026-11-24';
  const keyOf = {
    region: 't.region',
    department: "coalesce((SELECT code FROM departments d WHERE d.id = t.department_id), '')",
    day: DAY,
    month: `substr(${DAY}, 1, 7)`,
    // ISO week label of the Monday's week: the Thursday's year and week
    week: `strftime('%Y', ${DAY}, '-' || ((strftime('%w', ${DAY}) + 6) % 7) || ' days', '+3 days') || '-W' ||
      printf('%02d', (strftime('%j', ${DAY}, '-' || ((strftime('%w', ${DAY}) + 6) % 7) || ' days', '+3 days') - 1) / 7 + 1)`,
  };
  const filters = [['', '1'], ['&category=VAS', `t.category_id IN (${subtree('VAS').join(',')})`],
    ['&state=closed', "t.state = 'closed'"], ['&state=in_progress', "t.state = 'in_progress'"],
    ['&state=dispatched&category=NET', `t.state = 'dispatched' AND t.category_id IN (${subtree('NET').join(',')})`]];
  for (const [role, where] of Object.entries(views())) {
    for (const group of Object.keys(keyOf)) {
      for (const [q, cond] of filters) {
        const rep = await get(u[role], `/api/v1/reports/complaints?from=${from}&to=${to}&group_by=${group}${q}`);
        const want = new Map(rows(`SELECT ${keyOf[group]} AS k, count(*) AS n, sum(repeat_count > 0) AS r FROM tickets t
          WHERE ${where} AND ${cond} AND ${DAY} BETWEEN '${from}' AND '${to}' GROUP BY 1`).map((x) => [x.k, x]));
        const total = [...want.values()].reduce((a, x) => a + x.n, 0);
        assert.equal(rep.totals.count, total, `${role} ${group}${q} total`);
        let seen = 0;
        for (const it of rep.items) {
          const k = it.key ?? '';
          assert.equal(it.count, want.get(k)?.n || 0, `${role} ${group}${q} ${k}`);
          assert.equal(it.repeats, want.get(k)?.r || 0, `${role} ${group}${q} ${k} repeats`);
          seen += it.count;
        }
        assert.equal(seen, total, `${role} ${group}${q}: the groups add up`);
        if (group === 'day') assert.equal(rep.items.length, 43, 'every day, zeros included');
        if (group === 'region' && role === 'supervisor') assert.equal(rep.items.length, regions.length);
      }
    }
  }
});

test('环比 and 同比 of complaints across period boundaries', async () => {
  // November against October (whole months: the previous month), and a
  // range of 10 days against the 10 days before it
  const count = (where, a, b) => rows(`SELECT count(*) AS n FROM tickets t WHERE ${where} AND ${DAY} BETWEEN '${a}' AND '${b}'`)[0].n;
  for (const [role, where] of Object.entries(views())) {
    let rep = await get(u[role], '/api/v1/reports/complaints?from=2026-11-01&to=2026-11-30&group_by=region&compare=previous');
    assert.deepEqual(rep.compare_range, { from: '2026-10-01', to: '2026-10-31' });
    const now = count(where, '2026-11-01', '2026-11-30'), prev = count(where, '2026-10-01', '2026-10-31');
    assert.equal(rep.totals.count, now);
    assert.equal(rep.totals.previous, prev);
    assert.equal(rep.totals.change, now - prev);
    assert.ok(Math.abs(rep.totals.change_rate - (now - prev) / prev) <= 0.0000501);
    for (const it of rep.items)
      assert.equal(it.previous, count(`${where} AND t.region = '${it.key}'`, '2026-10-01', '2026-10-31'), it.key);
    rep = await get(u[role], '/api/v1/reports/complaints?from=2026-11-03&to=2026-11-12&group_by=day&compare=previous');
    assert.deepEqual(rep.compare_range, { from: '2026-10-24', to: '2026-11-02' });
    rep.items.forEach((it, i) => {
      const d = new Date(Date.UTC(2026, 9, 24 + i)).toISOString().slice(0, 10);
      assert.equal(it.previous_period.from, d);
      assert.equal(it.previous, count(where, d, d), `${role} day ${i}`);
    });
    // 同比: the data starts in October 2026, so a year earlier is empty
    rep = await get(u[role], '/api/v1/reports/complaints?from=2026-11-01&to=2026-11-30&compare=last_year');
    assert.deepEqual(rep.compare_range, { from: '2025-11-01', to: '2025-11-30' });
    assert.equal(rep.totals.previous, 0);
    assert.equal(rep.totals.change_rate, null);
  }
});

// --- KPIs, recounted ---------------------------------------------------------

// Handling episodes and per-department events, from the history rows.
function eventsOf(filter) {
  const episodes = [], events = [];
  let tid = 0, prev = 0, start = 0, open = false;
  for (const h of hist) {
    if (h.ticket_id !== tid) { tid = h.ticket_id; prev = 0; open = false; }
    if (h.dept !== prev) { start = h.at; open = h.dept !== 0; }
    if (['return', 'transfer', 'urge', 'reopen', 'overdue'].includes(h.action) && filter(h))
      events.push({ dept: prev, action: h.action, day: h.day });
    if (h.action === 'reply' && h.dept !== 0 && open) {
      if (filter(h)) episodes.push({ dept: h.dept, day: h.day, secs: Math.max(h.at - start, 0) });
      open = false;
    }
    prev = h.dept;
  }
  return { episodes, events };
}

function p90(list) {
  if (!list.length) return null;
  const s = list.map((e) => Math.floor(e.secs / 60)).sort((a, b) => a - b);
  return s[Math.ceil(s.length * 0.9) - 1];
}

function checkBlock(k, closed, created, ev, label) {
  const n = closed.length;
  const on = closed.filter((t) => t.deadline === null || t.closed_at <= t.deadline).length;
  assert.deepEqual([k.on_time.numerator, k.on_time.denominator], [on, n], `${label} 及时率`);
  assert.deepEqual([k.first_contact.numerator, k.first_contact.denominator],
    [closed.filter((t) => t.closed_by === 'resolve').length, n], `${label} 一次解决率`);
  assert.deepEqual([k.reopen.numerator, k.reopen.denominator], [closed.filter((t) => t.reopened).length, n],
    `${label} 重开率`);
  if (n) assert.ok(Math.abs(k.on_time.rate - on / n) <= 0.0000501);
  assert.equal(k.closed_late, n - on, `${label} closed late`);
  const rated = closed.filter((t) => t.satisfaction !== null);
  assert.equal(k.satisfaction.rated, rated.length, `${label} rated`);
  for (let j = 1; j <= 5; j++)
    assert.equal(k.satisfaction.distribution[j], rated.filter((t) => t.satisfaction === j).length, `${label} ${j}分`);
  const sum = rated.reduce((a, t) => a + t.satisfaction, 0);
  assert.equal(k.satisfaction.sum, sum);
  if (rated.length) assert.ok(Math.abs(k.satisfaction.mean - sum / rated.length) < 0.005, `${label} mean`);
  if (created) assert.deepEqual([k.repeat.numerator, k.repeat.denominator],
    [created.filter((t) => t.repeat_count > 0).length, created.length], `${label} 重复投诉率`);
  for (const [key, action] of [['returns', 'return'], ['transfers', 'transfer'], ['urges', 'urge'],
    ['reopens', 'reopen'], ['overdue', 'overdue']])
    assert.equal(k[key], ev.events.filter((e) => e.action === action).length, `${label} ${key}`);
  assert.equal(k.handling.episodes, ev.episodes.length, `${label} episodes`);
  assert.equal(k.handling.seconds, ev.episodes.reduce((a, e) => a + e.secs, 0), `${label} seconds`);
  assert.equal(k.handling.p90_minutes, p90(ev.episodes), `${label} p90`);
}

test('KPIs: every numerator and denominator, per department and in all, for every role', async () => {
  const { first, last } = span();
  const reopened = "EXISTS (SELECT 1 FROM history h WHERE h.ticket_id = t.id AND h.action = 'reopen') AS reopened";
  for (const [from, to] of [[first, last], ['2026-10-20', '2026-11-18']]) {
    for (const [role, where] of Object.entries({ supervisor: '1', handler: null, agent: `t.created_by = ${userId('agent1')}` })) {
      const net = deptId('NET'), agent = userId('agent1');
      const closedWhere = role === 'handler' ? `coalesce(t.department_id, 0) = ${net}` : where;
      const closed = rows(`SELECT coalesce(t.department_id, 0) AS dept, t.closed_at, t.deadline, t.closed_by,
          t.satisfaction, ${reopened} FROM tickets t
        WHERE ${closedWhere} AND date(t.closed_at, 'unixepoch', 'localtime') BETWEEN '${from}' AND '${to}'`);
      const created = rows(`SELECT repeat_count FROM tickets t WHERE ${closedWhere} AND ${DAY} BETWEEN '${from}' AND '${to}'`);
      const inRange = (h) => h.day >= from && h.day <= to && (role !== 'agent' || h.creator === agent);
      let ev = eventsOf(inRange);
      if (role === 'handler') ev = { events: ev.events.filter((e) => e.dept === net), episodes: ev.episodes.filter((e) => e.dept === net) };
      const rep = await get(u[role], `/api/v1/reports/kpis?from=${from}&to=${to}`);
      assert.ok(closed.length > 0);
      checkBlock(rep.kpis, closed, created, ev, `${role} ${from}..${to} all`);
      for (const d of rep.kpis.departments) {
        const id = d.department === null ? 0 : deptId(d.department);
        const dev = { events: ev.events.filter((e) => e.dept === id), episodes: ev.episodes.filter((e) => e.dept === id) };
        checkBlock(d, closed.filter((t) => t.dept === id), null, dev, `${role} ${d.department}`);
      }
      if (role === 'handler') assert.deepEqual(rep.kpis.departments.map((d) => d.department), ['NET']);
    }
  }
  // department= for a supervisor is the handler's view of NET
  const a = await get(u.supervisor, `/api/v1/reports/kpis?from=${first}&to=${last}&department=NET`);
  const b = await get(u.handler, `/api/v1/reports/kpis?from=${first}&to=${last}`);
  assert.deepEqual(a.kpis, b.kpis);
});

test('the 月报: totals, categories, TOP10 and KPIs with 环比, against the complaints and KPI reports', async () => {
  const m = await get(u.supervisor, '/api/v1/reports/monthly?month=2026-11');
  const nov = await get(u.supervisor, '/api/v1/reports/complaints?from=2026-11-01&to=2026-11-30');
  const oct = await get(u.supervisor, '/api/v1/reports/complaints?from=2026-10-01&to=2026-10-31');
  const k = await get(u.supervisor, '/api/v1/reports/kpis?from=2026-11-01&to=2026-11-30&compare=previous');
  assert.deepEqual(m.previous_range, { from: '2026-10-01', to: '2026-10-31' });
  assert.deepEqual(m.last_year_range, { from: '2025-11-01', to: '2025-11-30' });
  assert.equal(m.totals.complaints.value, nov.totals.count);
  assert.equal(m.totals.complaints.previous, oct.totals.count);
  assert.equal(m.totals.complaints.last_year, 0);
  assert.equal(m.totals.repeats.value, nov.totals.repeats);
  const flat = (items) => { const o = {}; walkTree(items, (n) => { o[n.code] = n; }); return o; };
  const a = flat(m.categories), b = flat(nov.items), c = flat(oct.items);
  for (const code of Object.keys(b)) {
    assert.equal(a[code].count.value, b[code].subtotal, code);
    assert.equal(a[code].count.previous, c[code].subtotal, code);
  }
  const leaves = Object.values(b).filter((n) => n.leaf && n.subtotal > 0)
    .sort((x, y) => y.subtotal - x.subtotal || (x.code < y.code ? -1 : 1)).slice(0, 10);
  assert.deepEqual(m.top10.map((t) => [t.code, t.count.value]), leaves.map((n) => [n.code, n.subtotal]));
  assert.equal(m.kpis.on_time.numerator, k.kpis.on_time.numerator);
  assert.equal(m.kpis.on_time.denominator, k.kpis.on_time.denominator);
  assert.equal(m.kpis.on_time.previous.numerator, k.previous.on_time.numerator);
  assert.equal(m.kpis.urges.value, k.kpis.urges);
  assert.equal(m.kpis.urges.previous, k.previous.urges);
  assert.equal(m.kpis.repeat.numerator, k.kpis.repeat.numerator);
  assert.equal(m.kpis.satisfaction.detail.rated, k.kpis.satisfaction.rated);
  assert.ok(Math.abs(m.kpis.on_time.change - (k.kpis.on_time.rate - k.previous.on_time.rate)) < 0.0002);
});

test('audit verify notices a counter that differs from the tickets', async () => {
  // on a copy: one cell off by one is named
  const copy = db.replace(/test\.db$/, 'copy.db');
  spawnSync('sqlite3', [db, `.backup ${copy}`]);
  spawnSync('sqlite3', [copy, 'UPDATE report_created_region SET n = n + 1 WHERE (p, region) = (SELECT p, region FROM report_created_region LIMIT 1)']);
  let r = cli(['audit', 'verify', '--db', copy]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /report_created_region differ/);
  spawnSync('sqlite3', [db, `.backup ${copy}`]);
  spawnSync('sqlite3', [copy, 'UPDATE report_handling_minutes SET n = n + 1 WHERE minute = (SELECT max(minute) FROM report_handling_minutes)']);
  r = cli(['audit', 'verify', '--db', copy]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /report_handling_minutes differ/);
});

test('同比 and the 月报 over a year and more of generated data, against a recount', async () => {
  // a second, sparser database: 3,000 tickets over 400 days, so November
  // has a November a year before it
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-reports-yoy-'));
  const db2 = join(dir, 'test.db');
  assert.equal(cli(['init', '--db', db2, '--demo-users']).status, 0);
  const g = cli(['generate', '--db', db2, '--tickets', '3000', '--days', '400', '--seed', '2']);
  assert.equal(g.status, 0, g.stderr);
  const s2 = await startServer({ dir });
  try {
    const sup = as(s2, 'supervisor1');
    const count = (a, b, extra = '1') => {
      const r = spawnSync('sqlite3', ['-readonly', db2, `SELECT count(*) FROM tickets WHERE ${extra} AND ${DAY} BETWEEN '${a}' AND '${b}'`], { encoding: 'utf8' });
      return Number(r.stdout.trim());
    };
    const last = spawnSync('sqlite3', ['-readonly', db2, `SELECT max(${DAY}) FROM tickets`], { encoding: 'utf8' }).stdout.trim();
    const month = last.slice(0, 7); // the data's last month
    const [y, m] = month.split('-').map(Number);
    const pm = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    const ly = `${y - 1}-${String(m).padStart(2, '0')}`;
    const end = (ym) => { const [a, b] = ym.split('-').map(Number); return `${ym}-${String(new Date(Date.UTC(a, b, 0)).getUTCDate()).padStart(2, '0')}`; };
    let rep = await get(sup, `/api/v1/reports/complaints?from=${month}-01&to=${end(month)}&group_by=region&compare=last_year`);
    assert.deepEqual(rep.compare_range, { from: `${ly}-01`, to: end(ly) });
    const before = count(`${ly}-01`, end(ly));
    assert.ok(before > 0, 'the year before has tickets');
    assert.equal(rep.totals.previous, before);
    assert.equal(rep.totals.count, count(`${month}-01`, end(month)));
    for (const it of rep.items) assert.equal(it.previous, count(`${ly}-01`, end(ly), `region = '${it.key}'`), it.key);
    // a ragged range: the same dates a year back
    rep = await get(sup, `/api/v1/reports/complaints?from=${month}-12&to=${end(month)}&compare=last_year`);
    assert.deepEqual(rep.compare_range, { from: `${ly}-12`, to: end(ly) });
    assert.equal(rep.totals.previous, count(`${ly}-12`, end(ly)));
    assert.equal(rep.totals.count, count(`${month}-12`, end(month)));
    const mo = await get(sup, `/api/v1/reports/monthly?month=${month}`);
    assert.equal(mo.totals.complaints.value, count(`${month}-01`, end(month)));
    assert.equal(mo.totals.complaints.previous, count(`${pm}-01`, end(pm)));
    assert.equal(mo.totals.complaints.last_year, before);
    assert.equal(mo.totals.complaints.yoy_change, mo.totals.complaints.value - before);
    const closedIn = (ym) => Number(spawnSync('sqlite3', ['-readonly', db2,
      `SELECT count(*) FROM tickets WHERE date(closed_at, 'unixepoch', 'localtime') BETWEEN '${ym}-01' AND '${end(ym)}'`], { encoding: 'utf8' }).stdout.trim());
    assert.equal(mo.kpis.closed.value, closedIn(month));
    assert.equal(mo.kpis.closed.previous, closedIn(pm));
    assert.equal(mo.kpis.closed.last_year, closedIn(ly));
  } finally {
    await stopClean(s2);
  }
});

test('the migration fills the counters of a database that already holds tickets', async () => {
  // a generated database taken back to before the reports: their tables,
  // views and index dropped, the migration forgotten; `init` migrates it
  // again and the counters it fills must match a recount
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-reports-backfill-'));
  const old = join(dir, 'old.db');
  spawnSync('sqlite3', [db, `.backup ${old}`]);
  const want = spawnSync('sqlite3', ['-readonly', old, 'SELECT sum(n) FROM report_created; SELECT sum(closed) FROM report_closed WHERE u = 0;'],
    { encoding: 'utf8' }).stdout;
  takeBack(old, 14);
  assert.equal(spawnSync('sqlite3', [old, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'report%'"], { encoding: 'utf8' }).stdout.trim(), '0');
  let r = cli(['init', '--db', old]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /applied migration 0015_reports/);
  const got = spawnSync('sqlite3', ['-readonly', old, 'SELECT sum(n) FROM report_created; SELECT sum(closed) FROM report_closed WHERE u = 0;'],
    { encoding: 'utf8' }).stdout;
  assert.equal(got, want);
  assert.ok(Number(got.split('\n')[0]) === 2 * 20000, 'each ticket in its day and its month');
  r = cli(['audit', 'verify', '--db', old]);
  assert.equal(r.status, 0, r.stderr);
});
