// lists.test.mjs - lists and moving around: 50 rows a page and the next by
// next_cursor, j/k and arrows with Enter to open, filters kept in the URL,
// Back and Forward; the creator editing a draft on its ticket page (PATCH);
// and the login page's messages for throttling (429 with Retry-After); the
// order (sort=) and 导出 CSV of a whole list of two pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, as, context, watch, startServer, stopClean, clients, password } from './lib.mjs';

let browser, srv, u, numbers;
before(async () => {
  browser = await launch();
  srv = await startServer();
  u = clients(srv, ['agent1', 'dispatcher1']);
  numbers = [];
  for (let i = 0; i < 55; i++) {
    const r = await u.agent1.post('/api/v1/tickets', { category: 'VAS.MMS.FORCED', fault_number: `1381230${String(i).padStart(4, '0')}`,
      subject: i % 2 ? `停机投诉 ${i}` : `彩信扣费 ${i}`, submit: i % 5 !== 0 });
    assert.equal(r.status, 201, r.text);
    numbers.unshift(r.body.number); // newest first, as the list shows them
  }
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

test('50 rows a page, the next page by its cursor, j/k and arrows move, Enter opens, Back and Forward return', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.getByRole('link', { name: '工单列表', exact: true }).click();
  await page.waitForURL('**/tickets');
  const rows = page.locator('table.tickets tbody tr');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByRole('button', { name: '加载更多' }).click();
  await rows.nth(54).waitFor();
  assert.equal(await rows.count(), 55);
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), numbers, 'every ticket once, newest first');
  // the keyboard carries on at the first new row
  await page.locator('a.row-link:focus', { hasText: numbers[50] }).waitFor();
  await page.keyboard.press('k');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), numbers[48]);
  await page.keyboard.press('j');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), numbers[49]);
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/tickets/${numbers[49]}`);
  await page.locator('.ticket-head h1', { hasText: numbers[49] }).waitFor();
  await page.goBack();
  await page.waitForURL('**/tickets');
  await rows.first().waitFor();
  await page.goForward();
  await page.locator('.ticket-head h1', { hasText: numbers[49] }).waitFor();
  w.assertClean();
  await ctx.close();
});

test('filters and the search go into the URL, and the URL brings them back', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(srv.url + '/tickets');
  await page.locator('table.tickets').waitFor();
  await page.keyboard.press('/');
  await page.keyboard.type('停机');
  await page.getByLabel('状态', { exact: true }).selectOption('pending_dispatch');
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('q') === '停机' && url.searchParams.get('state') === 'pending_dispatch');
  await page.locator('.muted', { hasText: /已显示 \d+ 张工单/ }).waitFor();
  const subjects = await page.locator('td.subject').allTextContents();
  assert.ok(subjects.length > 0 && subjects.every((s) => s.startsWith('停机投诉')), subjects.join());
  // the searched word is marked in every subject
  const marks = await page.locator('td.subject > mark').allTextContents();
  assert.equal(marks.length, subjects.length);
  assert.ok(marks.every((m) => m === '停机'), marks.join());
  // a reload (or a shared link) shows the same
  await page.reload();
  assert.equal(await page.getByLabel('搜索', { exact: true }).inputValue(), '停机');
  assert.equal(await page.getByLabel('状态', { exact: true }).inputValue(), 'pending_dispatch');
  await page.locator('.muted', { hasText: /已显示 \d+ 张工单/ }).waitFor(); // the list comes after the form
  assert.deepEqual(await page.locator('td.subject').allTextContents(), subjects);
  // overdue only: none yet
  await page.getByLabel('只看已超时', { exact: true }).check();
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.getByText('没有工单。').waitFor();
  await page.goBack();
  await page.locator('td.subject').first().waitFor();
  w.assertClean();
  await ctx.close();
});

test('the creator edits a draft on its ticket page; others see no edit button', async () => {
  const draft = numbers.find((n, i) => (54 - i) % 5 === 0);
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page);
  await page.goto(`${srv.url}/drafts`);
  await page.getByRole('link', { name: draft }).click();
  await page.locator('.ticket-head h1', { hasText: draft }).waitFor();
  await page.getByRole('button', { name: '编辑草稿', exact: true }).click();
  await page.getByLabel('主题', { exact: true }).fill('改过的主题');
  await page.getByLabel('联系电话', { exact: true }).fill('0871 6543210'); // spaces go as typed
  assert.equal(await page.getByLabel('联系电话', { exact: true }).inputValue(), '08716543210');
  await page.keyboard.press('Control+s');
  await page.locator('.notice', { hasText: `草稿 ${draft} 已保存。` }).waitFor();
  await page.locator('.ticket-head .subject', { hasText: '改过的主题' }).waitFor();
  const t = (await u.agent1.get(`/api/v1/tickets/${draft}`)).body;
  assert.deepEqual([t.state, t.subject, t.contact_number, t.version], ['draft', '改过的主题', '08716543210', 2]);
  w.assertClean();
  await ctx.close();
  const other = await as(browser, srv.url, 'dispatcher1');
  await other.page.goto(`${srv.url}/tickets/${draft}`);
  await other.page.locator('.ticket-head h1', { hasText: draft }).waitFor();
  assert.equal(await other.page.getByRole('button', { name: '编辑草稿' }).count(), 0);
  await other.ctx.close();
});

test('the login page says when throttling ends (429, Retry-After)', async () => {
  const own = await startServer(); // its throttle counts are its own
  try {
    const ctx = await context(browser);
    const page = await ctx.newPage();
    await page.goto(own.url + '/login');
    await page.getByLabel('用户名', { exact: true }).fill('agent2');
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('密码', { exact: true }).fill(`wrong-${i}`);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.getByText('用户名或密码错误。').waitFor();
      await page.getByRole('button', { name: '登录', exact: true }).and(page.locator(':enabled')).waitFor();
    }
    await page.getByLabel('密码', { exact: true }).fill(password('agent2'));
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByText(/登录失败次数过多，请 \d+ 秒后再试。/).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    await ctx.close();
  } finally {
    await stopClean(own);
  }
});

test('a search that stops at its budget goes on by itself, says how far it got, and 加载更多 goes on to the full answer', async () => {
  const own = await startServer({ args: ['--list-budget', '1'] });
  try {
    const c = clients(own, ['agent1']);
    const want = [];
    for (let i = 0; i < 80; i++) {
      const r = await c.agent1.post('/api/v1/tickets', { category: i % 4 ? 'VAS.MMS.FORCED' : 'BILL.DISPUTE',
        fault_number: `1381240${String(i).padStart(4, '0')}`, subject: `投诉 ${i}` });
      if (i % 4) want.unshift(r.body.number);
    }
    const { ctx, page } = await as(browser, own.url, 'agent1');
    const w = watch(page);
    // one ticket examined a request: the page asks again by itself (25
    // requests at most), shows what it found and says how far it got
    await page.goto(own.url + '/tickets?category=VAS');
    await page.locator('.muted', { hasText: /已显示 \d+ 张工单；已查到 \d{4}-\d\d-\d\d \d\d:\d\d 创建的工单/ }).waitFor();
    const first = await page.locator('a.row-link').allTextContents();
    assert.ok(first.length > 1 && first.length <= 25, `${first.length} rows after the first load`);
    assert.deepEqual(first, want.slice(0, first.length));
    assert.equal(await page.getByText('没有工单。').count(), 0);
    const more = page.locator('.more button');
    for (let i = 0; i < 20 && await more.count(); i++) {
      await more.click();
      // the pressed button is disabled until the page is in, then replaced (or gone)
      await page.locator('.more button:disabled').waitFor({ state: 'detached' });
    }
    assert.deepEqual(await page.locator('a.row-link').allTextContents(), want);
    w.assertClean();
    await ctx.close();
  } finally {
    await stopClean(own);
  }
});

test('the order goes into the URL, and 导出 CSV saves every page of the list as one file', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.goto(`${srv.url}/tickets`);
  await page.getByLabel('排序', { exact: true }).selectOption({ label: '时限最近在前' });
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.waitForURL('**/tickets?sort=deadline');
  const byDeadline = (await u.dispatcher1.get('/api/v1/tickets?sort=deadline&limit=50')).body.items.map((x) => x.number);
  await page.locator('table.tickets tbody tr').nth(49).waitFor();
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), byDeadline);
  assert.equal(await page.getByLabel('排序', { exact: true }).inputValue(), 'deadline');
  // the export follows the cursor to the end: 55 tickets on two pages of 50
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: '导出 CSV', exact: true }).click()]);
  assert.match(download.suggestedFilename(), /^tickets-\d{8}\.csv$/);
  const file = readFileSync(await download.path());
  assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark, once');
  const lines = file.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
  assert.match(lines[0], /^工单编号,状态,优先级/);
  assert.equal(lines.filter((l) => l.startsWith('工单编号')).length, 1);
  const all = [...byDeadline, ...(await u.dispatcher1.get(`/api/v1/tickets?sort=deadline&limit=50&cursor=${
    (await u.dispatcher1.get('/api/v1/tickets?sort=deadline&limit=50')).body.next_cursor}`)).body.items.map((x) => x.number)];
  assert.equal(all.length, 55);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), all);
  await page.getByText('已导出 55 张工单。').waitFor();
  w.assertClean();
  await ctx.close();
});
