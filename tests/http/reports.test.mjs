// reports.test.mjs - the reports (issue 11) against tickets created and
// moved here, with the numbers written out: every group, subtotal, share,
// KPI numerator and denominator (a ticket closed exactly at its deadline
// among them), the view of each role, the CSV (BOM, header, quoting of
// commas, quotes and newlines in Chinese text), and every bad input.
process.env.TZ = 'Asia/Shanghai';

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cli, errorOf, req, startServer } from './lib.mjs';
import { clients, draft, get, inputsFor, ok, sleep, sqliteOk, stopClean, ticketIn } from './workflow-lib.mjs';

let srv, u, slips = 0, month, span;
const QNAME = '收费,"争议"\n其他';

function localDay(offset = 0) {
  const d = new Date(Date.now() + offset * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// A ticket at 'replied' whose deadline is moved to `deadline` (SQL text)
// just before it is closed.
async function closeAt(agent, deadline, overrides) {
  let t = await draft(agent, overrides);
  t = await ok(agent, t.number, 'submit');
  t = await ok(u.dispatcher1, t.number, 'dispatch', { department: 'NET' });
  t = await ok(u.handler_net1, t.number, 'accept');
  t = await ok(u.handler_net1, t.number, 'reply');
  sqliteOk(srv.db, `UPDATE tickets SET deadline = ${deadline} WHERE number = '${t.number}';`);
  t = await ok(u.supervisor1, t.number, 'close', { summary: '已解决', satisfaction: 5 });
  return t;
}

before(async () => {
  // a category whose name holds a comma, quotes and a newline (for the CSV)
  const dir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'gongdan-rep-'));
  const db = `${dir}/test.db`;
  assert.equal(cli(['init', '--db', db, '--demo-users']).status, 0);
  sqliteOk(db, `INSERT INTO categories (code, name, sla_hours, department_id, sort)
    VALUES ('TESTQ', '${QNAME.replace(/'/g, "''")}', 48, (SELECT id FROM departments WHERE code = 'NET'), 99);`);
  srv = await startServer({ dir, args: ['--sla-interval', '86400'] });
  u = clients(srv);
  const q = { category: 'TESTQ', fields: {} };
  span = [localDay(-1), localDay(1)];
  // A: agent1, KM, closed along the common path (满意度 4)
  const a = await ticketIn(u, 'closed', { overrides: { region: 'KM' } });
  // B: agent2, QJ, closed exactly at its deadline; a close that slipped
  // into the next second is late and counted as such (slips)
  for (;;) {
    const b = await closeAt(u.agent2, 'unixepoch()', { region: 'QJ' });
    const r = sqliteOk(srv.db, `SELECT closed_at = deadline FROM tickets WHERE number = '${b.number}';`);
    if (r === '1') break;
    slips++;
    assert.ok(slips < 5, 'a close within the second of its deadline');
  }
  // C: agent1, KM, closed an hour after its deadline
  await closeAt(u.agent1, 'unixepoch() - 3600', { region: 'KM' });
  // D: agent1, KM, 一次解决 at intake (no deadline)
  const d = await draft(u.agent1, { region: 'KM' });
  await ok(u.agent1, d.number, 'resolve');
  // E: agent2, PROV, TESTQ: 退回 by NET, 转派 NET -> VAS, 催单 twice at VAS
  let e = await draft(u.agent2, { ...q, region: 'PROV' });
  await ok(u.agent2, e.number, 'submit');
  await ok(u.dispatcher1, e.number, 'dispatch', { department: 'NET' });
  await ok(u.handler_net1, e.number, 'return');
  await ok(u.dispatcher1, e.number, 'dispatch', { department: 'NET' });
  await ok(u.handler_net1, e.number, 'transfer', { department: 'VAS', comment: '转派' });
  await ok(u.agent2, e.number, 'urge');
  e = await ok(u.agent2, e.number, 'urge');
  assert.equal(e.state, 'dispatched');
  // F: agent1, KM: closed, 重开 by agent1, handled again, closed (满意度 2)
  const f = await ticketIn(u, 'closed', { overrides: { region: 'KM' } });
  await ok(u.agent1, f.number, 'reopen');
  await ok(u.dispatcher1, f.number, 'dispatch', { department: 'NET' });
  await ok(u.handler_net1, f.number, 'accept');
  await ok(u.handler_net1, f.number, 'reply');
  await ok(u.supervisor1, f.number, 'close', { summary: '再次解决', satisfaction: 2 });
  // G: agent1, KM, TESTQ, a draft about A's customer again: a repeat
  const g = await draft(u.agent1, { ...q, region: 'KM', fault_number: a.fault_number });
  assert.ok((await get(u.admin, g.number)).repeat_count > 0);
  month = localDay().slice(0, 7);
});

after(async () => {
  if (!srv) return;
  const r = cli(['audit', 'verify', '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  await stopClean(srv);
});

const range = () => `from=${span[0]}&to=${span[1]}`;
async function report(who, path) {
  const r = await who.get(path);
  assert.equal(r.status, 200, r.text);
  return r.body;
}
function node(items, code) {
  for (const n of items) {
    if (n.code === code) return n;
    const k = node(n.children, code);
    if (k) return k;
  }
  return null;
}
const byKey = (items) => Object.fromEntries(items.filter((i) => i.count).map((i) => [i.key ?? 'none', i.count]));

test('complaints: each group, subtotal and share of the tickets made here', async () => {
  const s = slips;
  const total = 7 + s;
  let r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}`);
  assert.equal(r.group_by, 'category');
  assert.deepEqual(r.totals, { count: total, repeats: 1 });
  const sig = node(r.items, 'NET.SIGNAL'), net = node(r.items, 'NET'), tq = node(r.items, 'TESTQ');
  assert.deepEqual([sig.count, sig.subtotal, sig.level, sig.leaf], [5 + s, 5 + s, 2, true]);
  assert.deepEqual([net.count, net.subtotal, net.level, net.leaf], [0, 5 + s, 1, false]);
  assert.deepEqual([tq.count, tq.subtotal, tq.repeats, tq.name], [2, 2, 1, QNAME]);
  assert.equal(net.share, Math.round(((5 + s) / total) * 1e4) / 1e4);
  assert.equal(node(r.items, 'VAS').subtotal, 0, 'every node is there, zeros too');
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=region`);
  assert.deepEqual(byKey(r.items), { KM: 5, QJ: 1 + s, PROV: 1 });
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=department`);
  assert.deepEqual(byKey(r.items), { NET: 4 + s, VAS: 1, none: 2 });
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=day`);
  assert.deepEqual(r.items.map((i) => [i.key, i.count]), [[span[0], 0], [localDay(), total], [span[1], 0]]);
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=month`);
  assert.equal(r.items.reduce((a, i) => a + i.count, 0), total);
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=week`);
  assert.equal(r.items.reduce((a, i) => a + i.count, 0), total);
  assert.match(r.items[0].key, /^\d{4}-W\d{2}$/);
  // filters
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=region&state=closed`);
  assert.deepEqual(byKey(r.items), { KM: 4, QJ: 1 + s });
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=region&state=dispatched`);
  assert.deepEqual(byKey(r.items), { PROV: 1 });
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=region&category=TESTQ`);
  assert.deepEqual(byKey(r.items), { KM: 1, PROV: 1 });
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&category=NET&state=draft`);
  assert.equal(r.totals.count, 0);
  assert.deepEqual(r.items.map((n) => n.code), ['NET'], 'the tree under the category');
  // 环比 of an equal period just before (nothing then)
  r = await report(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=region&compare=previous`);
  assert.deepEqual(r.compare_range, { from: localDay(-4), to: localDay(-2) });
  assert.deepEqual([r.totals.previous, r.totals.change, r.totals.change_rate], [0, total, null]);
});

test('visibility: a handler its department, an agent its own tickets, the others all', async () => {
  const s = slips;
  let r = await report(u.agent1, `/api/v1/reports/complaints?${range()}&group_by=region`);
  assert.deepEqual(byKey(r.items), { KM: 5 });
  assert.equal(r.totals.repeats, 1);
  r = await report(u.agent2, `/api/v1/reports/complaints?${range()}&group_by=department`);
  assert.deepEqual(byKey(r.items), { NET: 1 + s, VAS: 1 });
  r = await report(u.handler_net1, `/api/v1/reports/complaints?${range()}&group_by=region`);
  assert.deepEqual(byKey(r.items), { KM: 3, QJ: 1 + s });
  r = await report(u.handler_vas1, `/api/v1/reports/complaints?${range()}`);
  assert.equal(r.totals.count, 1);
  r = await report(u.handler_net1, `/api/v1/reports/complaints?${range()}&group_by=department`);
  assert.deepEqual(r.items.map((i) => i.key), ['NET'], 'no other department');
  for (const who of ['dispatcher1', 'admin'])
    assert.equal((await report(u[who], `/api/v1/reports/complaints?${range()}`)).totals.count, 7 + s);
  // a handler may not ask for another department
  const x = await u.handler_net1.get(`/api/v1/reports/kpis?${range()}&department=VAS`);
  assert.equal(x.status, 403);
  errorOf(x);
  assert.equal((await req(srv.url, 'GET', `/api/v1/reports/kpis?${range()}`)).status, 401);
});

test('KPIs: numerators and denominators, per department and per role', async () => {
  const s = slips;
  let k = (await report(u.supervisor1, `/api/v1/reports/kpis?${range()}`)).kpis;
  const closed = 5 + s;
  const frac = (n, d) => ({ numerator: n, denominator: d, rate: Math.round((n / d) * 1e4) / 1e4 });
  assert.equal(k.closed, closed);
  assert.deepEqual(k.on_time, frac(4, closed), 'A, B (at its deadline), D (no deadline), F');
  assert.equal(k.closed_late, 1 + s);
  assert.equal(k.no_deadline, 1);
  assert.deepEqual(k.first_contact, frac(1, closed));
  assert.deepEqual(k.reopen, frac(1, closed));
  assert.deepEqual(k.repeat, frac(1, 7 + s));
  // A 4, B and C 5, F 2 (its first 满意度 went with the reopening), slips 5
  assert.deepEqual(k.satisfaction.distribution, { 1: 0, 2: 1, 3: 0, 4: 1, 5: 2 + s });
  assert.equal(k.satisfaction.rated, 4 + s);
  assert.equal(k.satisfaction.sum, 2 + 4 + 5 * (2 + s));
  assert.equal(k.satisfaction.mean, Math.round(((2 + 4 + 5 * (2 + s)) / (4 + s)) * 100) / 100);
  assert.deepEqual([k.returns, k.transfers, k.urges, k.reopens, k.overdue], [1, 1, 2, 1, 0]);
  assert.equal(k.handling.episodes, 5 + s, 'A, B, C, F twice');
  assert.equal(k.handling.p90_minutes, 0);
  const d = Object.fromEntries(k.departments.map((x) => [x.department ?? 'none', x]));
  assert.ok(d.NET && d.VAS && d.none && d.BILL, 'every department, and the centre for tickets never dispatched');
  assert.deepEqual([d.NET.closed, d.NET.on_time.numerator, d.NET.returns, d.NET.transfers, d.NET.reopens, d.NET.urges],
    [4 + s, 3, 1, 1, 1, 0]);
  assert.deepEqual([d.VAS.closed, d.VAS.urges], [0, 2]);
  assert.deepEqual([d.none.closed, d.none.first_contact.numerator], [1, 1]);
  // the handler sees NET's figures only
  k = (await report(u.handler_net1, `/api/v1/reports/kpis?${range()}`)).kpis;
  assert.deepEqual([k.closed, k.on_time.numerator, k.returns, k.transfers, k.urges, k.reopens], [4 + s, 3, 1, 1, 0, 1]);
  assert.deepEqual(k.departments.map((x) => x.department), ['NET']);
  assert.deepEqual(k.repeat, { numerator: 0, denominator: 4 + s, rate: 0 });
  // agent1: A, C, D, F closed; G a repeat among 5 created
  k = (await report(u.agent1, `/api/v1/reports/kpis?${range()}`)).kpis;
  assert.deepEqual([k.closed, k.on_time.numerator, k.first_contact.numerator, k.reopen.numerator], [4, 3, 1, 1]);
  assert.deepEqual(k.repeat, frac(1, 5));
  assert.deepEqual([k.urges, k.returns, k.reopens], [0, 0, 1]);
  // the supervisor's department=NET is the handler's view
  const a = await report(u.supervisor1, `/api/v1/reports/kpis?${range()}&department=NET`);
  const b = await report(u.handler_net1, `/api/v1/reports/kpis?${range()}`);
  assert.deepEqual(a.kpis, b.kpis);
});

test('the 月报 of this month: totals, tree, TOP10 and KPIs with 环比 and 同比', async () => {
  if (localDay(-1).slice(0, 7) !== month || localDay(1).slice(0, 7) !== month) return; // a month's edge
  const s = slips;
  const m = await report(u.supervisor1, `/api/v1/reports/monthly?month=${month}`);
  assert.equal(m.month, month);
  assert.deepEqual([m.totals.complaints.value, m.totals.complaints.previous, m.totals.complaints.last_year], [7 + s, 0, 0]);
  assert.equal(m.totals.repeats.value, 1);
  assert.deepEqual(m.top10.map((t) => [t.rank, t.code, t.count.value]), [[1, 'NET.SIGNAL', 5 + s], [2, 'TESTQ', 2]]);
  assert.deepEqual(m.top10[0].path, [node(m.categories, 'NET').name]);
  assert.equal(node(m.categories, 'NET').count.value, 5 + s);
  assert.equal(m.kpis.on_time.numerator, 4);
  assert.equal(m.kpis.on_time.previous.denominator, 0);
  assert.equal(m.kpis.on_time.change, null, 'no rate last month to compare with');
  assert.equal(m.kpis.urges.value, 2);
  assert.equal(m.kpis.satisfaction.detail.rated, 4 + s);
  const a = await report(u.agent1, `/api/v1/reports/monthly?month=${month}`);
  assert.equal(a.totals.complaints.value, 5);
});

// RFC 4180, as a spreadsheet reads it.
function parseCsv(text) {
  const out = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); out.push(row); row = []; field = ''; i += 2; continue; }
    field += c; i++;
  }
  assert.equal(field, '', 'every row ends with CRLF');
  return out;
}

async function csv(who, path) {
  const r = await fetch(srv.url + path, { headers: { authorization: `Bearer ${who.token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  const bytes = new Uint8Array(await r.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
  return { disposition: r.headers.get('content-disposition'), rows: parseCsv(new TextDecoder().decode(bytes.slice(3))) };
}

test('CSV: BOM, header, quoting of commas, quotes and newlines, a file name with the range', async () => {
  const s = slips;
  let c = await csv(u.supervisor1, `/api/v1/reports/complaints?${range()}&format=csv`);
  assert.equal(c.disposition, `attachment; filename="complaints-category-${span[0]}_${span[1]}.csv"`);
  assert.deepEqual(c.rows[0], ['层级', '分类编码', '分类名称', '上级分类', '本级数量', '小计', '占比', '重复投诉']);
  const q = c.rows.find((r) => r[1] === 'TESTQ');
  assert.deepEqual(q.slice(0, 6), ['1', 'TESTQ', QNAME, '', '2', '2'], 'the name comes back whole');
  const sig = c.rows.find((r) => r[1] === 'NET.SIGNAL');
  assert.deepEqual(sig.slice(0, 6), ['2', 'NET.SIGNAL', sig[2], 'NET', String(5 + s), String(5 + s)]);
  assert.deepEqual(c.rows.at(-1).slice(0, 7), ['合计', '', '', '', '', String(7 + s), '1.0000']);
  assert.ok(c.rows.every((r) => r.length === c.rows[0].length), 'every row as wide as the header');
  c = await csv(u.supervisor1, `/api/v1/reports/complaints?${range()}&group_by=region&compare=previous&format=csv`);
  assert.deepEqual(c.rows[0], ['编码', '名称', '起始日', '截止日', '数量', '占比', '重复投诉', '上期数量', '变化', '变化率']);
  assert.deepEqual(c.rows.find((r) => r[0] === 'KM').slice(0, 5), ['KM', '昆明', '', '', '5']);
  c = await csv(u.supervisor1, `/api/v1/reports/kpis?${range()}&format=csv`);
  assert.equal(c.disposition, `attachment; filename="kpis_${span[0]}_${span[1]}.csv"`);
  assert.deepEqual(c.rows[0], ['期间', '部门', '指标', '分子', '分母', '值']);
  assert.deepEqual(c.rows.find((r) => r[1] === '全部' && r[2] === '及时率').slice(3, 5), ['4', String(5 + s)]);
  assert.deepEqual(c.rows.find((r) => r[1] === '全部' && r[2] === '催单').slice(5), ['2']);
  c = await csv(u.supervisor1, `/api/v1/reports/monthly?month=${month}&format=csv`);
  assert.equal(c.disposition, `attachment; filename="monthly-${month}.csv"`);
  assert.equal(c.rows[0][0], '部分');
  assert.deepEqual(c.rows.find((r) => r[1] === '投诉总量').slice(2, 3), [String(7 + s)]);
  assert.ok(c.rows.some((r) => r[0] === 'TOP10' && r[1].startsWith('1 NET.SIGNAL')));
  assert.ok(c.rows.some((r) => r[0] === '分类' && r[1] === `TESTQ ${QNAME}`));
});

test('bad input: 422 or 400 in the SPEC error shape, never a crash', async () => {
  const cases = [
    ['/api/v1/reports/complaints?from=2026-11-10&to=2026-11-01', 422, 'from'],
    ['/api/v1/reports/complaints?group_by=hour', 422, 'group_by'],
    ['/api/v1/reports/complaints?compare=yesterday', 422, 'compare'],
    ['/api/v1/reports/complaints?from=2020-01-01&to=2025-01-01', 422, 'to'],
    ['/api/v1/reports/complaints?from=2026-02-30', 422, 'from'],
    ['/api/v1/reports/complaints?to=26-11-01', 422, 'to'],
    ['/api/v1/reports/complaints?from=%E4%B8%80', 422, 'from'],
    ['/api/v1/reports/complaints?state=open', 422, 'state'],
    ['/api/v1/reports/complaints?category=NOPE', 422, 'category'],
    ['/api/v1/reports/kpis?department=NOPE', 422, 'department'],
    ['/api/v1/reports/complaints?format=xml', 422, 'format'],
    ['/api/v1/reports/monthly?month=2026-13', 422, 'month'],
    ['/api/v1/reports/monthly?month=2026-1', 422, 'month'],
    ['/api/v1/reports/monthly?month=abc', 422, 'month'],
    ['/api/v1/reports/monthly', 422, 'month'],
    ['/api/v1/reports/complaints?groupby=day', 400, null],
    ['/api/v1/reports/kpis?group_by=day', 400, null],
    ['/api/v1/reports/monthly?month=2026-11&from=2026-11-01', 400, null],
    ['/api/v1/reports/complaints?from=%FF', 400, null],
  ];
  for (const [path, status, field] of cases) {
    const r = await u.supervisor1.get(path);
    assert.equal(r.status, status, `${path}: ${r.text}`);
    const e = errorOf(r);
    if (field) assert.ok(e.fields && e.fields[field], `${path} names ${field}: ${r.text}`);
  }
  // five years to the day are the longest range; a day more is refused
  assert.equal((await u.supervisor1.get('/api/v1/reports/complaints?from=2021-12-01&to=2026-11-30&group_by=day')).status, 200);
  assert.equal((await u.supervisor1.get('/api/v1/reports/complaints?from=2021-12-01&to=2026-12-01')).status, 422);
  assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200, 'still serving');
});

test('the counters agree with a full recount after a random walk of actions', async () => {
  // admin may take any action: a seeded walk over a few fresh tickets
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const nums = [];
  for (let i = 0; i < 6; i++) nums.push((await draft(i % 2 ? u.agent1 : u.agent2, { region: i % 3 ? 'KM' : 'QJ' })).number);
  const depts = ['NET', 'VAS', 'BILL'];
  for (let step = 0; step < 80; step++) {
    const n = nums[Math.floor(rnd() * nums.length)];
    const t = await get(u.admin, n);
    const acts = t.allowed_actions.filter((a) => a !== 'comment');
    if (!acts.length) continue;
    const a = acts[Math.floor(rnd() * acts.length)];
    let inputs = inputsFor(a, depts[Math.floor(rnd() * 3)]);
    if ((a === 'transfer' || a === 'dispatch') && inputs.department === t.department)
      inputs = inputsFor(a, depts.find((d) => d !== t.department));
    if (a === 'close') inputs = { summary: '结单', satisfaction: 1 + Math.floor(rnd() * 5) };
    if (a === 'resolve' && rnd() < 0.8) continue; // most drafts go through the centre
    await u.admin.post(`/api/v1/tickets/${n}/actions/${a}`, inputs);
  }
  await sleep(10);
  const r = cli(['audit', 'verify', '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /report counters match \(\d+ cells\)/);
});
