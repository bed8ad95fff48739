// workflow.test.mjs - the workflow engine (issue 5, SPEC §5): the deck's full
// path from intake to closure, every branch (退回, 转派, 驳回, 重开, 催单,
// 备注, 一次解决, submit on create), deadlines and the flow (查看流程).
// Refusals and bad input: workflow-rules.test.mjs; counters, audit, SLA sweep
// and the graph as data: workflow-data.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, errorOf, netTicket } from './lib.mjs';
import { clients, act, ok, get, history, draft, ticketIn, inputsFor, freshFault, stopClean } from './workflow-lib.mjs';

let srv, u;
before(async () => { srv = await startServer(); u = clients(srv); });
after(async () => { await stopClean(srv); });

const HOUR = 3600 * 1000;
const ms = (iso) => Date.parse(iso);
// The parts of a history row a reader of 查看流程 looks at.
const flow = (rows) => rows.map((h) => [h.action, h.actor, h.role, h.from_state, h.to_state, h.department]);

test('the deck\'s full path: intake → submit → 派单 → 接单 → 回复 → 归档, with the flow', async () => {
  const before = Date.now() - 1000;
  let t = await draft(u.agent1);
  const n = t.number;
  assert.match(n, /^TS\d{14}$/);
  assert.equal(t.state, 'draft');
  assert.equal(t.state_name, '草稿');
  assert.equal(t.department, null);
  assert.equal(t.assignee, null);
  assert.equal(t.submitted_at, null);
  assert.equal(t.deadline, null);
  assert.deepEqual(t.allowed_actions, ['submit', 'resolve', 'urge', 'comment']);

  t = await ok(u.agent1, n, 'submit');
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(t.state_name, '待派单');
  assert.ok(ms(t.submitted_at) >= before && ms(t.submitted_at) <= Date.now() + 1000, t.submitted_at);
  assert.equal(ms(t.deadline) - ms(t.submitted_at), 48 * HOUR, 'NET.SIGNAL: deadline = submitted_at + 48 h');
  assert.equal(t.department, null);
  assert.deepEqual(t.allowed_actions, ['urge', 'comment'], 'the agent may only urge or comment once submitted');
  assert.deepEqual((await get(u.dispatcher1, n)).allowed_actions, ['dispatch', 'return', 'urge', 'comment']);
  assert.equal((await u.handler_net1.get(`/api/v1/tickets/${n}`)).status, 404, 'not yet dispatched to NET');

  t = await ok(u.dispatcher1, n, 'dispatch', { department: 'NET', comment: '请网络部核查基站' });
  assert.equal(t.state, 'dispatched');
  assert.equal(t.department, 'NET');
  assert.equal(t.department_name, '网络运维部');
  assert.equal(t.assignee, null);
  const queue = await u.handler_net1.get('/api/v1/tickets?state=dispatched');
  assert.ok(queue.body.items.some((x) => x.number === n), 'the NET handlers see it in their queue');
  assert.deepEqual((await get(u.handler_net1, n)).allowed_actions, ['return', 'accept', 'transfer', 'urge', 'comment']);

  t = await ok(u.handler_net1, n, 'accept');
  assert.equal(t.state, 'in_progress');
  assert.equal(t.assignee, 'handler_net1');
  assert.equal(t.department, 'NET');

  t = await ok(u.handler_net1, n, 'reply', { resolution: '已调整基站天线方位角，室内信号恢复' });
  assert.equal(t.state, 'replied');
  assert.equal(t.resolution, '已调整基站天线方位角，室内信号恢复');
  assert.equal(t.closed_at, null);

  t = await ok(u.supervisor1, n, 'close', { summary: '用户确认信号恢复，满意', satisfaction: 5 });
  assert.equal(t.state, 'closed');
  assert.equal(t.state_name, '已归档');
  assert.equal(t.summary, '用户确认信号恢复，满意');
  assert.equal(t.satisfaction, 5);
  assert.equal(t.closed_by, 'close');
  assert.ok(ms(t.closed_at) >= ms(t.submitted_at) && ms(t.closed_at) <= Date.now() + 1000);
  assert.equal(t.department, 'NET', 'the closed ticket stays with the department that handled it');
  assert.equal(t.assignee, 'handler_net1');
  assert.equal(t.overdue, false);
  assert.deepEqual(t.allowed_actions, ['reopen', 'comment']);

  const rows = await history(u.agent1, n);
  assert.deepEqual(flow(rows), [
    ['create', 'agent1', 'agent', null, 'draft', null],
    ['submit', 'agent1', 'agent', 'draft', 'pending_dispatch', null],
    ['dispatch', 'dispatcher1', 'dispatcher', 'pending_dispatch', 'dispatched', 'NET'],
    ['accept', 'handler_net1', 'handler', 'dispatched', 'in_progress', 'NET'],
    ['reply', 'handler_net1', 'handler', 'in_progress', 'replied', 'NET'],
    ['close', 'supervisor1', 'supervisor', 'replied', 'closed', 'NET'],
  ]);
  assert.deepEqual(rows.map((h) => h.seq), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(rows.map((h) => h.text),
    [null, null, '请网络部核查基站', null, '已调整基站天线方位角，室内信号恢复', '用户确认信号恢复，满意']);
  assert.deepEqual(rows[5].inputs, { summary: '用户确认信号恢复，满意', satisfaction: 5 });
  assert.equal(rows[2].action_name, '派单');
  assert.equal(rows[2].department_name, '网络运维部');
  assert.equal(rows[5].to_state_name, '已归档');
  for (let i = 1; i < rows.length; i++) assert.ok(ms(rows[i].at) >= ms(rows[i - 1].at), 'rows in time order');
  // 查看流程 also says where the ticket is now
  const flowNow = await u.agent1.get(`/api/v1/tickets/${n}/history`);
  assert.equal(flowNow.body.number, n);
  assert.equal(flowNow.body.state, 'closed');
  // the handler who worked it reads the same flow
  assert.deepEqual(flow(await history(u.handler_net1, n)), flow(rows));
});

test('a 计费 ticket submitted on creation ("submit": true) gets a 24 h deadline', async () => {
  const body = {
    category: 'BILL.DISPUTE', fault_number: freshFault(), subject: '本月话费比上月多出50元',
    fields: { disputed_amount: 50, bill_month: '2026年10月' }, submit: true,
  };
  const r = await u.agent1.post('/api/v1/tickets', body);
  assert.equal(r.status, 201, r.text);
  const t = r.body;
  assert.equal(t.state, 'pending_dispatch');
  assert.ok(t.submitted_at);
  assert.equal(ms(t.deadline) - ms(t.submitted_at), 24 * HOUR, 'BILL.*: deadline = submitted_at + 24 h');
  assert.equal(r.headers.get('etag'), `"${t.version}"`);
  const rows = await history(u.agent1, t.number);
  assert.deepEqual(flow(rows), [
    ['create', 'agent1', 'agent', null, 'draft', null],
    ['submit', 'agent1', 'agent', 'draft', 'pending_dispatch', null],
  ]);
  // "submit": true with the extra fields missing: nothing is created
  const mine = async () => (await u.agent1.get('/api/v1/tickets?created_by=me&limit=200')).body.items.length;
  const count = await mine();
  const bad = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), fields: {}, submit: true }));
  assert.equal(bad.status, 422, bad.text);
  assert.equal(errorOf(bad).fields['fields.symptom'], 'required', 'names a missing extra field');
  assert.equal(await mine(), count, 'no ticket created');
});

test('a draft submitted later: deadline = submitted_at + the category SLA (VAS.MMS.FORCED, 48 h)', async () => {
  const d = await draft(u.agent1, { category: 'VAS.MMS.FORCED', fields: { sp_name: '某SP彩信' } });
  await new Promise((r) => setTimeout(r, 1100)); // submitted_at must not be created_at
  const t = await ok(u.agent1, d.number, 'submit');
  assert.ok(ms(t.submitted_at) > ms(t.created_at), 'the clock starts at submission, not creation');
  assert.equal(ms(t.deadline) - ms(t.submitted_at), 48 * HOUR);
});

test('a returned draft re-filed under a 计费 category is due 24 h after its submission', async () => {
  let t = await ticketIn(u, 'pending_dispatch');
  t = await ok(u.dispatcher1, t.number, 'return', { comment: '这是计费问题，请改分类' });
  const p = await u.agent1.patch(`/api/v1/tickets/${t.number}`, { category: 'BILL.DISPUTE', fields: {} });
  assert.equal(p.status, 200, p.text);
  t = await ok(u.agent1, t.number, 'submit');
  assert.equal(t.category, 'BILL.DISPUTE');
  assert.equal(ms(t.deadline) - ms(t.submitted_at), 24 * HOUR);
});

test('转派 by the handler and by the dispatcher: the department changes, the assignee is cleared, the flow shows every department', async () => {
  let t = await ticketIn(u, 'in_progress');
  const n = t.number;
  assert.equal(t.assignee, 'handler_net1');
  assert.equal((await u.handler_vas1.get(`/api/v1/tickets/${n}`)).status, 404, 'never sent to VAS yet');

  t = await ok(u.handler_net1, n, 'transfer', { department: 'VAS', comment: '属增值业务问题，转增值中心' });
  assert.equal(t.state, 'dispatched');
  assert.equal(t.department, 'VAS');
  assert.equal(t.assignee, null, 'transfer clears the assignee');
  // the new department sees it in its queue, the old one still sees it
  const vasQueue = await u.handler_vas1.get('/api/v1/tickets?state=dispatched');
  assert.ok(vasQueue.body.items.some((x) => x.number === n));
  assert.deepEqual((await get(u.handler_vas1, n)).allowed_actions, ['return', 'accept', 'transfer', 'urge', 'comment']);
  const old = await get(u.handler_net1, n);
  assert.equal(old.department, 'VAS');
  assert.deepEqual(old.allowed_actions, ['urge', 'comment'], 'NET passed it on: it may only urge or comment');
  const refused = await act(u.handler_net1, n, 'accept');
  assert.equal(refused.status, 403, refused.text);

  // the dispatcher moves it on again, from dispatched, to the 昆明 branch
  t = await ok(u.dispatcher1, n, 'transfer', { department: 'KM', comment: '属地问题，转昆明分公司' });
  assert.equal(t.department, 'KM');
  assert.equal(t.state, 'dispatched');
  assert.equal((await get(u.handler_km1, n)).state, 'dispatched');
  t = await ok(u.handler_km1, n, 'accept');
  assert.equal(t.assignee, 'handler_km1');
  // supervisor transfers from in_progress back to NET
  t = await ok(u.supervisor1, n, 'transfer', { department: 'NET', comment: '仍需网络部处理' });
  assert.equal(t.department, 'NET');
  assert.equal(t.assignee, null);
  assert.equal(t.state, 'dispatched');
  t = await ok(u.handler_net2, n, 'accept');
  t = await ok(u.handler_net2, n, 'reply');
  t = await ok(u.dispatcher1, n, 'close');
  assert.equal(t.state, 'closed');

  const rows = await history(u.supervisor1, n);
  assert.deepEqual(flow(rows).slice(4), [
    ['transfer', 'handler_net1', 'handler', 'in_progress', 'dispatched', 'VAS'],
    ['transfer', 'dispatcher1', 'dispatcher', 'dispatched', 'dispatched', 'KM'],
    ['accept', 'handler_km1', 'handler', 'dispatched', 'in_progress', 'KM'],
    ['transfer', 'supervisor1', 'supervisor', 'in_progress', 'dispatched', 'NET'],
    ['accept', 'handler_net2', 'handler', 'dispatched', 'in_progress', 'NET'],
    ['reply', 'handler_net2', 'handler', 'in_progress', 'replied', 'NET'],
    ['close', 'dispatcher1', 'dispatcher', 'replied', 'closed', 'NET'],
  ]);
  assert.equal(rows[4].text, '属增值业务问题，转增值中心');
  const passed = [...new Set(rows.map((h) => h.department).filter(Boolean))];
  assert.deepEqual(passed, ['NET', 'VAS', 'KM'], 'every department it passed through');
  // every department it passed through can still read it and its flow
  for (const h of [u.handler_vas1, u.handler_km1, u.handler_net1]) assert.equal((await history(h, n)).length, rows.length);
});

test('退回: dispatcher pending_dispatch → draft; handler dispatched/in_progress → pending_dispatch', async () => {
  // dispatcher sends a submitted ticket back to the agent
  let t = await ticketIn(u, 'pending_dispatch');
  const n = t.number;
  const deadline = t.deadline;
  t = await ok(u.dispatcher1, n, 'return', { comment: '故障描述不清，请补充' });
  assert.equal(t.state, 'draft');
  assert.equal(t.department, null);
  assert.deepEqual(t.allowed_actions, ['urge', 'comment']);
  let mine = await get(u.agent1, n);
  assert.deepEqual(mine.allowed_actions, ['submit', 'resolve', 'urge', 'comment'], 'back with the agent');
  const patch = await u.agent1.patch(`/api/v1/tickets/${n}`, { description: '补充：地下车库和客厅均无信号' });
  assert.equal(patch.status, 200, patch.text);
  t = await ok(u.agent1, n, 'submit');
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(t.deadline, deadline, 'the SLA clock runs from the first submission');
  // supervisor may return it too
  t = await ok(u.supervisor1, n, 'return', { comment: '班长退回' });
  assert.equal(t.state, 'draft');
  t = await ok(u.agent1, n, 'submit');

  // handler returns a dispatched ticket to the centre
  t = await ok(u.dispatcher1, n, 'dispatch', { department: 'NET' });
  t = await ok(u.handler_net2, n, 'return', { comment: '非网络问题，请重新派单' });
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(t.department, null, 'back at the centre: no department');
  assert.equal(t.assignee, null);
  const net = await get(u.handler_net2, n);
  assert.deepEqual(net.allowed_actions, ['urge', 'comment'], 'NET still sees it (it passed through) but cannot act');

  // handler returns an in_progress ticket: the assignee is cleared
  t = await ok(u.dispatcher1, n, 'dispatch', { department: 'NET' });
  t = await ok(u.handler_net1, n, 'accept');
  assert.equal(t.assignee, 'handler_net1');
  t = await ok(u.handler_net1, n, 'return', { comment: '需要用户补充位置信息' });
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(t.assignee, null);
  assert.equal(t.department, null);

  const returns = (await history(u.agent1, n)).filter((h) => h.action === 'return');
  assert.deepEqual(returns.map((h) => [h.actor, h.from_state, h.to_state, h.text]), [
    ['dispatcher1', 'pending_dispatch', 'draft', '故障描述不清，请补充'],
    ['supervisor1', 'pending_dispatch', 'draft', '班长退回'],
    ['handler_net2', 'dispatched', 'pending_dispatch', '非网络问题，请重新派单'],
    ['handler_net1', 'in_progress', 'pending_dispatch', '需要用户补充位置信息'],
  ]);
});

test('驳回: replied → in_progress with the reason; the assignee keeps it and replies again', async () => {
  let t = await ticketIn(u, 'replied');
  const n = t.number;
  t = await ok(u.dispatcher1, n, 'reject', { comment: '未说明处理过程，请补充' });
  assert.equal(t.state, 'in_progress');
  assert.equal(t.assignee, 'handler_net1');
  assert.equal(t.department, 'NET');
  t = await ok(u.handler_net1, n, 'reply', { resolution: '第二次回复：已更换RRU' });
  assert.equal(t.resolution, '第二次回复：已更换RRU');
  t = await ok(u.supervisor1, n, 'reject', { comment: '班长驳回' });
  assert.equal(t.state, 'in_progress');
  // another handler of the department may reply too
  t = await ok(u.handler_net2, n, 'reply', { resolution: '第三次回复' });
  assert.equal(t.state, 'replied');
  t = await ok(u.dispatcher1, n, 'close', { summary: '归档' });
  assert.equal(t.satisfaction, null, 'satisfaction is optional');
  const rejects = (await history(u.agent1, n)).filter((h) => h.action === 'reject');
  assert.deepEqual(rejects.map((h) => [h.actor, h.from_state, h.to_state, h.text]), [
    ['dispatcher1', 'replied', 'in_progress', '未说明处理过程，请补充'],
    ['supervisor1', 'replied', 'in_progress', '班长驳回'],
  ]);
});

test('重开: closed → pending_dispatch with a comment, by the agent and by the supervisor', async () => {
  let t = await ticketIn(u, 'closed');
  const n = t.number;
  const firstDeadline = t.deadline;
  t = await ok(u.agent1, n, 'reopen', { comment: '用户来电：信号问题再次出现' });
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(t.closed_at, null);
  assert.equal(t.summary, null);
  assert.equal(t.satisfaction, null);
  assert.equal(t.department, null);
  assert.equal(t.assignee, null);
  assert.ok(ms(t.deadline) >= ms(firstDeadline), 'a new deadline from the reopening');
  assert.ok(Math.abs(ms(t.deadline) - 48 * HOUR - Date.now()) < 5000, 'reopened now + 48 h');
  // it goes round again and the supervisor reopens it
  await ok(u.dispatcher1, n, 'dispatch', { department: 'NET' });
  await ok(u.handler_net1, n, 'accept');
  await ok(u.handler_net1, n, 'reply');
  t = await ok(u.supervisor1, n, 'close', { summary: '第二次归档', satisfaction: 3 });
  assert.equal(t.satisfaction, 3);
  t = await ok(u.supervisor1, n, 'reopen', { comment: '质检抽查不合格，重开' });
  assert.equal(t.state, 'pending_dispatch');
  assert.equal(t.satisfaction, null);
  const reopens = (await history(u.agent1, n)).filter((h) => h.action === 'reopen');
  assert.deepEqual(reopens.map((h) => [h.actor, h.role, h.from_state, h.to_state, h.text]), [
    ['agent1', 'agent', 'closed', 'pending_dispatch', '用户来电：信号问题再次出现'],
    ['supervisor1', 'supervisor', 'closed', 'pending_dispatch', '质检抽查不合格，重开'],
  ]);
  // a handler may not reopen
  await ok(u.dispatcher1, n, 'dispatch', { department: 'NET' });
  await ok(u.handler_net1, n, 'accept');
  await ok(u.handler_net1, n, 'reply');
  await ok(u.dispatcher1, n, 'close');
  const r = await act(u.handler_net1, n, 'reopen', inputsFor('reopen'));
  assert.equal(r.status, 403, r.text);
});

test('催单: raises the priority to urgent and counts; anyone who sees it; not on a closed ticket', async () => {
  let t = await ticketIn(u, 'dispatched');
  const n = t.number;
  assert.equal(t.priority, 'normal');
  assert.equal(t.urge_count, 0);
  t = await ok(u.agent1, n, 'urge', { comment: '用户第二次来电催促' });
  assert.equal(t.priority, 'urgent');
  assert.equal(t.urge_count, 1);
  assert.equal(t.state, 'dispatched', 'urging keeps the state');
  t = await ok(u.handler_net1, n, 'urge');
  t = await ok(u.dispatcher1, n, 'urge');
  assert.equal(t.urge_count, 3);
  assert.equal(t.priority, 'urgent');
  const urges = (await history(u.agent1, n)).filter((h) => h.action === 'urge');
  assert.deepEqual(urges.map((h) => [h.actor, h.from_state, h.to_state, h.text]), [
    ['agent1', 'dispatched', 'dispatched', '用户第二次来电催促'],
    ['handler_net1', 'dispatched', 'dispatched', null],
    ['dispatcher1', 'dispatched', 'dispatched', null],
  ]);
  // urging a draft works for its agent
  const d = await draft(u.agent1);
  assert.equal((await ok(u.agent1, d.number, 'urge')).priority, 'urgent');
  // closed: 409 naming what is allowed, nothing counted
  const c = await ticketIn(u, 'closed');
  for (const who of [u.agent1, u.supervisor1, u.handler_net1, u.admin]) {
    const r = await act(who, c.number, 'urge');
    assert.equal(r.status, 409, r.text);
    assert.equal(errorOf(r).code, 'conflict');
    assert.match(errorOf(r).message, /comment/);
  }
  const after = await get(u.agent1, c.number);
  assert.equal(after.urge_count, 0);
  assert.equal(after.priority, 'normal');
  assert.equal(after.version, c.version);
});

test('备注: a comment in every state, by anyone who can see the ticket; the state stays', async () => {
  for (const state of ['draft', 'pending_dispatch', 'dispatched', 'in_progress', 'replied', 'closed']) {
    const t = await ticketIn(u, state, { via: 'VAS' });
    const who = [u.agent1, u.dispatcher1, u.supervisor1, u.handler_vas1, u.admin];
    if (t.department === 'NET') who.push(u.handler_net1);
    let version = t.version;
    for (const c of who) {
      const r = await act(c, t.number, 'comment', { comment: `${c.username}: 已跟进 (${state})` });
      assert.equal(r.status, 200, `${c.username} comment on ${state}: ${r.text}`);
      assert.equal(r.body.state, state);
      assert.equal(r.body.version, version + 1);
      version = r.body.version;
    }
    const rows = (await history(u.admin, t.number)).filter((h) => h.action === 'comment');
    assert.deepEqual(rows.map((h) => [h.actor, h.from_state, h.to_state, h.text]),
      who.map((c) => [c.username, state, state, `${c.username}: 已跟进 (${state})`]));
  }
});

test('一次解决: draft → closed with resolution and summary, by the creating agent', async () => {
  const d = await draft(u.agent1, { category: 'BILL.DISPUTE', fields: {} });
  const t = await ok(u.agent1, d.number, 'resolve', {
    resolution: '向用户解释了套餐外流量计费规则', summary: '用户认可，一次解决',
  });
  assert.equal(t.state, 'closed');
  assert.equal(t.resolution, '向用户解释了套餐外流量计费规则');
  assert.equal(t.summary, '用户认可，一次解决');
  assert.equal(t.closed_by, 'resolve');
  assert.ok(t.closed_at);
  assert.equal(t.department, null, 'never left the centre');
  assert.deepEqual(t.allowed_actions, ['reopen', 'comment']);
  const rows = await history(u.agent1, d.number);
  assert.deepEqual(flow(rows).at(-1), ['resolve', 'agent1', 'agent', 'draft', 'closed', null]);
  assert.deepEqual(rows.at(-1).inputs, { resolution: '向用户解释了套餐外流量计费规则', summary: '用户认可，一次解决' });
  // not once submitted, nor by another agent (who may see it as the same customer's history)
  const s = await ticketIn(u, 'pending_dispatch');
  const r = await act(u.agent1, s.number, 'resolve', inputsFor('resolve'));
  assert.equal(r.status, 409, r.text);
  assert.match(errorOf(r).message, /urge, comment/);
  const d2 = await draft(u.agent1);
  const same = await u.agent2.post('/api/v1/tickets', netTicket({ fault_number: d2.fault_number }));
  assert.equal(same.status, 201);
  assert.equal((await u.agent2.get(`/api/v1/tickets/${d2.number}`)).status, 200, '历史故障: same customer');
  const r2 = await act(u.agent2, d2.number, 'resolve', inputsFor('resolve'));
  assert.equal(r2.status, 403, r2.text);
  assert.equal((await get(u.agent1, d2.number)).state, 'draft');
});
