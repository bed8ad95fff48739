// intake.test.mjs - 投诉受理 as an agent works it: 一次解决 at intake, a 422
// shown beside its field, the softphone deep link, the whole intake with
// the keyboard alone, the language switch across reloads and logins, an
// expired session and a restarting server in the middle of a form, and a
// form that survives a reload (but not a logout), and a logout that meets a
// lookup still under way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  launch, as, context, login, watch, startServer, stopClean, clients, sql, chooseCategory, resultNumber, password, sleep,
} from './lib.mjs';

let browser, srv, u;
before(async () => {
  browser = await launch();
  srv = await startServer();
  u = clients(srv, ['agent1', 'admin']);
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

const field = (page, label) => page.getByLabel(label, { exact: true });

async function fillVas(page, fault, subject) {
  await field(page, '故障号码').fill(fault);
  await chooseCategory(page, '移动多媒体邮箱 强行定制', '强行定制');
  await field(page, '主题').fill(subject);
  await field(page, '详细描述').fill('用户称未定制移动多媒体邮箱却被扣费。');
}

test('一次解决 at intake asks for 处理结果 and 归档小结 and closes the ticket', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page);
  await fillVas(page, '13812340010', '未定制彩信被扣费，已当场退费');
  await page.getByRole('button', { name: '一次解决', exact: true }).click();
  const dlg = page.getByRole('dialog', { name: '一次解决' });
  await field(dlg, '处理结果').fill('已为用户退订并退费。');
  await field(dlg, '归档小结').fill('强行定制，一次解决。');
  await dlg.getByRole('button', { name: '一次解决', exact: true }).click();
  const number = await resultNumber(page);
  await page.locator('.result', { hasText: '已一次解决工单' }).waitFor();
  const t = (await u.agent1.get(`/api/v1/tickets/${number}`)).body;
  assert.deepEqual([t.state, t.closed_by, t.resolution, t.summary], ['closed', 'resolve', '已为用户退订并退费。', '强行定制，一次解决。']);
  w.assertClean();
  await ctx.close();
});

test('a 422 appears beside its field and focus moves to the first field in error', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page, { allow: [{ status: 422, url: '/api/v1/tickets' }] });
  await field(page, '故障号码').fill('1381234567'); // ten digits
  await chooseCategory(page, '强行定制', '强行定制');
  await page.getByRole('button', { name: /^提交/ }).click();
  const faultErr = page.locator('[data-for=fault_number] .error');
  await faultErr.waitFor();
  assert.equal(await faultErr.textContent(), '手机号应为 11 位');
  assert.equal(await page.locator('[data-for=subject] .error').textContent(), '必填');
  assert.equal(await field(page, '故障号码').getAttribute('aria-invalid'), 'true');
  assert.equal(await field(page, '故障号码').evaluate((el) => el === document.activeElement), true);
  // corrected, it goes through and the errors are gone
  await field(page, '故障号码').fill('13812345670');
  await field(page, '主题').fill('彩信扣费');
  await page.getByRole('button', { name: /^提交/ }).click();
  assert.match(await resultNumber(page), /^TS/);
  assert.equal(await page.locator('.field .error:not([hidden])').count(), 0);
  w.assertClean();
  await ctx.close();
});

test('/intake?number= opens intake with 故障号码 filled, its history and the 重复投诉 warning', async () => {
  const before = await u.agent1.post('/api/v1/tickets', { category: 'BILL.DISPUTE', fault_number: '08711234567', subject: '话费异常', submit: true });
  assert.equal(before.status, 201, before.text);
  const ctx = await context(browser);
  const page = await ctx.newPage();
  // not logged in yet: the login page keeps where the softphone wanted to go
  await page.goto(srv.url + '/intake?number=08711234567');
  await page.waitForURL('**/login?next=*');
  await field(page, '用户名').fill('agent1');
  await field(page, '密码').fill(password('agent1'));
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL('**/intake?number=08711234567');
  const w = watch(page);
  assert.equal(await field(page, '故障号码').inputValue(), '08711234567');
  await page.locator('.fault-history').getByRole('link', { name: before.body.number }).waitFor();
  await page.locator('.repeat-warning', { hasText: '30 天内此号码已有 1 张工单' }).waitFor();
  // the fixed-line area code 0871 suggests 昆明
  assert.equal(await field(page, '用户归属地').inputValue(), 'KM');
  // and straight in from a logged-in tab
  await page.goto(srv.url + '/intake?number=08711234567');
  await page.locator('.repeat-warning:not([hidden])').waitFor();
  w.assertClean();
  await ctx.close();
});

test('the whole intake with the keyboard alone, from login to a submitted ticket', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const w = watch(page);
  const kb = page.keyboard;
  await page.goto(srv.url + '/login');
  await page.locator('input[name=username]:focus').waitFor(); // the page puts the cursor there
  await kb.type('agent1');
  await kb.press('Tab');
  await kb.type(password('agent1'));
  await kb.press('Enter');
  await page.waitForURL('**/intake');
  await page.locator('#f-fault_number:focus').waitFor();
  await kb.type('13812340020');
  await kb.press('Tab'); // 用户归属地
  await kb.press('Tab'); // 用户名称
  await kb.press('Tab'); // 一位先生
  await kb.press('Enter');
  assert.equal(await field(page, '用户名称').inputValue(), '一位先生');
  await kb.press('Alt+c'); // 投诉类型
  await kb.type('诱导');
  await page.locator('.picker-list [aria-selected=true]', { hasText: '诱导信息' }).waitFor();
  await page.locator('.definition', { hasText: 'SP擅自' }).waitFor(); // the deck's definition as you move
  await kb.press('ArrowDown');
  await kb.press('ArrowUp');
  await kb.press('Enter');
  await kb.press('Tab'); // 主题
  await kb.type('收到诱导短信后被扣费');
  await kb.press('Tab'); // 详细描述
  await kb.type('用户反映收到SP推送短信，');
  await kb.press('Control+.'); // 常用语
  const dlg = page.getByRole('dialog', { name: '常用语' });
  await dlg.waitFor();
  await kb.type('深表歉意');
  await kb.press('Enter');
  await dlg.waitFor({ state: 'detached' });
  assert.match(await field(page, '详细描述').inputValue(), /^用户反映收到SP推送短信，我非常理解您的心情，给您带来的不便我们深表歉意。$/);
  await kb.press('Control+Enter');
  const number = await resultNumber(page);
  const t = (await u.agent1.get(`/api/v1/tickets/${number}`)).body;
  assert.deepEqual([t.state, t.category, t.customer_name, t.subject], ['pending_dispatch', 'VAS.MMS.INDUCED', '一位先生', '收到诱导短信后被扣费']);
  // the fresh form has the focus for the next call
  await page.locator('#f-fault_number:focus').waitFor();
  // ? opens the shortcuts, Escape closes them
  await page.locator('main h1').click();
  await kb.press('?');
  await page.getByRole('dialog', { name: '快捷键' }).waitFor();
  await kb.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  w.assertClean();
  await ctx.close();
});

test('the language switch persists across a reload and a new login', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page);
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await field(page, 'Fault number').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.reload();
  await field(page, 'Fault number').waitFor();
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await page.waitForURL('**/login');
  await field(page, 'Username').waitFor();
  await login(page, srv.url, 'agent1', { lang: 'en' });
  await page.getByRole('link', { name: 'My drafts' }).waitFor();
  // the only thing in localStorage is the language
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), ['gongdan.lang']);
  await page.getByRole('button', { name: '中文', exact: true }).click();
  await field(page, '故障号码').waitFor();
  w.assertClean();
  await ctx.close();
});

test('a form survives a reload (sessionStorage only) and a logout clears it', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page);
  await field(page, '故障号码').fill('13812340030');
  await chooseCategory(page, '掉话', '掉话');
  await field(page, '主题').fill('通话中掉话');
  await field(page, '故障现象').fill('通话一分钟后掉线');
  await page.reload();
  await field(page, '故障现象').waitFor();
  assert.equal(await field(page, '故障号码').inputValue(), '13812340030');
  assert.equal(await field(page, '主题').inputValue(), '通话中掉话');
  assert.equal(await field(page, '故障现象').inputValue(), '通话一分钟后掉线');
  assert.match(await page.getByRole('combobox', { name: '投诉类型' }).inputValue(), /掉话/);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
  assert.ok((await page.evaluate(() => sessionStorage.getItem('gongdan.form.intake'))).includes('13812340030'));
  await page.getByRole('button', { name: '退出', exact: true }).click();
  await page.waitForURL('**/login');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await login(page, srv.url, 'agent1');
  assert.equal(await field(page, '故障号码').inputValue(), '');
  w.assertClean();
  await ctx.close();
});

test('a logout while a lookup is under way: the lookup meets a 401 and no login dialog opens', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  const w = watch(page, { allow: [{ status: 401, url: '/api/v1/tickets' }] });
  let held, release;
  const gate = new Promise((r) => { release = r; });
  const reached = new Promise((r) => { held = r; });
  await page.route((u) => u.searchParams.has('fault_number'), async (route) => { held(); await gate; await route.continue(); });
  await field(page, '故障号码').fill('13812340031');
  await reached; // the 历史故障 lookup is on its way
  await page.getByRole('button', { name: '退出', exact: true }).click();
  await page.waitForURL('**/login');
  const answer = page.waitForResponse((r) => r.url().includes('fault_number='));
  release();
  assert.equal((await answer).status(), 401);
  await sleep(300); // time for a dialog to open, if one would
  assert.equal(await page.getByRole('dialog').count(), 0);
  await login(page, srv.url, 'agent1');
  w.assertClean();
  await ctx.close();
});

test('an expired session during intake: a login dialog, then the save goes through with everything kept', async () => {
  const { ctx, page } = await as(browser, srv.url, 'agent1');
  // the save that meets the 401, and the wrong password in the dialog
  const w = watch(page, { allow: [{ status: 401, url: '/api/v1/tickets' }, { status: 401, url: '/api/v1/session' }] });
  await fillVas(page, '13812340040', '会话过期前填写的主题');
  sql(srv.db, 'DELETE FROM sessions;'); // the session ends on the server
  await page.getByRole('button', { name: /^保存/ }).click();
  const dlg = page.getByRole('dialog', { name: '请重新登录' });
  await dlg.waitFor();
  assert.equal(await field(dlg, '用户名').inputValue(), 'agent1');
  await field(dlg, '密码').fill('wrong');
  await dlg.getByRole('button', { name: '登录', exact: true }).click();
  await dlg.getByText('用户名或密码错误。').waitFor();
  await field(dlg, '密码').fill(password('agent1'));
  await dlg.getByRole('button', { name: '登录', exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('.draft-line', { hasText: /草稿 TS\d+ 已保存/ }).waitFor();
  const number = (await page.locator('.draft-line').textContent()).match(/TS\d+/)[0];
  const t = (await u.agent1.get(`/api/v1/tickets/${number}`)).body;
  assert.deepEqual([t.state, t.subject, t.fault_number], ['draft', '会话过期前填写的主题', '13812340040']);
  assert.equal(await field(page, '主题').inputValue(), '会话过期前填写的主题');
  // the draft is then submitted from the same form (PATCH + submit)
  await page.getByRole('button', { name: /^提交/ }).click();
  assert.equal(await resultNumber(page), number);
  assert.equal((await u.agent1.get(`/api/v1/tickets/${number}`)).body.state, 'pending_dispatch');
  w.assertClean();
  await ctx.close();
});

test('a server restart during intake: the submit waits, retries, and succeeds', async () => {
  // a server of its own, restarted on the same port and database
  const own = await startServer({ keep: true });
  const port = new URL(own.url).port;
  const { ctx, page } = await as(browser, own.url, 'agent1');
  await fillVas(page, '13812340050', '服务器重启时提交');
  await stopClean(own);
  await page.getByRole('button', { name: /^提交/ }).click();
  await page.locator('#banner:not([hidden])', { hasText: '连接中断' }).waitFor();
  await sleep(500);
  const again = await startServer({ dir: own.dir, listen: `127.0.0.1:${port}` });
  try {
    const number = await resultNumber(page);
    await page.locator('#banner[hidden]').waitFor({ state: 'attached' });
    const r = await clients(again, ['agent1']).agent1.get(`/api/v1/tickets/${number}`);
    assert.equal(r.body.subject, '服务器重启时提交');
  } finally {
    await ctx.close();
    await stopClean(again);
    rmSync(own.dir, { recursive: true, force: true });
  }
});
