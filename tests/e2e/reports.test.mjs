// reports.test.mjs - 统计报表 in the browser against the reports API: tickets
// of several categories, regions and departments (some closed, one
// resolved at intake, a repeat) are made through the API, then every
// report page's table must hold the API's numbers for the same parameters
// (the category tree with subtotals and shares, regions, departments, days
// and weeks, the KPIs with 环比 and 同比, the 月报); the compare columns
// appear; the CSV saved equals the API's CSV byte for byte; the URL keeps
// the report and its filters (reload, Back); a 422 marks its field; an
// empty period says so; a handler sees its department only and an agent
// neither the menu item nor the pages; both languages, axe, labels, and
// screenshots of every report page at both widths.
process.env.TZ = 'Asia/Shanghai';

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, as, context, login, watch, axe, unlabelled, rawKeys, shot, startServer, stopClean, ROOT, WIDE, PHONE,
} from './lib.mjs';
import { clients, draft, ok, ticketIn } from '../http/workflow-lib.mjs';
import { join } from 'node:path';

const KEYS = Object.keys(JSON.parse(readFileSync(join(ROOT, 'www/i18n/zh-CN.json'), 'utf8')));

let browser, srv, u, month;
before(async () => {
  browser = await launch();
  srv = await startServer();
  u = clients(srv);
  const vas = { category: 'VAS.MMS.FORCED', fields: {} };
  // closed by NET in 昆明 (one of them a repeat of the first's number)
  const first = await ticketIn(u, 'closed', { overrides: { region: 'KM' } });
  await ticketIn(u, 'closed', { overrides: { region: 'KM' } });
  await ticketIn(u, 'closed', { overrides: { region: 'KM', fault_number: first.fault_number } });
  // with VAS in 曲靖, one of them closed
  await ticketIn(u, 'dispatched', { dept: 'VAS', overrides: { ...vas, region: 'QJ' } });
  await ticketIn(u, 'closed', { dept: 'VAS', overrides: { ...vas, region: 'QJ' } });
  // waiting for dispatch in 玉溪, and one resolved at intake (一次解决)
  for (let i = 0; i < 2; i++) await ticketIn(u, 'pending_dispatch', { overrides: { category: 'VAS.MMS.OTHER', fields: {}, region: 'YX' } });
  const d = await draft(u.agent1, { region: 'PROV', category: 'BILL.PLAN', fields: {} });
  await ok(u.agent1, d.number, 'resolve');
  // a draft (drafts count too) and a ticket urged at NET
  await draft(u.agent2, { region: 'KM' });
  const urged = await ticketIn(u, 'in_progress', { overrides: { region: 'QJ' } });
  await ok(u.agent1, urged.number, 'urge');
  month = (await u.dispatcher1.get('/api/v1/reports/complaints')).body.range.from.slice(0, 7);
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

// The page's numbers back as numbers: 1,234 → 1234, 17.58% → 0.1758, — → null.
function n(text) {
  const s = text.replace(/[,\s]/g, '').replace('−', '-');
  if (s === '—' || s === '') return null;
  if (s.endsWith('%')) return Math.round(Number(s.slice(0, -1)) * 100) / 10000;
  return Number(s);
}

// Every row of the report table with this caption (tbody, then tfoot), as the cells' texts.
async function table(page, caption) {
  const t = page.locator('table.report', { has: page.locator('caption', { hasText: caption }) });
  await t.waitFor();
  return t.evaluate((el) => [...el.querySelectorAll('tbody tr, tfoot tr')].map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
}

async function headers(page, caption) {
  return page.locator('table.report', { has: page.locator('caption', { hasText: caption }) }).locator('thead th').allTextContents();
}

const flat = (items, out = []) => { for (const x of items) { out.push(x); flat(x.children || [], out); } return out; };

async function ready(page) {
  await page.locator('.report-body:not([aria-busy])').waitFor();
}

async function checkChart(page, name) {
  const svg = page.getByRole('img', { name, exact: true });
  await svg.waitFor();
  assert.ok(await svg.locator('rect.bar, circle.point').count() > 0, `${name}: bars or points`);
  return svg;
}

test('by category: the tree with subtotals and shares, and 环比, equal the API; the chart has its accessible name; the URL keeps it', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.getByRole('link', { name: '统计报表', exact: true }).click();
  await page.waitForURL('**/reports');
  await ready(page);
  await page.getByLabel('对比', { exact: true }).selectOption('previous');
  await page.getByRole('button', { name: '统计', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/reports' && url.searchParams.get('compare') === 'previous');
  await ready(page);
  const api = (await u.dispatcher1.get('/api/v1/reports/complaints?compare=previous')).body;
  assert.ok(api.totals.count >= 10, JSON.stringify(api.totals));
  const rows = await table(page, '投诉分类统计');
  assert.deepEqual(await headers(page, '投诉分类统计'), ['投诉类型', '本级', '小计', '占比', '重复投诉', '上期', '变化', '变化率']);
  const nodes = flat(api.items);
  assert.equal(rows.length, nodes.length + 1, 'every node of the tree and 合计');
  nodes.forEach((x, i) => {
    const r = rows[i];
    assert.ok(r[0].startsWith(x.code + ' ') && r[0].endsWith(x.name), `${r[0]} is ${x.code}`);
    assert.deepEqual(r.slice(1, 7).map(n), [x.count, x.subtotal, x.share, x.repeats, x.previous, x.change], x.code);
  });
  const foot = rows[rows.length - 1];
  assert.equal(foot[0], '合计');
  assert.deepEqual([n(foot[1]), n(foot[4]), n(foot[5])], [api.totals.count, api.totals.repeats, api.totals.previous]);
  // nothing in the period before: no rate of change, shown as —
  assert.equal(foot[7], '—');
  assert.equal(await page.locator('.report-total').textContent(),
    `投诉总量 ${api.totals.count} · 重复投诉 ${api.totals.repeats} · 上期 0, —`);
  const svg = await checkChart(page, '一级分类投诉量');
  assert.equal(await svg.locator('rect.bar').count(), api.items.length * 2, 'a bar for this period and one for the previous');
  assert.equal(await svg.locator('text.value').first().textContent(), String(api.items[0].subtotal));
  // reload keeps the report, the filter and the period the server used
  await page.reload();
  await ready(page);
  assert.equal(await page.getByLabel('对比', { exact: true }).inputValue(), 'previous');
  assert.equal(await page.getByLabel('起始日期', { exact: true }).inputValue(), api.range.from);
  assert.equal(await page.getByLabel('截止日期', { exact: true }).inputValue(), api.range.to);
  // a filter: one category subtree
  await page.getByLabel('投诉类型', { exact: true }).selectOption('VAS');
  await page.getByRole('button', { name: '统计', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('category') === 'VAS');
  await ready(page);
  const vas = (await u.dispatcher1.get('/api/v1/reports/complaints?compare=previous&category=VAS')).body;
  assert.equal(n((await table(page, '投诉分类统计')).at(-1)[1]), vas.totals.count);
  assert.equal(vas.totals.count, 4);
  await page.goBack();
  await ready(page);
  assert.equal(await page.getByLabel('投诉类型', { exact: true }).inputValue(), '');
  assert.equal(n((await table(page, '投诉分类统计')).at(-1)[1]), api.totals.count);
  w.assertClean();
  await ctx.close();
});

test('by region, by department and over time (days, weeks) equal the API; 同比 adds its column; tabs are links the keyboard reaches', async () => {
  const { ctx, page } = await as(browser, srv.url, 'supervisor1');
  const w = watch(page);
  await page.goto(srv.url + '/reports?compare=last_year');
  await ready(page);
  // Tab to 按地区 and open it with Enter: the period and 同比 go along
  const tab = page.getByRole('navigation', { name: '报表' }).getByRole('link', { name: '按地区' });
  await tab.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/reports/region' && url.searchParams.get('compare') === 'last_year');
  await ready(page);
  const region = (await u.supervisor1.get('/api/v1/reports/complaints?group_by=region&compare=last_year')).body;
  let rows = await table(page, '按用户归属地统计');
  assert.deepEqual(await headers(page, '按用户归属地统计'), ['用户归属地', '投诉量', '占比', '重复投诉', '去年同期', '变化', '变化率']);
  assert.deepEqual(rows.slice(0, -1).map((r) => [r[0], ...r.slice(1, 6).map(n)]),
    region.items.map((x) => [x.name, x.count, x.share, x.repeats, x.previous, x.change]));
  assert.deepEqual(region.items.filter((x) => x.count).map((x) => [x.key, x.count]), [['PROV', 1], ['KM', 4], ['QJ', 3], ['YX', 2]]);
  await checkChart(page, '各地区投诉量');

  await page.goto(srv.url + '/reports/department');
  await ready(page);
  const dept = (await u.supervisor1.get('/api/v1/reports/complaints?group_by=department')).body;
  rows = await table(page, '按处理部门统计');
  assert.deepEqual(await headers(page, '按处理部门统计'), ['处理部门', '投诉量', '占比', '重复投诉']);
  assert.deepEqual(rows.slice(0, -1).map((r) => [r[0], ...r.slice(1).map(n)]),
    dept.items.map((x) => [x.key === null ? '未派单' : x.name, x.count, x.share, x.repeats]));
  assert.ok(rows.some((r) => r[0] === '未派单' && n(r[1]) === 4), 'pending, the draft and the one resolved at intake');
  await checkChart(page, '各部门投诉量');

  for (const [interval, label, chart] of [['day', '每日投诉量', '每日投诉量'], ['week', '每周投诉量', '每周投诉量']]) {
    await page.goto(`${srv.url}/reports/trend?compare=previous${interval === 'day' ? '' : '&interval=' + interval}`);
    await ready(page);
    const api = (await u.supervisor1.get(`/api/v1/reports/complaints?group_by=${interval}&compare=previous`)).body;
    rows = await table(page, label);
    assert.equal(rows.length, api.items.length + 1);
    api.items.forEach((x, i) => {
      assert.ok(rows[i][0].startsWith(x.key), `${rows[i][0]} is ${x.key}`);
      assert.deepEqual(rows[i].slice(1, 4).map(n), [x.count, x.share, x.repeats]);
      assert.equal(n(rows[i][5]), x.previous);
    });
    assert.equal(n(rows.at(-1)[1]), api.totals.count);
    await checkChart(page, chart);
    assert.equal(await page.getByLabel('统计粒度', { exact: true }).inputValue(), interval);
  }
  w.assertClean();
  await ctx.close();
});

test('KPIs: cards with the value, 环比 and 同比 in words and arrows, and the table per department, equal the API', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(srv.url + '/reports/kpis');
  await ready(page);
  const mom = (await u.dispatcher1.get('/api/v1/reports/kpis?compare=previous')).body;
  const yoy = (await u.dispatcher1.get('/api/v1/reports/kpis?compare=last_year')).body;
  const k = mom.kpis;
  assert.equal(k.closed, 5);
  const card = (key) => page.locator(`.kpi[data-kpi="${key}"]`);
  assert.equal(await card('closed').locator('.kpi-value').textContent(), String(k.closed));
  assert.equal(n(await card('on_time').locator('.kpi-value').textContent()), k.on_time.rate);
  assert.equal(n(await card('first_contact').locator('.kpi-value').textContent()), k.first_contact.rate);
  assert.equal(n(await card('repeat').locator('.kpi-value').textContent()), k.repeat.rate);
  assert.equal(await card('urges').locator('.kpi-value').textContent(), String(k.urges));
  assert.equal(await card('satisfaction').locator('.kpi-value').textContent(), String(k.satisfaction.mean));
  // nothing closed before: the change is the count itself, upwards, with the period compared with
  const cmp = await card('closed').locator('.cmp').allTextContents();
  assert.deepEqual(cmp, [`环比 ↑ +${k.closed} （上期 ${mom.previous.closed}）`, `同比 ↑ +${k.closed} （去年同期 ${yoy.previous.closed}）`]);
  const rows = await table(page, '各部门考核指标');
  const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
  for (const d of k.departments) {
    const r = byName[d.department === null ? '未派单、一次解决' : d.department_name];
    assert.ok(r, d.department);
    assert.deepEqual([n(r[1]), n(r[2]), n(r[3]), n(r[4]), n(r[5])],
      [d.closed, d.on_time.rate, d.first_contact.rate, d.reopen.rate, d.satisfaction.mean], d.department);
  }
  assert.equal(n(byName['网络运维部'][1]), 3);
  assert.equal(n(byName['增值业务中心'][1]), 1);
  await checkChart(page, '各部门及时率');
  w.assertClean();
  await ctx.close();
});

test('the 月报: totals, TOP10 and the KPIs with 环比 and 同比 equal the API', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(srv.url + '/reports/monthly');
  await ready(page);
  // without a month: last month, the one a 月报 is written for
  const last = await page.getByLabel('月份', { exact: true }).inputValue();
  assert.match(last, /^\d{4}-\d\d$/);
  assert.notEqual(last, month);
  await page.getByText(`${last} 没有投诉数据。`).waitFor();
  await page.getByLabel('月份', { exact: true }).fill(month);
  await page.getByRole('button', { name: '统计', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('month') === month);
  await ready(page);
  const api = (await u.dispatcher1.get(`/api/v1/reports/monthly?month=${month}`)).body;
  const totals = await table(page, `${month} 投诉总量`);
  assert.deepEqual(await headers(page, `${month} 投诉总量`), ['指标', '本月', '上月', '环比', '去年同月', '同比']);
  assert.deepEqual(totals.map((r) => [r[0], n(r[1]), n(r[2]), n(r[4])]), [
    ['投诉总量', api.totals.complaints.value, api.totals.complaints.previous, api.totals.complaints.last_year],
    ['重复投诉', api.totals.repeats.value, api.totals.repeats.previous, api.totals.repeats.last_year],
    ['重复投诉率', api.totals.repeat_rate.rate, api.totals.repeat_rate.previous.rate, api.totals.repeat_rate.last_year.rate]]);
  const top = await table(page, `${month} TOP10 投诉类型`);
  assert.deepEqual(top.map((r) => [n(r[0]), r[1], n(r[2]), n(r[3])]),
    api.top10.map((x) => [x.rank, [...x.path, x.name].join(' › '), x.share, x.count.value]));
  assert.equal(top[0][1], '网络质量 › 信号弱/无信号');
  const kpis = await table(page, `${month} 考核指标`);
  const closed = kpis.find((r) => r[0] === '结单数');
  assert.deepEqual([n(closed[1]), n(closed[2]), n(closed[4])], [api.kpis.closed.value, api.kpis.closed.previous, api.kpis.closed.last_year]);
  const onTime = kpis.find((r) => r[0] === '及时率');
  assert.equal(n(onTime[1]), api.kpis.on_time.rate);
  const tree = await table(page, `${month} 投诉分类`);
  assert.equal(tree.length, flat(api.categories).length);
  await checkChart(page, `${month} TOP10 投诉类型`);
  w.assertClean();
  await ctx.close();
});

test('each CSV download is the API\'s CSV, byte for byte', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  const cases = [
    ['/reports?compare=previous', '下载 CSV', '/api/v1/reports/complaints?group_by=category&compare=previous&format=csv'],
    ['/reports/trend?interval=week', '下载 CSV', '/api/v1/reports/complaints?group_by=week&format=csv'],
    ['/reports/kpis', '下载 CSV（含同比）', '/api/v1/reports/kpis?compare=last_year&format=csv'],
    [`/reports/monthly?month=${month}`, '下载 CSV', `/api/v1/reports/monthly?month=${month}&format=csv`],
  ];
  for (const [path, button, apiPath] of cases) {
    await page.goto(srv.url + path);
    await ready(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
    const file = readFileSync(await download.path());
    const r = await fetch(srv.url + apiPath, { headers: { authorization: `Bearer ${u.dispatcher1.token}` } });
    const want = Buffer.from(await r.arrayBuffer());
    assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the byte-order mark');
    assert.ok(file.equals(want), `${path}: the saved file is the API's CSV`);
    assert.equal(`attachment; filename="${download.suggestedFilename()}"`, r.headers.get('content-disposition'));
    await page.getByText(`已保存 ${download.suggestedFilename()}。`).waitFor();
  }
  w.assertClean();
  await ctx.close();
});

test('a bad date is marked at its field; an empty period says so; a handler sees its department only; an agent has no reports', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page, { allow: [{ status: 422, url: '/api/v1/reports/complaints' }] });
  await page.goto(srv.url + '/reports?from=2026-02-30');
  await page.locator('[data-for="from"] .error:not([hidden])').waitFor();
  assert.equal(await page.getByLabel('起始日期', { exact: true }).getAttribute('aria-invalid'), 'true');
  await page.getByRole('alert').filter({ hasText: '报表加载失败' }).waitFor();
  await page.goto(srv.url + '/reports/region?from=2022-01-01&to=2022-01-31');
  await ready(page);
  await page.getByText('这段时间没有投诉。').waitFor();
  assert.equal(await page.locator('.report-body svg').count(), 0);
  w.assertClean();
  await ctx.close();

  const handler = await as(browser, srv.url, 'handler_net1');
  const hw = watch(handler.page);
  await handler.page.getByRole('link', { name: '统计报表', exact: true }).click();
  await ready(handler.page);
  assert.equal(await handler.page.getByLabel('处理部门', { exact: true }).count(), 0, 'no department to choose');
  const mine = (await u.handler_net1.get('/api/v1/reports/complaints')).body;
  assert.equal(n((await table(handler.page, '投诉分类统计')).at(-1)[1]), mine.totals.count);
  assert.equal(mine.totals.count, 4); // the three closed at NET and the one in progress
  hw.assertClean();
  await handler.ctx.close();

  const agent = await as(browser, srv.url, 'agent1');
  assert.equal(await agent.page.getByRole('link', { name: '统计报表' }).count(), 0, 'no menu item');
  for (const path of ['/reports', '/reports/kpis', '/reports/monthly']) {
    await agent.page.goto(srv.url + path);
    await agent.page.getByRole('heading', { name: '此页面不适用于您' }).waitFor();
  }
  await agent.ctx.close();
});

const PAGES = [
  ['category', '/reports?compare=previous'],
  ['region', '/reports/region?compare=last_year'],
  ['department', '/reports/department'],
  ['trend', '/reports/trend?compare=previous'],
  ['trend-week', '/reports/trend?interval=week'],
  ['kpis', '/reports/kpis'],
  ['monthly', () => `/reports/monthly?month=${month}`],
];

for (const lang of ['zh-CN', 'en']) {
  test(`every report page in ${lang}: axe clean, every input labelled, no raw keys, screenshots at both widths`, async () => {
    const ctx = await context(browser, { lang });
    const page = await ctx.newPage();
    await page.goto(srv.url + '/login');
    if (lang === 'en') {
      await page.getByRole('button', { name: 'English', exact: true }).click();
      await page.getByLabel('Username', { exact: true }).waitFor();
    }
    await login(page, srv.url, 'dispatcher1', { lang });
    const w = watch(page);
    const failures = [];
    for (const [name, p] of PAGES) {
      const path = typeof p === 'function' ? p() : p;
      for (const [width, vp] of [['1366', WIDE], ['390', PHONE]]) {
        await page.setViewportSize(vp);
        await page.goto(srv.url + path);
        await ready(page);
        await page.locator('.report-body table.report').first().waitFor();
        await page.waitForLoadState('networkidle');
        await shot(page, `report-${name}-${lang}-${width}`);
        if (width !== '1366') continue;
        const v = await axe(page);
        if (v.length) failures.push(`${name}: axe ${JSON.stringify(v)}`);
        const nl = await unlabelled(page);
        if (nl.length) failures.push(`${name}: inputs without <label for>: ${nl.join(' | ')}`);
        const raw = await rawKeys(page, KEYS);
        if (raw.length) failures.push(`${name}: raw keys on screen: ${raw.join(', ')}`);
        const text = await page.evaluate(() => document.body.innerText);
        if (/undefined|\[object |NaN|\bnull\b/.test(text)) failures.push(`${name}: 'undefined', 'null', 'NaN' or '[object' on screen`);
        // every chart is an image with a name, and its numbers are in a table with a caption and column headers
        const charts = await page.locator('svg[role="img"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
        if (!charts.length || charts.some((x) => !x)) failures.push(`${name}: charts ${JSON.stringify(charts)}`);
        const tables = await page.locator('table.report').evaluateAll((els) => els.map((e) =>
          Boolean(e.caption && e.caption.textContent.trim()) && e.querySelectorAll('thead th[scope="col"]').length > 1));
        if (!tables.length || tables.includes(false)) failures.push(`${name}: tables ${JSON.stringify(tables)}`);
        if (lang === 'en') {
          const heads = await page.locator('main h1, main h2, label, .report-tabs a, thead th').allInnerTexts();
          if (heads.some((x) => /[\u4e00-\u9fff]/.test(x))) failures.push(`${name}: Chinese UI text in English: ${heads.filter((x) => /[\u4e00-\u9fff]/.test(x))}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    w.assertClean();
    await ctx.close();
  });
}
