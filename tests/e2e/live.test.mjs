// live.test.mjs - live updates in the browser (live.js on /api/v1/events):
// a dispatcher's 待派单 list changes a row in place when another user
// dispatches it (greyed, "no longer in this list"), and offers "N 张新工单 ·
// 刷新" for a new ticket; a ticket page open in two browsers shows the
// other's action with its new state and actions; what is typed in an action
// form stays when an update arrives; one stream per tab whatever the pages
// do; after a logout no reconnecting (the requests to /api/v1/events are
// counted). "Without reload" is checked by a marker on window and the
// navigation count; the deadlines are generous (timing is not asserted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, context, login, watch, startServer, stopClean, clients, axe, shot, sleep, PHONE } from './lib.mjs';

let browser, srv, u;
const SOON = { timeout: 5000 }; // "within a second", with room for a loaded machine

before(async () => {
  browser = await launch();
  srv = await startServer();
  u = clients(srv, ['agent1', 'dispatcher1', 'supervisor1']);
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

async function newTicket(subject, submit = true) {
  const r = await u.agent1.post('/api/v1/tickets', { category: 'VAS.MMS.FORCED', fault_number: '13812350001', subject, submit });
  assert.equal(r.status, 201, r.text);
  return r.body.number;
}

// Counts the page's requests to the event stream and its navigations.
function counters(page) {
  const c = { events: 0, navigations: 0 };
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/events') c.events++; });
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) c.navigations++; });
  return c;
}

// Polls fn(arg) in the page until it is true (waitForFunction evaluates a
// string, which the page's CSP refuses).
async function until(page, fn, arg, { timeout = 5000 } = {}) {
  const end = Date.now() + timeout;
  while (!(await page.evaluate(fn, arg))) {
    if (Date.now() > end) throw new Error(`not within ${timeout} ms: ${fn}`);
    await sleep(50);
  }
}

// The stream is open (the server has this page's subscriber) before anything is changed.
async function streamOpen(page, c, after = 0) {
  const end = Date.now() + 5000;
  while (c.events <= after) {
    if (Date.now() > end) throw new Error('no event stream');
    await sleep(50);
  }
  await sleep(500);
}

// A logged-in page whose requests are counted from the start.
async function as(user, opts = {}) {
  const ctx = await context(browser, opts);
  const page = await ctx.newPage();
  const c = counters(page);
  if (opts.lang === 'en') {
    await page.goto(srv.url + '/login');
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByLabel('Username', { exact: true }).waitFor();
  }
  await login(page, srv.url, user, opts);
  return { ctx, page, c };
}

const mark = (page) => page.evaluate(() => { window.__notReloaded = true; });
const marked = (page) => page.evaluate(() => window.__notReloaded === true);

test('待派单: a row dispatched by someone else changes in place, greyed as no longer in the list; a comment just redraws it', async () => {
  const numbers = [];
  for (let i = 0; i < 3; i++) numbers.unshift(await newTicket(`彩信扣费 ${i}`));
  const { ctx, page, c } = await as('dispatcher1');
  const w = watch(page);
  await page.locator('#top nav').getByRole('link', { name: '待派单', exact: true }).click();
  await page.locator(`tr[data-number="${numbers[0]}"]`).waitFor();
  await streamOpen(page, c);
  await mark(page);
  const navigations = c.navigations;

  // another user dispatches the middle row
  const target = numbers[1];
  const row = page.locator(`tr[data-number="${target}"]`);
  assert.equal(await row.locator('td.state .badge').textContent(), '待派单');
  const d = await u.supervisor1.post(`/api/v1/tickets/${target}/actions/dispatch`, { department: 'NET' });
  assert.equal(d.status, 200, d.text);
  await row.locator('td.state .badge', { hasText: '已派单' }).waitFor(SOON);
  assert.equal(await row.locator('td.dept').textContent(), '网络运维部');
  // highlighted for a moment; with reduced motion still, without the fade
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.deepEqual(await row.evaluate((tr) => [tr.classList.contains('live-changed'), getComputedStyle(tr.cells[0]).animationName]),
    [true, 'none']);
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  assert.equal(await row.getAttribute('data-version'), String(d.body.version));
  // it stays where it was, marked, so nothing jumps under the pointer
  assert.match(await row.getAttribute('class'), /left-list/);
  await row.getByText('已变更，不在此列表中').waitFor();
  assert.deepEqual(await page.locator('a.row-link').allTextContents(), numbers);
  await shot(page, 'live-list-changed-wide');

  // a 催单 (a change that keeps the ticket in the list): redrawn, not marked
  const urged = numbers[2];
  const before = await page.locator(`tr[data-number="${urged}"]`).getAttribute('data-version');
  assert.equal((await u.supervisor1.post(`/api/v1/tickets/${urged}/actions/urge`, { comment: '用户再次来电' })).status, 200);
  await until(page, ([n, v]) => document.querySelector(`tr[data-number="${n}"]`).dataset.version !== v, [urged, before]);
  assert.doesNotMatch(await page.locator(`tr[data-number="${urged}"]`).getAttribute('class') || '', /left-list/);

  assert.ok(await marked(page), 'the page was not reloaded');
  assert.equal(c.navigations, navigations, 'no navigation');
  assert.equal(c.events, 1, 'one stream');
  assert.deepEqual(await axe(page), []);
  w.assertClean();
  await ctx.close();
});

test('a bulk 催单 of 30 shown rows: each row redrawn after one fetch of its ticket, at most four at once', async () => {
  const numbers = [];
  for (let i = 0; i < 30; i++) numbers.unshift(await newTicket(`批量催单 ${i}`));
  const { ctx, page, c } = await as('dispatcher1');
  const w = watch(page);
  await page.locator(`tr[data-number="${numbers[29]}"]`).waitFor();
  await streamOpen(page, c);
  let open = 0, most = 0;
  const fetched = new Map();
  const one = (r) => /^\/api\/v1\/tickets\/TS\d+$/.test(new URL(r.url()).pathname);
  page.on('request', (r) => {
    if (!one(r)) return;
    open++;
    most = Math.max(most, open);
    const n = new URL(r.url()).pathname.split('/').pop();
    fetched.set(n, (fetched.get(n) || 0) + 1);
  });
  const done = (r) => { if (one(r)) open--; };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  const r = await u.supervisor1.post('/api/v1/tickets/actions/urge', { tickets: numbers.map((number) => ({ number })),
    inputs: { comment: '批量催单' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.done, 30);
  const versions = Object.fromEntries(r.body.results.map((x) => [x.number, String(x.version)]));
  await until(page, (want) => Object.entries(want).every(([n, v]) => document.querySelector(`tr[data-number="${n}"]`).dataset.version === v),
    versions, { timeout: 10000 });
  assert.deepEqual([...fetched.keys()].sort(), [...numbers].sort());
  assert.ok([...fetched.values()].every((x) => x === 1), JSON.stringify([...fetched]));
  assert.ok(most <= 4, `${most} tickets fetched at once`);
  w.assertClean();
  await ctx.close();
});

test('a new ticket shows "N 张新工单 · 刷新" above the list, and 刷新 brings it in (English too)', async () => {
  const { ctx, page, c } = await as('dispatcher1', { lang: 'en' });
  const w = watch(page);
  await page.locator('#top nav').getByRole('link', { name: 'To dispatch', exact: true }).click();
  await page.locator('table.tickets, p.empty').first().waitFor();
  await streamOpen(page, c);
  await mark(page);
  assert.equal(await page.locator('.live-new').isVisible(), false);
  const draft = await newTicket('草稿不进待派单', false); // a draft is not for this list
  const a = await newTicket('新来的彩信投诉');
  const b = await newTicket('又一张彩信投诉');
  const line = page.locator('.live-new');
  await line.getByText('New tickets: 2').waitFor(SOON);
  assert.ok(await marked(page));
  assert.deepEqual(await axe(page), []);
  await line.getByRole('button', { name: 'Refresh', exact: true }).click();
  await page.locator(`tr[data-number="${b}"]`).waitFor();
  const shown = await page.locator('a.row-link').allTextContents();
  assert.deepEqual(shown.slice(0, 2), [b, a]);
  assert.ok(!shown.includes(draft));
  assert.equal(await line.isVisible(), false);
  w.assertClean();
  await ctx.close();
});

test('a ticket page open in two browsers: one dispatches, the other shows the new state and actions at once', async () => {
  const number = await newTicket('两个浏览器同时打开');
  const a = await as('dispatcher1');
  const b = await as('supervisor1');
  const wa = watch(a.page);
  const ca = a.c;
  const n = ca.events;
  for (const p of [a.page, b.page]) {
    await p.goto(`${srv.url}/tickets/${number}`);
    await p.locator('.ticket-head .head-state', { hasText: '待派单' }).waitFor();
  }
  await streamOpen(a.page, ca, n);
  await mark(a.page);
  const navigations = ca.navigations;
  const bar = a.page.locator('.action-bar');
  await bar.getByRole('button', { name: '派单', exact: true }).waitFor();

  // B dispatches through its page
  await b.page.locator('.action-bar').getByRole('button', { name: '派单', exact: true }).click();
  await b.page.getByLabel('处理部门', { exact: true }).selectOption('NET');
  await b.page.locator('form.action-form').getByRole('button', { name: '派单', exact: true }).click();
  await b.page.locator('.ticket-head .head-state', { hasText: '已派单' }).waitFor();

  // A: state, department, actions and the timeline, without a reload
  await a.page.locator('.ticket-head .head-state', { hasText: '已派单' }).waitFor(SOON);
  await a.page.locator('.facts', { hasText: '网络运维部' }).waitFor();
  await bar.getByRole('button', { name: '转派', exact: true }).waitFor();
  assert.equal(await bar.getByRole('button', { name: '派单', exact: true }).count(), 0);
  await a.page.locator('.timeline li', { hasText: '待派单 → 已派单' }).waitFor();
  await a.page.locator('.live-line', { hasText: '此工单刚刚有更新' }).waitFor();
  assert.ok(await marked(a.page));
  assert.equal(ca.navigations, navigations);
  assert.deepEqual(await axe(a.page), []);
  await shot(a.page, 'live-ticket-updated-wide');
  wa.assertClean();
  await a.ctx.close();
  await b.ctx.close();
});

test('an update while an action form is open keeps what was typed: 此工单已被他人更新 · 重新加载', async () => {
  const number = await newTicket('正在输入备注时');
  const { ctx, page, c } = await as('dispatcher1', { viewport: PHONE });
  const w = watch(page);
  const n = c.events;
  await page.goto(`${srv.url}/tickets/${number}`);
  await page.locator('.ticket-head h1', { hasText: number }).waitFor();
  await streamOpen(page, c, n);
  await mark(page);
  await page.locator('.action-bar').getByRole('button', { name: '备注', exact: true }).click();
  const box = page.locator('form.action-form').getByLabel('备注', { exact: true });
  await box.fill('已联系用户，约定明天上门');
  await box.press('End');
  // someone else urges the ticket meanwhile
  assert.equal((await u.supervisor1.post(`/api/v1/tickets/${number}/actions/urge`, {})).status, 200);
  const line = page.locator('.live-line.warn', { hasText: '此工单已被他人更新' });
  await line.waitFor(SOON);
  // nothing redrawn under the typing: the text and the focus are where they were
  assert.equal(await box.inputValue(), '已联系用户，约定明天上门');
  assert.ok(await box.evaluate((el) => el === document.activeElement));
  assert.equal(await page.locator('.facts .urgent', { hasText: '催单' }).count(), 0);
  await shot(page, 'live-ticket-typing-phone');
  assert.deepEqual(await axe(page), []);
  await line.getByRole('button', { name: '重新加载', exact: true }).click();
  await page.locator('.facts .urgent', { hasText: '催单' }).waitFor();
  assert.equal(await page.locator('form.action-form').getByLabel('备注', { exact: true }).inputValue(), '已联系用户，约定明天上门');
  await line.waitFor({ state: 'detached' });
  // and it goes through with the fresh version (no 412)
  await page.locator('form.action-form').getByRole('button', { name: '备注', exact: true }).click();
  await page.locator('.timeline li', { hasText: '已联系用户，约定明天上门' }).waitFor();
  assert.ok(await marked(page));
  w.assertClean();
  await ctx.close();
});

test('editing a draft: its own 保存 is no news; a change from elsewhere keeps the form and what was typed', async () => {
  const number = await newTicket('要改的草稿', false);
  const { ctx, page, c } = await as('agent1');
  const w = watch(page);
  const n = c.events;
  await page.goto(`${srv.url}/tickets/${number}`);
  await page.locator('.ticket-head h1', { hasText: number }).waitFor();
  await streamOpen(page, c, n);
  await mark(page);
  await page.getByRole('button', { name: '编辑草稿', exact: true }).click();
  await page.getByLabel('主题', { exact: true }).fill('改过一次的主题');
  await page.keyboard.press('Control+s');
  await page.locator('.notice', { hasText: `草稿 ${number} 已保存。` }).waitFor();
  await page.locator('.ticket-head .subject', { hasText: '改过一次的主题' }).waitFor();
  await sleep(1500);
  assert.equal(await page.locator('.live-line.warn').count(), 0, 'its own save is not "updated by someone else"');
  // again into the form; a 备注 from elsewhere (the same agent's script) meanwhile
  await page.getByRole('button', { name: '编辑草稿', exact: true }).click();
  await page.getByLabel('主题', { exact: true }).fill('第二次修改，还没保存');
  assert.equal((await u.agent1.post(`/api/v1/tickets/${number}/actions/comment`, { comment: '用户来电补充' })).status, 200);
  const line = page.locator('.live-line.warn', { hasText: '此工单已被他人更新' });
  await line.waitFor(SOON);
  assert.equal(await page.getByLabel('主题', { exact: true }).inputValue(), '第二次修改，还没保存');
  await line.getByRole('button', { name: '重新加载', exact: true }).click();
  await page.locator('.timeline li', { hasText: '用户来电补充' }).waitFor();
  assert.equal(await page.getByLabel('主题', { exact: true }).inputValue(), '第二次修改，还没保存');
  // and it saves from the version now shown
  await page.getByLabel('主题', { exact: true }).focus();
  await page.keyboard.press('Control+s');
  await page.locator('.ticket-head .subject', { hasText: '第二次修改，还没保存' }).waitFor();
  assert.equal((await u.agent1.get(`/api/v1/tickets/${number}`)).body.subject, '第二次修改，还没保存');
  assert.ok(await marked(page));
  w.assertClean();
  await ctx.close();
});

test('one stream per tab across pages; after a logout no reconnecting, here or in another tab of the session', async () => {
  const { ctx, page, c } = await as('dispatcher1');
  const w = watch(page, { allow: [{ url: '/api/v1/events' }] }); // the stream closed at the logout
  await page.locator('#top nav').getByRole('link', { name: '待派单', exact: true }).click();
  await page.locator('table.tickets, p.empty').first().waitFor();
  await streamOpen(page, c);
  // moving from page to page inside the app keeps the one stream
  await page.getByRole('link', { name: '工单列表', exact: true }).click();
  await page.locator('table.tickets, p.empty').first().waitFor();
  await page.locator('a.row-link').first().click();
  await page.locator('.ticket-head h1').waitFor();
  await page.getByRole('link', { name: '查询', exact: true }).click();
  await page.locator('h1', { hasText: '查询工单' }).waitFor();
  await page.locator('#top nav').getByRole('link', { name: '待派单', exact: true }).click();
  await page.locator('table.tickets, p.empty').first().waitFor();
  assert.equal(c.events, 1, 'one stream for all these pages');

  // a second tab of the same session
  const other = await ctx.newPage();
  const wo = watch(other, { allow: [{ url: '/api/v1/events', status: 401 }] });
  const co = counters(other);
  await other.goto(`${srv.url}/pending`);
  await other.locator('table.tickets, p.empty').first().waitFor();
  await streamOpen(other, co);
  assert.equal(co.events, 1);

  await page.getByRole('button', { name: '退出', exact: true }).click();
  await page.waitForURL('**/login');
  // the other tab's stream is ended by the server (logged_out): it says so
  // and stays quiet; the browser's own retry (3 s) would have knocked twice
  await other.locator('#live-status', { hasText: '实时更新已停止' }).waitFor(SOON);
  await sleep(7000);
  assert.equal(c.events, 1, 'no stream after the logout');
  assert.equal(co.events, 1, 'the other tab does not reconnect');
  assert.deepEqual(await axe(other), []);
  w.assertClean();
  wo.assertClean();
  await ctx.close();
});

test('the server restarts: a status line says the stream is down, it comes back by itself and catches up', async () => {
  const own = await startServer({ keep: true });
  let again = null;
  try {
    const c1 = clients(own, ['agent1', 'supervisor1']);
    const r = await c1.agent1.post('/api/v1/tickets', { category: 'VAS.MMS.FORCED', fault_number: '13812350009', subject: '重启前', submit: true });
    const number = r.body.number;
    const ctx = await context(browser);
    const page = await ctx.newPage();
    const c = counters(page);
    const w = watch(page, { allow: [{ url: '/api/v1/events' }, { url: '/api/v1/session' }] });
    await login(page, own.url, 'dispatcher1');
    await page.locator(`tr[data-number="${number}"]`).waitFor();
    await streamOpen(page, c);
    await mark(page);
    // one event seen: the stream knows where to resume from
    assert.equal((await c1.supervisor1.post(`/api/v1/tickets/${number}/actions/urge`, {})).status, 200);
    await until(page, ([n, v]) => document.querySelector(`tr[data-number="${n}"]`).dataset.version !== v, [number, String(r.body.version)]);
    await own.stop();
    const line = page.locator('#live-status');
    await line.getByText('实时更新已中断，正在重新连接…').waitFor({ timeout: 20000 });
    assert.deepEqual(await axe(page), []);
    await shot(page, 'live-down-wide');
    again = await startServer({ dir: own.dir, listen: new URL(own.url).host });
    // changed while this page was not connected: the stream resumes after it
    assert.equal((await c1.supervisor1.post(`/api/v1/tickets/${number}/actions/dispatch`, { department: 'NET' })).status, 200);
    await line.getByText('实时更新已恢复。').waitFor({ timeout: 40000 });
    await page.locator(`tr[data-number="${number}"] td.state .badge`, { hasText: '已派单' }).waitFor(SOON);
    assert.ok(await marked(page), 'no reload');
    assert.ok(c.events <= 6, `${c.events} requests to the stream: no storm`);
    // while the server was away its requests could not connect; nothing else went wrong
    assert.deepEqual(w.problems.filter((x) => !/request failed: GET \S+\/api\/v1\/(session|events) net::ERR_CONNECTION_REFUSED/.test(x)), []);
    await ctx.close();
  } finally {
    if (again) await stopClean(again);
    else await own.stop();
  }
});
