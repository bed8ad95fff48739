// workflow-lib.mjs - helpers shared by the workflow tests (issue 5): a client
// per demo user, ticket factories, driving a ticket to a given state, the
// SPEC §5 table as an independent model (the oracle for allowed_actions and
// for which refusal an action gets), and the sqlite3 CLI.
import assert from 'node:assert/strict';
import { netTicket, clients as clientsFor, sqlite, stopClean } from './lib.mjs';

export { sqlite, stopClean };

export const USERS = {
  admin: { role: 'admin', department: null },
  agent1: { role: 'agent', department: 'PCSC' },
  agent2: { role: 'agent', department: 'PCSC' },
  dispatcher1: { role: 'dispatcher', department: 'PCSC' },
  supervisor1: { role: 'supervisor', department: 'PCSC' },
  handler_net1: { role: 'handler', department: 'NET' },
  handler_net2: { role: 'handler', department: 'NET' },
  handler_vas1: { role: 'handler', department: 'VAS' },
  handler_km1: { role: 'handler', department: 'KM' },
};

// One bearer client per demo user: u.agent1.post(...).
export function clients(srv) {
  return clientsFor(srv, Object.keys(USERS));
}

// SPEC §5, written out from the table (not read from the server).
export const STATES = ['draft', 'pending_dispatch', 'dispatched', 'in_progress', 'replied', 'closed'];
export const ACTIONS = ['submit', 'resolve', 'dispatch', 'return', 'accept', 'transfer', 'reply', 'reject', 'close',
  'reopen', 'urge', 'comment'];
const OPEN = STATES.filter((s) => s !== 'closed');
const STAFF = ['agent', 'dispatcher', 'handler', 'supervisor'];
// [action, from, to (null: stays), role, scope]
export const TRANSITIONS = [
  ['submit', 'draft', 'pending_dispatch', 'agent', 'creator'],
  ['resolve', 'draft', 'closed', 'agent', 'creator'],
  ...['dispatcher', 'supervisor'].flatMap((r) => [
    ['dispatch', 'pending_dispatch', 'dispatched', r, 'any'],
    ['return', 'pending_dispatch', 'draft', r, 'any'],
    ['transfer', 'dispatched', 'dispatched', r, 'any'],
    ['transfer', 'in_progress', 'dispatched', r, 'any'],
    ['reject', 'replied', 'in_progress', r, 'any'],
    ['close', 'replied', 'closed', r, 'any'],
    ['reopen', 'closed', 'pending_dispatch', r, 'any'],
  ]),
  ['return', 'dispatched', 'pending_dispatch', 'handler', 'department'],
  ['return', 'in_progress', 'pending_dispatch', 'handler', 'department'],
  ['accept', 'dispatched', 'in_progress', 'handler', 'department'],
  ['transfer', 'dispatched', 'dispatched', 'handler', 'department'],
  ['transfer', 'in_progress', 'dispatched', 'handler', 'department'],
  ['reply', 'in_progress', 'replied', 'handler', 'assignee_or_department'],
  ['reopen', 'closed', 'pending_dispatch', 'agent', 'any'],
  ...OPEN.flatMap((s) => STAFF.map((r) => ['urge', s, null, r, 'any'])),
  ...STATES.flatMap((s) => STAFF.map((r) => ['comment', s, null, r, 'any'])),
];

// The transitions of `action` that `user` may take on ticket t (a GET body),
// judged on the ticket as it is now; admins may do what any role may.
function permittedTransitions(user, t, action) {
  const me = USERS[user];
  return TRANSITIONS.filter(([a, , , role, scope]) => {
    if (a !== action) return false;
    if (me.role === 'admin') return true;
    if (role !== me.role) return false;
    if (scope === 'creator') return t.created_by === user;
    if (scope === 'department') return t.department === me.department;
    if (scope === 'assignee_or_department') return t.department === me.department || t.assignee === user;
    return true;
  });
}

// What the engine must answer when `user` (who can see t) runs `action` with
// valid inputs: 200, 403 (role/department) or 409 (state).
export function expectedStatus(user, t, action) {
  const p = permittedTransitions(user, t, action);
  if (!p.length) return 403;
  return p.some(([, from]) => from === t.state) ? 200 : 409;
}

// allowed_actions the model expects, in the table's display order.
export function expectedAllowed(user, t) {
  return ACTIONS.filter((a) => expectedStatus(user, t, a) === 200);
}

// Valid inputs for each action (dept: the department to dispatch/transfer to).
export function inputsFor(action, dept = 'BILL') {
  switch (action) {
    case 'resolve': return { resolution: '已向用户解释计费规则，用户认可', summary: '一次解决：解释到位' };
    case 'dispatch': return { department: dept };
    case 'return': return { comment: '信息不全，请补充后再提交' };
    case 'transfer': return { department: dept, comment: '非本部门问题，转派' };
    case 'reply': return { resolution: '已优化基站参数，信号恢复正常' };
    case 'reject': return { comment: '回复不完整，请补充处理过程' };
    case 'close': return { summary: '用户确认问题已解决', satisfaction: 4 };
    case 'reopen': return { comment: '用户来电反映问题再次出现' };
    case 'comment': return { comment: '已电话联系用户，用户同意等待' };
    default: return {};
  }
}

let faultSeq = 0;
// A fresh fault number per ticket, so agents never see each other's tickets
// through 历史故障 (same customer) unless a test means them to.
export function freshFault() {
  faultSeq += 1;
  return '139' + String(process.pid % 1000).padStart(3, '0') + String(faultSeq).padStart(5, '0');
}

export async function act(client, number, action, inputs = {}, headers = {}) {
  return client.post(`/api/v1/tickets/${number}/actions/${action}`, inputs, headers);
}

// Runs an action that must succeed; returns the ticket.
export async function ok(client, number, action, inputs = inputsFor(action)) {
  const r = await act(client, number, action, inputs);
  assert.equal(r.status, 200, `${client.username} ${action} on ${number}: ${r.text}`);
  return r.body;
}

export async function get(client, number) {
  const r = await client.get(`/api/v1/tickets/${number}`);
  assert.equal(r.status, 200, `${client.username} GET ${number}: ${r.text}`);
  return r.body;
}

export async function history(client, number) {
  const r = await client.get(`/api/v1/tickets/${number}/history`);
  assert.equal(r.status, 200, `${client.username} history ${number}: ${r.text}`);
  return r.body.items;
}

// Creates a draft (NET.SIGNAL unless overridden) as `agent`; returns it.
export async function draft(agent, overrides = {}) {
  const f = freshFault();
  const r = await agent.post('/api/v1/tickets', netTicket({ fault_number: f, ...overrides }));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// Drives a fresh ticket to `state` along the common path: created by agent1,
// dispatched to `dept` (through `via` first when given: dispatched there and
// transferred on, or returned so it passed through), accepted by
// handler_net1 when dept is NET.
export async function ticketIn(u, state, { dept = 'NET', via = null, overrides = {} } = {}) {
  const handlerOf = { NET: u.handler_net1, VAS: u.handler_vas1, KM: u.handler_km1 };
  let t = await draft(u.agent1, overrides);
  const n = t.number;
  if (state === 'draft' && !via) return t;
  t = await ok(u.agent1, n, 'submit');
  if (via) {
    t = await ok(u.dispatcher1, n, 'dispatch', { department: via });
    if (state === 'draft' || state === 'pending_dispatch') {
      t = await ok(handlerOf[via], n, 'return');
      if (state === 'draft') t = await ok(u.dispatcher1, n, 'return');
      return t;
    }
    t = await ok(handlerOf[via], n, 'transfer', { department: dept, comment: `转派到${dept}` });
  } else {
    if (state === 'pending_dispatch') return t;
    t = await ok(u.dispatcher1, n, 'dispatch', { department: dept });
  }
  if (state === 'dispatched') return t;
  t = await ok(handlerOf[dept], n, 'accept');
  if (state === 'in_progress') return t;
  t = await ok(handlerOf[dept], n, 'reply');
  if (state === 'replied') return t;
  t = await ok(u.supervisor1, n, 'close');
  assert.equal(t.state, 'closed');
  return t;
}

export function sqliteOk(db, sql) {
  const r = sqlite(db, sql);
  assert.equal(r.status, 0, `sqlite3: ${sql}: ${r.stderr}`);
  return r.stdout;
}

// A deterministic PRNG (mulberry32), so a failing random walk can be replayed.
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

