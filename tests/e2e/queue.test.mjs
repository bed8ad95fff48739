// queue.test.mjs - 工单队列 (issue 13), the centre's workspace: the grid's
// numbers are the API's and a cell filters the list (URL, Back, Enter);
// every filter in the URL; most urgent first; saved views (built-in ones,
// save, after a reload, delete; a taken name is said); a nearly overdue row
// is amber by the server's setting, with words for screen readers; the
// grid follows the live stream; 导出 CSV of a filtered list of two pages;
// bulk 派单 of 50 rows where five were changed meanwhile or could not take
// it (each skipped with its reason, the done rows redrawn); Shift-click and
// x; axe, labels and screenshots in both languages at both widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, as, watch, startServer, stopClean, clients, sql, axe, unlabelled, rawKeys, shot, WIDE, PHONE } from './lib.mjs';

const DICT = JSON.parse(readFileSync(new URL('../../www/i18n/zh-CN.json', import.meta.url), 'utf8'));
const KEYS = Object.keys(DICT);

let browser, srv, u;
const pending = []; // newest first
const toNet = [];
let nearly, notNearly, late;

async function newTicket(c, i, extra = {}) {
  const r = await c.agent1.post('/api/v1/tickets', { category: 'VAS.MMS.FORCED', fault_number: `1391230${String(i).padStart(4, '0')}`,
    subject: `彩信扣费 ${i}`, submit: true, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function dispatch(c, tk, department) {
  const r = await c.dispatcher1.post(`/api/v1/tickets/${tk.number}/actions/dispatch`, { department });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

before(async () => {
  browser = await launch();
  // the nearly overdue threshold is the server's setting: 2 hours here
  srv = await startServer({ args: ['--nearly-overdue-hours', '2', '--sla-interval', '1'] });
  u = clients(srv, ['agent1', 'dispatcher1', 'supervisor1', 'handler_net1']);
  for (let i = 0; i < 68; i++) pending.unshift(await newTicket(u, i, i === 7 ? { region: 'QJ' } : {}));
  // 6 to 网络运维部, 2 to 增值业务中心: 60 stay 待派单 (two pages)
  for (const tk of pending.splice(0, 6)) toNet.push(await dispatch(u, tk, 'NET'));
  for (const tk of pending.splice(0, 2)) await dispatch(u, tk, 'VAS');
  assert.equal(pending.length, 60);
  // one dispatched ticket is late (the sweep marks it), two pending ones
  // have 1 and 3 hours left: only the first is within the 2 hours
  late = toNet[0];
  [nearly, notNearly] = [pending[10], pending[11]];
  sql(srv.db, `UPDATE tickets SET deadline = unixepoch() - 600 WHERE number = '${late.number}';
    UPDATE tickets SET deadline = unixepoch() + 3600 WHERE number = '${nearly.number}';
    UPDATE tickets SET deadline = unixepoch() + 3 * 3600 WHERE number = '${notNearly.number}';`);
  for (let i = 0; i < 50; i++) {
    if ((await u.dispatcher1.get('/api/v1/queues')).body.overdue === 1) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal((await u.dispatcher1.get('/api/v1/queues')).body.overdue, 1, 'the sweep marked the late ticket');
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

const rows = (page) => page.locator('table.tickets tbody tr');
const listed = (page) => page.locator('table.tickets a.row-link').allTextContents();
const apiList = async (who, query) => (await u[who].get(`/api/v1/tickets?limit=50&${query}`)).body.items.map((x) => x.number);
const shown = (page) => page.locator('.muted', { hasText: /已显示 \d+ 张工单|Tickets shown: \d+/ }).waitFor();

test('the home page of the centre; the grid holds the numbers of /queues; a cell filters the list, Back returns', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  assert.equal(new URL(page.url()).pathname, '/queue', 'a dispatcher starts at the queue');
  assert.equal(await page.locator('#top nav a').first().textContent(), '工单队列');
  const grid = page.locator('table.queue-grid');
  await grid.waitFor();
  const q = (await u.dispatcher1.get('/api/v1/queues')).body;
  for (const it of q.items) {
    const sel = `[data-state="${it.state}"][data-department="${it.department || ''}"]`;
    assert.equal(await grid.locator(`a.cell-total${sel}`).textContent(), String(it.total), `${it.state}/${it.department}`);
    if (it.overdue) assert.equal(await grid.locator(`a.cell-over${sel}`).textContent(), `超时 ${it.overdue}`);
    else assert.equal(await grid.locator(`a.cell-over${sel}`).count(), 0);
  }
  // headers: states as columns, departments as rows; the totals
  assert.deepEqual(await grid.locator('thead th').allTextContents(), ['处理部门', '待派单', '已派单', '合计']);
  assert.deepEqual(await grid.locator('tbody th[scope=row]').allTextContents(), ['未分派部门', '增值业务中心', '网络运维部']);
  assert.equal(await grid.locator('tfoot td').last().textContent(), `${q.total} 超时 ${q.overdue}`);
  assert.equal(q.total, 68);
  // a click on 网络运维部 × 已派单 filters the list below
  await grid.locator('a.cell-total[data-state="dispatched"][data-department="NET"]').click();
  await page.waitForURL((url) => url.pathname === '/queue' && url.searchParams.get('state') === 'dispatched' &&
    url.searchParams.get('department') === 'NET');
  await shown(page);
  assert.deepEqual((await listed(page)).sort(), toNet.map((x) => x.number).sort());
  assert.deepEqual(await listed(page), await apiList('dispatcher1', 'state=dispatched&department=NET&sort=deadline'));
  assert.equal(await rows(page).first().locator('a.row-link').textContent(), late.number, 'the late one leads');
  assert.equal(await grid.locator('td.current').count(), 1);
  // its overdue count filters to the late ticket
  await grid.locator('a.cell-over[data-state="dispatched"][data-department="NET"]').click();
  await page.waitForURL((url) => url.searchParams.get('overdue') === 'true');
  await shown(page);
  assert.deepEqual(await listed(page), [late.number]);
  assert.match(await rows(page).first().getAttribute('class'), /\boverdue\b/);
  // Back, twice: the whole queue again
  await page.goBack();
  await page.waitForURL((url) => url.searchParams.get('state') === 'dispatched' && !url.searchParams.has('overdue'));
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/queue' && url.search === '');
  await shown(page);
  assert.equal(await rows(page).count(), 50);
  // the keyboard: Enter on a cell
  await grid.locator('a.cell-total[data-state="pending_dispatch"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('state') === 'pending_dispatch');
  w.assertClean();
  await ctx.close();
});

test('most urgent first by default; every filter goes into the URL and comes back from it', async () => {
  const { ctx, page } = await as(browser, srv.url, 'supervisor1');
  const w = watch(page);
  await page.goto(srv.url + '/queue');
  await shown(page);
  const byDeadline = await apiList('supervisor1', 'sort=deadline');
  assert.deepEqual(await listed(page), byDeadline);
  assert.equal(byDeadline[0], late.number);
  assert.equal(byDeadline[1], nearly.number);
  assert.equal(await page.getByLabel('排序', { exact: true }).inputValue(), 'deadline');
  // the filters
  await page.getByLabel('状态', { exact: true }).selectOption('pending_dispatch');
  await page.getByLabel('用户归属地', { exact: true }).selectOption('QJ');
  await page.getByLabel('受理员', { exact: true }).fill('agent1');
  await page.getByLabel('投诉类型', { exact: true }).selectOption('VAS');
  await page.getByLabel('受理日期从', { exact: true }).fill('2020-01-01');
  await page.getByLabel('受理日期到', { exact: true }).fill('2099-12-31');
  await page.getByLabel('排序', { exact: true }).selectOption('created');
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('region') === 'QJ');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('state'), 'pending_dispatch');
  assert.equal(url.searchParams.get('created_by'), 'agent1');
  assert.equal(url.searchParams.get('category'), 'VAS');
  assert.equal(url.searchParams.get('sort'), 'created');
  // the dates are the user's local days (Asia/Shanghai here), as times
  assert.equal(url.searchParams.get('from'), '2019-12-31T16:00:00Z');
  assert.equal(url.searchParams.get('to'), '2099-12-31T16:00:00Z');
  await shown(page);
  const qj = pending.filter((x) => x.region === 'QJ').map((x) => x.number);
  assert.equal(qj.length, 1);
  assert.deepEqual(await listed(page), qj);
  // a reload brings every filter back
  await page.reload();
  await shown(page);
  assert.equal(await page.getByLabel('用户归属地', { exact: true }).inputValue(), 'QJ');
  assert.equal(await page.getByLabel('受理员', { exact: true }).inputValue(), 'agent1');
  assert.equal(await page.getByLabel('受理日期从', { exact: true }).inputValue(), '2020-01-01');
  assert.equal(await page.getByLabel('受理日期到', { exact: true }).inputValue(), '2099-12-31');
  assert.equal(await page.getByLabel('排序', { exact: true }).inputValue(), 'created');
  assert.deepEqual(await listed(page), qj);
  // assignee, department, overdue and q from a URL
  await page.goto(srv.url + '/queue?department=NET&assignee=handler_net1');
  await page.getByText('没有工单。').waitFor();
  assert.equal(await page.getByLabel('处理人', { exact: true }).inputValue(), 'handler_net1');
  assert.equal(await page.getByLabel('处理部门', { exact: true }).inputValue(), 'NET');
  await page.goto(srv.url + '/queue?q=' + encodeURIComponent('彩信扣费 7'));
  await shown(page);
  assert.ok((await listed(page)).includes(pending.find((x) => x.subject === '彩信扣费 7').number));
  assert.equal(await page.getByLabel('排序', { exact: true }).inputValue(), 'created', 'a search is newest first');
  // a search cannot go by deadline: the API's 422 shows at the order
  await page.goto(srv.url + '/queue?q=x&sort=deadline');
  await page.locator('.queue-filters [data-for=sort] .error:not([hidden])').waitFor();
  w.problems.splice(0); // the 422 was the point
  await ctx.close();
});

test('saved views: the built-in ones, save the current filters (a taken name is said), after a reload, delete', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page, { allow: [{ status: 409, url: '/api/v1/views' }] });
  await page.goto(srv.url + '/queue');
  await shown(page);
  const views = page.getByRole('navigation', { name: '视图' });
  assert.deepEqual(await views.locator('a.view').allTextContents(), ['待派单', '已超时', '今日新建', '我的部门']);
  await views.getByRole('link', { name: '待派单' }).click();
  await page.waitForURL('**/queue?state=pending_dispatch');
  await shown(page);
  assert.equal(await views.getByRole('link', { name: '待派单' }).getAttribute('aria-current'), 'true');
  assert.equal(await views.locator('a[aria-current]').count(), 1);
  await views.getByRole('link', { name: '已超时' }).click();
  await page.waitForURL('**/queue?overdue=true');
  await shown(page);
  assert.deepEqual(await listed(page), [late.number]);
  // 今日新建: from the browser's local midnight
  await views.getByRole('link', { name: '今日新建' }).click();
  await page.waitForURL((url) => url.searchParams.has('from'));
  const from = new URL(page.url()).searchParams.get('from');
  const midnight = await page.evaluate(() => { const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString().replace('.000', ''); });
  assert.equal(from, midnight);
  await shown(page);
  assert.equal(await views.getByRole('link', { name: '今日新建' }).getAttribute('aria-current'), 'true');
  // save the current filters under a name
  await page.goto(srv.url + '/queue?state=pending_dispatch&region=QJ');
  await shown(page);
  await views.getByRole('button', { name: '保存当前视图' }).click();
  const dlg = page.getByRole('dialog', { name: '保存当前视图' });
  await dlg.getByLabel('视图名称').fill('曲靖待派单');
  await dlg.getByRole('button', { name: '保存当前视图' }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('#notice', { hasText: '视图“曲靖待派单”已保存。' }).waitFor();
  const saved = (await u.dispatcher1.get('/api/v1/views')).body.items;
  assert.deepEqual(saved.map((v) => [v.name, v.query]), [['曲靖待派单', 'state=pending_dispatch&region=QJ']]);
  await views.getByRole('link', { name: '曲靖待派单' }).waitFor();
  assert.equal(await views.getByRole('link', { name: '曲靖待派单' }).getAttribute('aria-current'), 'true');
  // the same name again: 409, said beside the name
  await page.goto(srv.url + '/queue?overdue=true');
  await shown(page);
  await views.getByRole('button', { name: '保存当前视图' }).click();
  await dlg.getByLabel('视图名称').fill('曲靖待派单');
  await dlg.getByRole('button', { name: '保存当前视图' }).click();
  await dlg.getByText('已有同名视图，请换一个名称').waitFor();
  assert.equal(await dlg.getByLabel('视图名称').getAttribute('aria-invalid'), 'true');
  await dlg.getByRole('button', { name: '取消' }).click();
  // after a reload it is there, and it opens its filters
  await page.goto(srv.url + '/queue');
  await shown(page);
  assert.deepEqual(await views.locator('a.view').allTextContents(), ['待派单', '已超时', '今日新建', '我的部门', '曲靖待派单']);
  await views.getByRole('link', { name: '曲靖待派单' }).click();
  await page.waitForURL('**/queue?state=pending_dispatch&region=QJ');
  await shown(page);
  assert.equal(await rows(page).count(), 1);
  // delete, after a confirmation
  await views.getByRole('button', { name: '删除视图“曲靖待派单”' }).click();
  const confirm = page.getByRole('dialog', { name: '删除视图' });
  await confirm.getByText('删除视图“曲靖待派单”？').waitFor();
  await confirm.getByRole('button', { name: '删除', exact: true }).click();
  await views.getByRole('link', { name: '曲靖待派单' }).waitFor({ state: 'detached' });
  assert.deepEqual((await u.dispatcher1.get('/api/v1/views')).body.items, []);
  w.assertClean();
  await ctx.close();
});

test('a nearly overdue row stands out by the server\'s setting, with words for screen readers; overdue ones are red', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  // the setting reached the UI through /reference
  assert.deepEqual((await u.dispatcher1.get('/api/v1/reference')).body.settings, { nearly_overdue_hours: 2 });
  await page.goto(srv.url + '/queue');
  await shown(page);
  const row = (n) => page.locator(`table.tickets tr[data-number="${n}"]`);
  assert.match(await row(nearly.number).getAttribute('class'), /\bnearly\b/);
  assert.equal(await row(nearly.number).locator('.cue').textContent(), '即将超时：');
  assert.match(await row(nearly.number).locator('.countdown').textContent(), /^剩余 (\d+分|1小时)$/);
  assert.equal(await row(notNearly.number).getAttribute('class'), null, '3 hours left is not within 2');
  assert.equal(await row(notNearly.number).locator('.cue').textContent(), '');
  assert.match(await row(late.number).getAttribute('class'), /\boverdue\b/);
  assert.equal(await row(late.number).locator('.cue').textContent(), '已超时：');
  assert.match(await row(late.number).locator('.countdown').textContent(), /^已超时/);
  // amber is not red: the two look different
  const bg = (n) => row(n).locator('td.subject').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(await bg(nearly.number), await bg(late.number));
  assert.notEqual(await bg(nearly.number), await bg(notNearly.number));
  w.assertClean();
  await ctx.close();
});

test('the grid follows the live stream: a dispatch elsewhere changes its numbers without a reload', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(srv.url + '/queue');
  await shown(page);
  const cell = page.locator('table.queue-grid a.cell-total[data-state="dispatched"][data-department="VAS"]');
  assert.equal(await cell.textContent(), '2');
  const tk = pending.pop();
  await dispatch(u, tk, 'VAS');
  await page.locator('table.queue-grid a.cell-total[data-state="dispatched"][data-department="VAS"]', { hasText: /^3$/ }).waitFor({ timeout: 5000 });
  w.assertClean();
  await ctx.close();
});

test('Shift-click selects a range, the header box the page, x the focused row', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(srv.url + '/queue?state=pending_dispatch');
  await shown(page);
  const boxes = page.locator('table.tickets tbody input.row-select');
  const count = page.locator('.bulk-count');
  assert.equal(await count.textContent(), '已选 0 张');
  assert.ok(await page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '派单' }).isDisabled());
  // every box is labelled with its ticket number
  const first = await rows(page).first().getAttribute('data-number');
  await page.getByLabel(`选择工单 ${first}`, { exact: true }).check();
  await boxes.nth(6).click({ modifiers: ['Shift'] });
  assert.equal(await count.textContent(), '已选 7 张');
  for (let i = 0; i < 10; i++) assert.equal(await boxes.nth(i).isChecked(), i <= 6, `row ${i}`);
  // a second range from the last click
  await boxes.nth(9).click({ modifiers: ['Shift'] });
  assert.equal(await count.textContent(), '已选 10 张');
  const all = page.getByLabel('选择本页全部工单', { exact: true });
  assert.equal(await all.evaluate((el) => el.indeterminate), true);
  await all.check();
  assert.equal(await count.textContent(), '已选 50 张');
  await all.uncheck();
  assert.equal(await count.textContent(), '已选 0 张');
  // x on the focused row
  await page.locator('main h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  assert.equal(await boxes.nth(1).isChecked(), true);
  assert.equal(await count.textContent(), '已选 1 张');
  await page.keyboard.press('x');
  assert.equal(await boxes.nth(1).isChecked(), false);
  // rows of the next page take part too
  await page.getByRole('button', { name: '加载更多' }).click();
  await rows(page).nth(50).waitFor();
  await all.check();
  assert.equal(await count.textContent(), `已选 ${await rows(page).count()} 张`);
  w.assertClean();
  await ctx.close();
});

test('导出 CSV saves every page of the filtered list as one file', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(srv.url + '/queue?state=pending_dispatch&created_by=agent1');
  await shown(page);
  const want = [];
  let cursor = null;
  do {
    const r = (await u.dispatcher1.get(`/api/v1/tickets?state=pending_dispatch&created_by=agent1&sort=deadline&limit=50${cursor ? `&cursor=${cursor}` : ''}`)).body;
    want.push(...r.items.map((x) => x.number));
    cursor = r.next_cursor;
  } while (cursor);
  assert.ok(want.length > 50, `${want.length} tickets: more than one page`);
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 CSV', exact: true }).click()]);
  assert.match(download.suggestedFilename(), /^tickets-\d{8}\.csv$/);
  const file = readFileSync(await download.path());
  assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
  const lines = file.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.match(lines[0], /^工单编号,状态/);
  assert.equal(lines.filter((l) => l.startsWith('工单编号')).length, 1, 'one header row');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), want, 'every page, in the order shown');
  assert.ok(lines.slice(1).every((l) => l.split(',')[1] === '待派单'));
  await page.getByText(`已导出 ${want.length} 张工单。`).waitFor();
  w.assertClean();
  await ctx.close();
});

test('bulk 派单 of 50 rows: the ones changed meanwhile or not allowed are skipped with their reasons, the others done', async () => {
  const own = await startServer({ args: ['--sla-interval', '86400'] });
  try {
    const c = clients(own, ['agent1', 'dispatcher1']);
    const made = [];
    for (let i = 0; i < 50; i++) made.push(await newTicket(c, 100 + i));
    // two were dispatched before the page was opened: 派单 is not allowed on them
    const before = [made[3], made[20]];
    for (const tk of before) await dispatch(c, tk, 'VAS');
    const { ctx, page } = await as(browser, own.url, 'dispatcher1');
    const w = watch(page);
    await page.goto(own.url + '/queue?created_by=agent1');
    await shown(page);
    assert.equal(await rows(page).count(), 50);
    await page.getByLabel('选择本页全部工单', { exact: true }).check();
    assert.equal(await page.locator('.bulk-count').textContent(), '已选 50 张');
    // meanwhile a colleague dispatches two and an agent comments on one
    const meanwhile = [made[5], made[30], made[41]];
    await dispatch(c, made[5], 'BILL');
    await dispatch(c, made[30], 'BILL');
    assert.equal((await c.agent1.post(`/api/v1/tickets/${made[41].number}/actions/comment`, { comment: '用户来电补充情况' })).status, 200);
    await page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '派单' }).click();
    const dlg = page.getByRole('dialog', { name: '批量派单：50 张工单' });
    await dlg.getByLabel('处理部门', { exact: true }).selectOption('NET');
    await dlg.getByLabel('备注', { exact: true }).fill('批量派单：请网络运维部核查');
    await dlg.getByRole('button', { name: '派单', exact: true }).click();
    const result = page.locator('.bulk-result');
    await result.getByRole('heading', { name: '批量派单：完成 45 张，跳过 5 张' }).waitFor();
    const line = (tk) => result.locator(`li[data-number="${tk.number}"]`);
    for (const tk of before) {
      assert.equal(await line(tk).getAttribute('class'), 'skipped');
      assert.match(await line(tk).textContent(), /跳过 当前状态（或部门）不允许此操作/);
    }
    for (const tk of meanwhile) {
      assert.equal(await line(tk).getAttribute('class'), 'skipped');
      assert.match(await line(tk).textContent(), /跳过 工单已被他人改动（版本已变）/);
    }
    assert.equal(await result.locator('li.done').count(), 45);
    // the server agrees, and the done rows are redrawn from it (unticked)
    const skippedNumbers = new Set([...before, ...meanwhile].map((x) => x.number));
    for (const tk of made) {
      const now = (await c.dispatcher1.get(`/api/v1/tickets/${tk.number}`)).body;
      if (skippedNumbers.has(tk.number)) { assert.notEqual(now.department, 'NET', tk.number); continue; }
      assert.deepEqual([now.state, now.department], ['dispatched', 'NET'], tk.number);
      const row = page.locator(`table.tickets tr[data-number="${tk.number}"]`);
      await row.locator('.badge', { hasText: '已派单' }).waitFor();
      assert.equal(await row.getAttribute('data-version'), String(now.version));
      assert.equal(await row.locator('td.dept').textContent(), '网络运维部');
      assert.equal(await row.locator('input.row-select').isChecked(), false);
    }
    assert.equal(await page.locator('.bulk-count').textContent(), '已选 5 张', 'the skipped rows stay selected');
    await shot(page, 'queue-bulk-result-wide');
    await page.setViewportSize(PHONE);
    await shot(page, 'queue-bulk-result-phone');
    const history = (await c.dispatcher1.get(`/api/v1/tickets/${made[0].number}/history`)).body.items.at(-1);
    assert.deepEqual([history.action, history.text], ['dispatch', '批量派单：请网络运维部核查']);
    w.assertClean();
    await ctx.close();
  } finally {
    await stopClean(own);
  }
});

test('待派单 has the bulk actions too: two rows ticked, 派单 to 网络运维部', async () => {
  const { ctx, page } = await as(browser, srv.url, 'supervisor1');
  const w = watch(page);
  await page.goto(srv.url + '/pending');
  await rows(page).first().waitFor();
  const two = [await rows(page).nth(0).getAttribute('data-number'), await rows(page).nth(1).getAttribute('data-number')];
  for (const n of two) await page.getByLabel(`选择工单 ${n}`, { exact: true }).check();
  await page.getByRole('toolbar', { name: '批量操作' }).getByRole('button', { name: '派单' }).click();
  const dlg = page.getByRole('dialog', { name: '批量派单：2 张工单' });
  // without the department nothing is sent: the form says what is missing
  await dlg.getByRole('button', { name: '派单', exact: true }).click();
  await dlg.locator('[data-for=department] .error', { hasText: '必填' }).waitFor();
  assert.equal(await page.locator('.bulk-result').isHidden(), true);
  await dlg.getByLabel('处理部门', { exact: true }).selectOption('NET');
  await dlg.getByRole('button', { name: '派单', exact: true }).click();
  await page.locator('.bulk-result').getByRole('heading', { name: '批量派单：完成 2 张，跳过 0 张' }).waitFor();
  for (const n of two) {
    assert.equal((await u.supervisor1.get(`/api/v1/tickets/${n}`)).body.department, 'NET');
    await page.locator(`table.tickets tr[data-number="${n}"] .badge`, { hasText: '已派单' }).waitFor();
    pending.splice(pending.findIndex((x) => x.number === n), 1);
  }
  w.assertClean();
  await ctx.close();
});

for (const lang of ['zh-CN', 'en']) {
  test(`the queue page in ${lang}: clean console, axe, labels, no raw keys, screenshots at both widths`, async () => {
    const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
    const w = watch(page);
    if (lang === 'en') {
      await page.locator('#top button.lang').click();
      await page.locator('#top nav a', { hasText: 'Queue' }).waitFor();
    }
    const failures = [];
    for (const [name, prepare] of [
      ['queue', null],
      ['queue-bulk', async () => {
        await page.locator('table.tickets tbody input.row-select').nth(0).check();
        await page.locator('table.tickets tbody input.row-select').nth(3).click({ modifiers: ['Shift'] });
        await page.locator('.bulk-bar button[data-action="dispatch"]').click();
        await page.locator('dialog form.action-form').waitFor();
      }],
      ['queue-save-view', async () => {
        await page.locator('button.save-view').click();
        await page.locator('dialog form.view-form').waitFor();
      }],
    ]) {
      for (const [width, vp] of [['wide', WIDE], ['phone', PHONE]]) {
        await page.setViewportSize(vp);
        await page.goto(srv.url + '/queue');
        await shown(page);
        await page.locator('table.queue-grid').waitFor();
        if (prepare) await prepare();
        await shot(page, `${name}-${lang}-${width}`);
        if (width === 'wide') {
          const v = await axe(page);
          if (v.length) failures.push(`${name}: axe ${JSON.stringify(v)}`);
          const nl = await unlabelled(page);
          if (nl.length) failures.push(`${name}: inputs without <label for>: ${nl.join(' | ')}`);
          const raw = await rawKeys(page, KEYS);
          if (raw.length) failures.push(`${name}: raw keys on screen: ${raw.join(', ')}`);
          const text = await page.evaluate(() => document.body.innerText);
          if (/undefined|\[object |NaN|\bnull\b/.test(text)) failures.push(`${name}: 'undefined', 'null', 'NaN' or '[object' on screen`);
          if (lang === 'en' && /工单队列|已选|保存当前视图|未分派部门|合计/.test(text)) failures.push(`${name}: Chinese UI words in the English UI`);
        }
      }
    }
    assert.deepEqual(failures, []);
    w.assertClean();
    await ctx.close();
  });
}
