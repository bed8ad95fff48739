// search.test.mjs - the 查询 page (/search): `/` focuses the words, the
// matched words are marked (<mark>), the words and every filter go into the
// URL and come back from it, the count at the end, a ticket number finds its
// ticket, an empty answer and a refused date say so, a search that stops at
// its budget goes on by itself and 加载更多 reaches the full answer; both
// languages, axe, labels, screenshots at both widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, as, context, login, watch, startServer, stopClean, clients, axe, unlabelled, shot, WIDE, PHONE } from './lib.mjs';

let browser, srv, u, stop, bill;
before(async () => {
  browser = await launch();
  srv = await startServer({ env: { TZ: 'Asia/Shanghai' } }); // whole days as the browser counts them
  u = clients(srv, ['agent1', 'dispatcher1']);
  stop = [];
  bill = [];
  for (let i = 0; i < 12; i++) {
    const r = await u.agent1.post('/api/v1/tickets', { category: 'VAS.MMS.FORCED', fault_number: `1381250${String(i).padStart(4, '0')}`,
      subject: i % 3 ? `彩信扣费 ${i}` : `手机停机 ${i}`, description: i % 3 ? '用户称未订购彩信业务却被扣费' : '欠费停机后已缴费仍不能通话',
      submit: i % 2 === 0 });
    assert.equal(r.status, 201, r.text);
    (i % 3 ? bill : stop).unshift(r.body);
  }
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); // Asia/Shanghai

test('查询: / focuses the words, matches are marked, filters go into the URL and back, the count at the end', async () => {
  const { ctx, page } = await as(browser, srv.url, 'dispatcher1');
  const w = watch(page);
  await page.getByRole('link', { name: '查询', exact: true }).click();
  await page.waitForURL('**/search');
  await page.getByText('输入关键字或选择条件，然后点“查询”。').waitFor();
  assert.deepEqual(await unlabelled(page), []);
  assert.deepEqual(await axe(page), []);
  await page.locator('h1').click(); // away from the box: / brings the focus back
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 's-q');
  await page.keyboard.type('停机');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === '停机');
  await page.getByText(`共找到 ${stop.length} 张工单。`).waitFor();
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), stop.map((x) => x.number));
  const marks = await page.locator('td.subject > mark').allTextContents();
  assert.equal(marks.length, stop.length);
  assert.ok(marks.every((m) => m === '停机'), marks.join());
  // the description's snippet marks it too
  assert.ok((await page.locator('td.subject .snippet mark').allTextContents()).every((m) => m === '停机'));
  for (const [name, vp] of [['wide', WIDE], ['phone', PHONE]]) {
    await page.setViewportSize(vp);
    await shot(page, `search-${name}`);
    assert.deepEqual(await axe(page), [], name);
  }
  await page.setViewportSize(WIDE);

  // filters: state and the creation dates, all in the URL
  await page.getByLabel('状态', { exact: true }).selectOption('pending_dispatch');
  await page.getByLabel('受理日期从', { exact: true }).fill(today());
  await page.getByLabel('受理日期到', { exact: true }).fill(today());
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('state') === 'pending_dispatch' && url.searchParams.get('from') === today() &&
    url.searchParams.get('to') === today() && url.searchParams.get('q') === '停机');
  const submitted = stop.filter((x) => x.state === 'pending_dispatch').map((x) => x.number);
  assert.ok(submitted.length > 0 && submitted.length < stop.length);
  await page.getByText(`共找到 ${submitted.length} 张工单。`).waitFor();
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), submitted);
  // the URL brings them back
  await page.reload();
  await page.getByText(`共找到 ${submitted.length} 张工单。`).waitFor();
  assert.equal(await page.getByLabel('关键字', { exact: true }).inputValue(), '停机');
  assert.equal(await page.getByLabel('状态', { exact: true }).inputValue(), 'pending_dispatch');
  assert.equal(await page.getByLabel('受理日期从', { exact: true }).inputValue(), today());
  // a fault number alone (no words) is a filter too
  await page.getByRole('button', { name: '清空条件', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/search' && !url.search);
  await page.getByLabel('故障号码', { exact: true }).fill(bill[0].fault_number);
  await page.getByRole('button', { name: '查询', exact: true }).click();
  await page.getByText('共找到 1 张工单。').waitFor();
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), [bill[0].number]);
  w.assertClean();
  await ctx.close();
});

test('a ticket number finds its ticket; nothing found and a refused date say so', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page, { allow: [{ url: '/api/v1/tickets?', status: 422 }, { url: '/api/v1/tickets?', status: 400 }] });
  await page.goto(`${srv.url}/search?q=${bill[1].number.toLowerCase()}`);
  await page.getByText('按工单编号找到 1 张工单。').waitFor();
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), [bill[1].number]);
  await page.goto(`${srv.url}/search?q=${encodeURIComponent('宽带 不存在')}`);
  await page.getByText('没有找到符合条件的工单。').waitFor();
  assert.equal(await page.locator('table.tickets').count(), 0);
  assert.deepEqual(await axe(page), []);
  // the server refuses the date: the message is at the field
  await page.goto(`${srv.url}/search?from=2026-13-45`);
  const err = page.locator('.field[data-for="from"] .error');
  await err.waitFor();
  assert.ok((await err.textContent()).length > 0);
  assert.equal(await page.getByLabel('受理日期从', { exact: true }).getAttribute('aria-invalid'), 'true');
  w.assertClean();
  await ctx.close();
});

test('in English: labels, marks and the count', async () => {
  const ctx = await context(browser, { lang: 'en' });
  const page = await ctx.newPage();
  const w = watch(page);
  await page.goto(srv.url + '/login');
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await page.getByLabel('Username', { exact: true }).waitFor();
  await login(page, srv.url, 'dispatcher1', { lang: 'en' });
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await page.getByLabel('Words', { exact: true }).fill('扣费');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText(`Tickets found: ${bill.length}.`).waitFor();
  assert.equal(await page.locator('td.subject > mark', { hasText: '扣费' }).count(), bill.length);
  assert.equal(await page.locator('h1').textContent(), 'Search tickets');
  assert.deepEqual(await unlabelled(page), []);
  assert.deepEqual(await axe(page), []);
  for (const [name, vp] of [['wide', WIDE], ['phone', PHONE]]) {
    await page.setViewportSize(vp);
    await shot(page, `search-en-${name}`);
  }
  w.assertClean();
  await ctx.close();
});

test('a search that stops at its budget says how far it got and goes on to the very end', async () => {
  const own = await startServer({ args: ['--list-budget', '1'] });
  try {
    const c = clients(own, ['agent1']);
    const want = [];
    for (let i = 0; i < 60; i++) {
      const r = await c.agent1.post('/api/v1/tickets', { category: i % 4 ? 'VAS.MMS.FORCED' : 'BILL.DISPUTE',
        fault_number: `1381260${String(i).padStart(4, '0')}`, subject: `投诉 ${i}` });
      if (i % 4) want.unshift(r.body.number);
    }
    const { ctx, page } = await as(browser, own.url, 'agent1');
    const w = watch(page);
    await page.goto(own.url + '/search?q=' + encodeURIComponent('投诉') + '&category=VAS');
    await page.locator('.search-status', { hasText: /已显示 \d+ 张工单；已查到 \d{4}-\d\d-\d\d \d\d:\d\d 创建的工单/ }).waitFor();
    const first = await page.locator('a.row-link').allTextContents();
    assert.ok(first.length >= 1 && first.length < want.length, `${first.length} rows after the first load`);
    assert.deepEqual(first, want.slice(0, first.length));
    assert.equal(await page.locator('td.subject > mark', { hasText: '投诉' }).count(), first.length);
    const more = page.locator('.more button');
    for (let i = 0; i < 30 && await more.count(); i++) {
      await more.click();
      await page.locator('.more button:disabled').waitFor({ state: 'detached' });
    }
    assert.deepEqual(await page.locator('a.row-link').allTextContents(), want);
    await page.getByText(`共找到 ${want.length} 张工单。`).waitFor();
    w.assertClean();
    await ctx.close();
  } finally {
    await stopClean(own);
  }
});
