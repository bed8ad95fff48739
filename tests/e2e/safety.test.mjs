// safety.test.mjs - what must never go wrong: markup typed into the subject,
// the description, an extra field and a comment is shown as text in the
// list, the ticket and the timeline and runs nothing; two people changing
// one ticket (412: told, reloaded, nothing typed lost); and an action added
// to the workflow table appearing in the UI with its inputs, and working,
// without any change to www/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, as, watch, startServer, stopClean, clients, chooseCategory, fillNetFields, resultNumber, netTicket,
} from './lib.mjs';
import { scratchWithCallback } from '../http/ui-lib.mjs';

let browser, srv, u;
before(async () => {
  browser = await launch();
  srv = await startServer();
  u = clients(srv, ['agent1', 'dispatcher1', 'supervisor1', 'handler_net1']);
});
after(async () => {
  await browser.close();
  await stopClean(srv);
});

const field = (page, label) => page.getByLabel(label, { exact: true });
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__xss = 1</script>';

// Nothing ran: no dialog, no marker, no element made from the text.
async function nothingRan(page, dialogs) {
  assert.deepEqual(dialogs, []);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => document.scripts.length), 1, 'only the app module');
}

test('markup typed anywhere is shown as text in the list, the ticket and the timeline and runs nothing', async () => {
  const agent = await as(browser, srv.url, 'agent1');
  const dialogs = [];
  agent.page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const w = watch(agent.page);
  const p = agent.page;
  await field(p, '故障号码').fill('13812349999');
  await chooseCategory(p, '信号弱', '信号弱/无信号');
  await field(p, '主题').fill(IMG);
  await field(p, '详细描述').fill(`${SCRIPT}用户描述`);
  await fillNetFields(p, { symptom: `${IMG}${SCRIPT}` });
  await p.getByRole('button', { name: /^提交/ }).click();
  const number = await resultNumber(p);
  // in the list
  await p.goto(srv.url + '/mine');
  const row = p.locator('tr', { has: p.getByRole('link', { name: number }) });
  assert.equal(await row.locator('td.subject').textContent(), IMG);
  await nothingRan(p, dialogs);
  // in the ticket, with a comment that carries markup too
  await row.getByRole('link', { name: number }).click();
  await p.locator('.ticket-head .subject', { hasText: IMG }).waitFor();
  await p.locator('.action-bar').getByRole('button', { name: '备注', exact: true }).click();
  await field(p.locator('form.action-form'), '备注').fill(`${SCRIPT}${IMG}`);
  await p.locator('form.action-form').getByRole('button', { name: '备注', exact: true }).click();
  await p.locator('form.action-form').waitFor({ state: 'detached' });
  const main = await p.locator('.ticket-main').innerText();
  assert.ok(main.includes(`${SCRIPT}用户描述`), 'description as text');
  assert.ok(main.includes(`${IMG}${SCRIPT}`), 'extra field as text');
  const flow = p.locator('.timeline .step-text').last();
  assert.equal(await flow.textContent(), `${SCRIPT}${IMG}`);
  await nothingRan(p, dialogs);
  // in another person's view of the timeline and the 历史故障 panel
  const disp = await as(browser, srv.url, 'dispatcher1');
  const d2 = [];
  disp.page.on('dialog', (d) => { d2.push(d.message()); d.dismiss(); });
  await disp.page.goto(`${srv.url}/tickets/${number}`);
  await disp.page.locator('.timeline .step-text', { hasText: SCRIPT }).waitFor();
  await disp.page.goto(`${srv.url}/intake?number=13812349999`).catch(() => {});
  await disp.page.goto(`${srv.url}/tickets?q=onerror`);
  await disp.page.locator('td.subject', { hasText: IMG }).waitFor();
  // the search marks the word inside the markup, which stays text
  assert.deepEqual(await disp.page.locator('td.subject > mark').allTextContents(), ['onerror']);
  await nothingRan(disp.page, d2);
  w.assertClean();
  await agent.ctx.close();
  await disp.ctx.close();
});

test('412 between two browsers: the second is told, the ticket reloads, what was typed is kept', async () => {
  const t = await u.agent1.post('/api/v1/tickets', { ...netTicket({ fault_number: '13812348888' }), submit: true });
  const number = t.body.number;
  assert.equal((await u.dispatcher1.post(`/api/v1/tickets/${number}/actions/dispatch`, { department: 'NET' })).status, 200);
  const a = await as(browser, srv.url, 'supervisor1');
  const b = await as(browser, srv.url, 'dispatcher1');
  const wb = watch(b.page, { allow: [{ status: 412, url: '/actions/transfer' }] });
  await a.page.goto(`${srv.url}/tickets/${number}`);
  await b.page.goto(`${srv.url}/tickets/${number}`);
  // B starts typing a transfer
  await b.page.locator('.action-bar').getByRole('button', { name: '转派', exact: true }).click();
  const form = b.page.locator('form.action-form');
  await field(form, '处理部门').selectOption('VAS');
  await field(form, '备注').fill('用户补充说明为增值业务问题');
  // meanwhile A urges the ticket
  await a.page.locator('.action-bar').getByRole('button', { name: '催单', exact: true }).click();
  await a.page.locator('form.action-form').getByRole('button', { name: '催单', exact: true }).click();
  await a.page.locator('.facts', { hasText: '催单 1' }).waitFor();
  // B sends: 412, told, reloaded (the urge shows), the form still filled
  await form.getByRole('button', { name: '转派', exact: true }).click();
  await b.page.locator('.notice.warn', { hasText: '其他人刚刚修改了这张工单' }).waitFor();
  await b.page.locator('.facts', { hasText: '催单 1' }).waitFor();
  assert.equal(await field(b.page.locator('form.action-form'), '处理部门').inputValue(), 'VAS');
  assert.equal(await field(b.page.locator('form.action-form'), '备注').inputValue(), '用户补充说明为增值业务问题');
  // and sends again, now on the fresh version
  await b.page.locator('form.action-form').getByRole('button', { name: '转派', exact: true }).click();
  await b.page.locator('.facts', { hasText: '增值业务中心' }).waitFor();
  const after = (await u.dispatcher1.get(`/api/v1/tickets/${number}`)).body;
  assert.deepEqual([after.department, after.urge_count], ['VAS', 1]);
  wb.assertClean();
  await a.ctx.close();
  await b.ctx.close();
});

test('an action added to the workflow table appears with its inputs and works, in both languages', async () => {
  const own = await startServer({ dir: scratchWithCallback() });
  try {
    const c = clients(own, ['agent1', 'dispatcher1', 'handler_net1']);
    const number = (await c.agent1.post('/api/v1/tickets', { ...netTicket(), submit: true })).body.number;
    for (const [who, a, body] of [['dispatcher1', 'dispatch', { department: 'NET' }], ['handler_net1', 'accept', {}],
      ['handler_net1', 'reply', { resolution: '已处理' }]]) {
      const r = await c[who].post(`/api/v1/tickets/${number}/actions/${a}`, body);
      assert.equal(r.status, 200, r.text);
    }
    const { ctx, page } = await as(browser, own.url, 'supervisor1');
    const w = watch(page, { allow: [{ status: 422, url: '/actions/callback' }] });
    await page.goto(`${own.url}/tickets/${number}`);
    await page.locator('.action-bar').getByRole('button', { name: '回访', exact: true }).click();
    const form = page.locator('form.action-form');
    await form.getByText('回访记录').waitFor();
    assert.equal(await field(form, '回访记录').getAttribute('maxlength'), '300');
    assert.deepEqual(await field(form, '回访满意度').locator('option').allTextContents(),
      ['未评价', '5 非常满意', '4 满意', '3 一般', '2 不满意', '1 很不满意']);
    await form.getByRole('button', { name: '回访', exact: true }).click();
    await form.locator('[data-for=comment] .error', { hasText: '必填' }).waitFor();
    await field(form, '回访记录').fill('电话回访，用户确认已恢复。');
    await field(form, '回访满意度').selectOption('4');
    await form.getByRole('button', { name: '回访', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    const step = page.locator('.timeline .step').last();
    assert.equal(await step.locator('.act').textContent(), '回访');
    assert.ok((await step.innerText()).includes('电话回访，用户确认已恢复。'));
    assert.ok((await step.innerText()).includes('回访满意度: 4'));
    // the English UI takes the English names from the same rows
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.locator('.action-bar').getByRole('button', { name: 'Call back', exact: true }).click();
    await page.locator('form.action-form').getByText('Call notes').waitFor();
    await page.locator('form.action-form').getByText('Satisfaction on the call').waitFor();
    assert.equal(await page.locator('.timeline .step .act').last().textContent(), 'Call back');
    await page.getByRole('button', { name: '中文', exact: true }).click();
    w.assertClean();
    await ctx.close();
  } finally {
    await stopClean(own);
  }
});
