// admin.test.mjs - the admin API of issue 13 (系统管理): departments and
// categories (create, show, change), number segment imports (CSV or JSON),
// and the audit log of every admin change (who, when, what before and
// after; never a secret). Refusals are checked to change nothing, and the
// audit log to hold no row for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, clients, cli, errorOf, req, netTicket, sql, sqlite, stopClean } from './lib.mjs';
import { login, asSession } from './auth-lib.mjs';
import { freshFault, inputsFor } from './workflow-lib.mjs';

let srv, u;
before(async () => {
  srv = await startServer();
  u = clients(srv, ['admin', 'agent1', 'dispatcher1', 'supervisor1', 'handler_net1']);
});
after(async () => { await stopClean(srv); });

const fieldsOf = (r, status = 422) => {
  assert.equal(r.status, status, r.text);
  return errorOf(r).fields || {};
};
// Everything an admin change could touch, to compare before and after a refusal.
const state = () => sql(srv.db, [
  'SELECT code, name, kind, region, active, sort FROM departments ORDER BY id;',
  'SELECT code, parent_id, name, description, sla_hours, department_id, fields_schema, active, sort FROM categories ORDER BY id;',
  'SELECT prefix, region FROM number_segments ORDER BY prefix;',
  'SELECT id, kind, text, category_id, state, sort FROM phrases ORDER BY id;',
  'SELECT id, role, department_id, display_name, disabled, password_hash FROM users ORDER BY id;',
  'SELECT id, revoked_at FROM api_tokens ORDER BY id;',
  'SELECT count(*) FROM admin_audit;',
].join('\n'));
const auditCount = () => Number(sql(srv.db, 'SELECT count(*) FROM admin_audit;'));
// The newest audit row of an object.
async function lastAudit(kind, object) {
  const r = await u.admin.get(`/api/v1/audit?object_kind=${kind}&object=${encodeURIComponent(object)}&limit=1`);
  assert.equal(r.status, 200, r.text);
  return r.body.items[0];
}
const ticketIn = (category, fields, extra = {}) => ({
  category, fault_number: freshFault(), subject: '室内信号测试', description: '用户反映室内信号差。', fields, ...extra,
});

test('every admin route: 401 without credentials, 403 for every other role, and nothing changes', async () => {
  const routes = [
    ['post', '/api/v1/departments', { code: 'NOPE', name: '无权部门', kind: 'handling' }],
    ['get', '/api/v1/departments/NET'],
    ['patch', '/api/v1/departments/NET', { name: '改名' }],
    ['post', '/api/v1/categories', { code: 'NOPE', name: '无权分类' }],
    ['get', '/api/v1/categories/NET'],
    ['patch', '/api/v1/categories/NET', { sla_hours: 12 }],
    ['post', '/api/v1/segments', { rows: [{ prefix: '1380000', region: 'KM' }] }],
    ['get', '/api/v1/audit'],
    ['get', '/api/v1/admin/departments'],
    ['get', '/api/v1/admin/categories'],
  ];
  const was = state();
  for (const [method, path, body] of routes) {
    const anon = await req(srv.url, method.toUpperCase(), path, body ? { body } : {});
    assert.equal(anon.status, 401, `${method} ${path}`);
    for (const who of ['agent1', 'dispatcher1', 'supervisor1', 'handler_net1']) {
      const r = await u[who][method === 'patch' ? 'patch' : method](path, body);
      assert.equal(r.status, 403, `${who} ${method} ${path}: ${r.text}`);
      assert.match(errorOf(r).message, /admin/);
    }
  }
  assert.equal(state(), was);
});

test('session cookies need X-CSRF-Token on admin changes', async () => {
  const s = await login(srv.url, 'admin', 'demo-admin');
  assert.equal(s.status, 200);
  const body = { code: 'CSRF', name: '跨站测试部', kind: 'handling' };
  const was = state();
  let r = await asSession(srv.url, s, 'POST', '/api/v1/departments', { body, csrf: false });
  assert.equal(r.status, 403, r.text);
  r = await asSession(srv.url, s, 'POST', '/api/v1/segments', { body: { rows: [{ prefix: '1380001', region: 'KM' }] }, csrf: false });
  assert.equal(r.status, 403, r.text);
  assert.equal(state(), was);
  r = await asSession(srv.url, s, 'POST', '/api/v1/departments', { body });
  assert.equal(r.status, 201, r.text);
});

// --- departments ------------------------------------------------------------

test('POST /api/v1/departments: created, listed, shown, and audited', async () => {
  const r = await u.admin.post('/api/v1/departments', { code: 'QJ2', name: '曲靖第二分公司', kind: 'handling', region: 'QJ', sort: 125 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), '/api/v1/departments/QJ2');
  const want = { code: 'QJ2', name: '曲靖第二分公司', kind: 'handling', region: 'QJ', active: true, sort: 125 };
  assert.deepEqual(r.body, want);
  assert.deepEqual((await u.admin.get('/api/v1/departments/QJ2')).body, want);
  const list = (await u.agent1.get('/api/v1/departments')).body;
  assert.deepEqual(list.find((d) => d.code === 'QJ2'), { code: 'QJ2', name: '曲靖第二分公司', kind: 'handling', region: 'QJ' });
  // defaults
  const c = await u.admin.post('/api/v1/departments', { code: 'HOTLINE', name: '热线支撑组', kind: 'centre' });
  assert.deepEqual(c.body, { code: 'HOTLINE', name: '热线支撑组', kind: 'centre', region: null, active: true, sort: 0 });
  const a = await lastAudit('department', 'QJ2');
  assert.equal(a.actor, 'admin');
  assert.equal(a.actor_id, 1);
  assert.equal(a.action, 'create');
  assert.equal(a.before, null);
  assert.deepEqual(a.after, want);
  assert.match(a.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // a new handling department is usable at once: a dispatcher sends a ticket there
  const t = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }));
  assert.equal(t.status, 201, t.text);
  const d = await u.dispatcher1.post(`/api/v1/tickets/${t.body.number}/actions/dispatch`, inputsFor('dispatch', 'QJ2'));
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.department, 'QJ2');
});

test('GET /api/v1/admin/departments and /admin/categories: every one in the admin shape, inactive ones too', async () => {
  let r = await u.admin.post('/api/v1/departments', { code: 'LISTX', name: '停用测试部', kind: 'handling', sort: 990 });
  assert.equal(r.status, 201, r.text);
  r = await u.admin.patch('/api/v1/departments/LISTX', { active: false });
  assert.equal(r.status, 200, r.text);
  r = await u.admin.post('/api/v1/categories', { code: 'LISTX', name: '停用测试类', sort: 990 });
  assert.equal(r.status, 201, r.text);
  r = await u.admin.post('/api/v1/categories', { code: 'LISTX.SUB', parent: 'LISTX', name: '下级', fields_schema: [{ name: 'n', label: '数', type: 'number' }] });
  assert.equal(r.status, 201, r.text);
  r = await u.admin.patch('/api/v1/categories/LISTX', { active: false });
  assert.equal(r.status, 200, r.text);

  const deps = await u.admin.get('/api/v1/admin/departments');
  assert.equal(deps.status, 200, deps.text);
  assert.deepEqual(deps.body.items.find((d) => d.code === 'LISTX'),
    { code: 'LISTX', name: '停用测试部', kind: 'handling', region: null, active: false, sort: 990 });
  assert.deepEqual(deps.body.items.find((d) => d.code === 'NET'), (await u.admin.get('/api/v1/departments/NET')).body);
  // every department, the public list's (active) ones among them, in the same order
  const count = Number(sql(srv.db, 'SELECT count(*) FROM departments;'));
  assert.equal(deps.body.items.length, count);
  const pub = (await u.agent1.get('/api/v1/departments')).body.map((d) => d.code);
  assert.deepEqual(deps.body.items.filter((d) => d.active).map((d) => d.code), pub);

  const cats = await u.admin.get('/api/v1/admin/categories');
  assert.equal(cats.status, 200, cats.text);
  assert.equal(cats.body.items.length, Number(sql(srv.db, 'SELECT count(*) FROM categories;')));
  for (const code of ['LISTX', 'LISTX.SUB', 'NET.SIGNAL']) {
    assert.deepEqual(cats.body.items.find((c) => c.code === code), (await u.admin.get(`/api/v1/categories/${code}`)).body, code);
  }
  // the public tree hides the inactive branch; the admin list has it
  const tree = JSON.stringify((await u.agent1.get('/api/v1/categories')).body);
  assert.ok(!tree.includes('LISTX'));
  assert.equal(cats.body.items.find((c) => c.code === 'LISTX').active, false);
  assert.equal((await u.admin.get('/api/v1/admin/categories?all=1')).status, 400);
});

test('POST /api/v1/departments: each bad member named, a taken code refused, nothing written', async () => {
  const was = state();
  let f = fieldsOf(await u.admin.post('/api/v1/departments', {
    code: 'net', name: '', kind: 'branch', region: 'XX', active: 'yes', sort: 1.5, colour: 'red',
  }));
  assert.deepEqual(Object.keys(f).sort(), ['active', 'code', 'colour', 'kind', 'name', 'region', 'sort']);
  f = fieldsOf(await u.admin.post('/api/v1/departments', {}));
  assert.deepEqual(Object.keys(f).sort(), ['code', 'kind', 'name']);
  assert.equal(f.code, 'required');
  f = fieldsOf(await u.admin.post('/api/v1/departments', { code: 'NET', name: '重复', kind: 'handling' }));
  assert.deepEqual(f, { code: 'already taken' });
  f = fieldsOf(await u.admin.post('/api/v1/departments', { code: 'A'.repeat(17), name: '名'.repeat(41), kind: 'handling', region: 5 }));
  assert.deepEqual(Object.keys(f).sort(), ['code', 'name', 'region']);
  f = fieldsOf(await u.admin.post('/api/v1/departments', { code: 'CTL', name: '换\n行', kind: 'handling' }));
  assert.deepEqual(Object.keys(f), ['name']);
  const raw = await req(srv.url, 'POST', '/api/v1/departments', { raw: 'code=X', headers: { authorization: `Bearer ${u.admin.token}`, 'content-type': 'text/plain' } });
  assert.equal(raw.status, 415);
  assert.equal(state(), was);
});

test('PATCH /api/v1/departments/{code}: rename, sort, deactivate and back; code and kind immutable; unknown 404', async () => {
  assert.equal((await u.admin.post('/api/v1/departments', { code: 'WS2', name: '文山二部', kind: 'handling' })).status, 201);
  let r = await u.admin.patch('/api/v1/departments/WS2', { name: '文山第二分公司', sort: 9, region: 'WS' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { code: 'WS2', name: '文山第二分公司', kind: 'handling', region: 'WS', active: true, sort: 9 });
  let a = await lastAudit('department', 'WS2');
  assert.equal(a.action, 'update');
  assert.deepEqual(a.before, { name: '文山二部', region: null, sort: 0 });
  assert.deepEqual(a.after, { name: '文山第二分公司', region: 'WS', sort: 9 });
  // the same values again change nothing and write no audit row
  const n = auditCount();
  assert.equal((await u.admin.patch('/api/v1/departments/WS2', { name: '文山第二分公司', code: 'WS2' })).status, 200);
  assert.equal(auditCount(), n);
  r = await u.admin.patch('/api/v1/departments/WS2', { active: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.active, false);
  assert.ok(!(await u.agent1.get('/api/v1/departments')).body.some((d) => d.code === 'WS2'), 'an inactive department is not listed');
  assert.equal((await u.admin.get('/api/v1/departments/WS2')).body.active, false, 'admins still see it');
  const t = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }));
  const d = await u.dispatcher1.post(`/api/v1/tickets/${t.body.number}/actions/dispatch`, inputsFor('dispatch', 'WS2'));
  assert.equal(d.status, 422, 'no dispatching to an inactive department');
  a = await lastAudit('department', 'WS2');
  assert.deepEqual([a.before, a.after], [{ active: true }, { active: false }]);
  assert.equal((await u.admin.patch('/api/v1/departments/WS2', { active: true })).body.active, true);

  const was = state();
  let f = fieldsOf(await u.admin.patch('/api/v1/departments/WS2', { code: 'WS3', kind: 'centre', name: '', sort: 'x', extra: 1 }));
  assert.deepEqual(Object.keys(f).sort(), ['code', 'extra', 'kind', 'name', 'sort']);
  assert.equal(f.code, 'cannot be changed');
  r = await u.admin.patch('/api/v1/departments/NOSUCH', { name: '不存在' });
  assert.equal(r.status, 404);
  assert.match(errorOf(r).message, /NOSUCH/);
  assert.equal((await u.admin.get('/api/v1/departments/NOSUCH')).status, 404);
  assert.equal((await u.admin.get(`/api/v1/departments/${'X'.repeat(100)}`)).status, 404);
  assert.equal(state(), was);
});

test('deactivating a department that holds open tickets, or the last centre: 409, nothing changes', async () => {
  assert.equal((await u.admin.post('/api/v1/departments', { code: 'DL2', name: '大理二部', kind: 'handling', region: 'DL' })).status, 201);
  const t = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }));
  assert.equal((await u.dispatcher1.post(`/api/v1/tickets/${t.body.number}/actions/dispatch`, inputsFor('dispatch', 'DL2'))).status, 200);
  let was = state();
  let r = await u.admin.patch('/api/v1/departments/DL2', { active: false, name: '大理二部（停用）' });
  assert.equal(r.status, 409, r.text);
  assert.match(errorOf(r).message, /DL2.*1 open ticket/);
  assert.equal(state(), was);
  // once it is transferred away, the department may go
  const tr = await u.dispatcher1.post(`/api/v1/tickets/${t.body.number}/actions/transfer`, inputsFor('transfer', 'NET'));
  assert.equal(tr.status, 200, tr.text);
  assert.equal((await u.admin.patch('/api/v1/departments/DL2', { active: false })).status, 200);
  // the ticket that passed through it stays reachable
  assert.equal((await u.dispatcher1.get(`/api/v1/tickets/${t.body.number}`)).status, 200);
  // the centre: HOTLINE (another centre) may go, then PCSC is the last
  await u.admin.post('/api/v1/departments', { code: 'HOT2', name: '热线二组', kind: 'centre' });
  assert.equal((await u.admin.patch('/api/v1/departments/HOT2', { active: false })).status, 200);
  const centres = JSON.parse(sql(srv.db, "SELECT json_group_array(code) FROM departments WHERE kind = 'centre' AND active;"));
  for (const c of centres.filter((x) => x !== 'PCSC')) await u.admin.patch(`/api/v1/departments/${c}`, { active: false });
  was = state();
  r = await u.admin.patch('/api/v1/departments/PCSC', { active: false });
  assert.equal(r.status, 409, r.text);
  assert.match(errorOf(r).message, /last active centre/);
  assert.equal(state(), was);
});

// --- categories -------------------------------------------------------------

const FLOOR = { name: 'floor', label: '所在楼层', type: 'number', required: true, min: -5, max: 200 };
const BUILDING = { name: 'building_type', label: '建筑类型', type: 'choice', options: ['住宅', '写字楼', '商场'] };

test('a new category with a new required field: usable by an agent at once, the ETag moves, audited', async () => {
  const old = await u.agent1.get('/api/v1/categories');
  const etag = old.headers.get('etag');
  assert.ok(etag);
  assert.equal((await u.agent1.get('/api/v1/categories', undefined, { 'if-none-match': etag })).status, 304);
  const body = {
    code: 'NET.SIGNAL.INDOOR', parent: 'NET.SIGNAL', name: '室内覆盖差', description: '室内信号弱或无信号。',
    fields_schema: [FLOOR, BUILDING], sort: 10,
  };
  const r = await u.admin.post('/api/v1/categories', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), '/api/v1/categories/NET.SIGNAL.INDOOR');
  const want = { ...body, sla_hours: 48, department: 'NET', active: true };
  assert.deepEqual(r.body, want, 'SLA and department come from the parent');
  assert.deepEqual((await u.admin.get('/api/v1/categories/NET.SIGNAL.INDOOR')).body, want);
  const now = await u.agent1.get('/api/v1/categories', undefined, { 'if-none-match': etag });
  assert.equal(now.status, 200, 'the old ETag no longer matches');
  assert.notEqual(now.headers.get('etag'), etag);
  const net = now.body.find((c) => c.code === 'NET');
  const signal = net.children.find((c) => c.code === 'NET.SIGNAL');
  const leaf = signal.children.find((c) => c.code === 'NET.SIGNAL.INDOOR');
  assert.deepEqual(leaf.fields, [FLOOR, BUILDING]);
  assert.equal(leaf.leaf, true);
  // the agent files a ticket in it, with the new field, and is refused without it
  const made = await u.agent1.post('/api/v1/tickets', ticketIn('NET.SIGNAL.INDOOR', { floor: 12, building_type: '写字楼' }, { submit: true }));
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.category, 'NET.SIGNAL.INDOOR');
  assert.deepEqual(made.body.fields, { floor: 12, building_type: '写字楼' });
  let f = fieldsOf(await u.agent1.post('/api/v1/tickets', ticketIn('NET.SIGNAL.INDOOR', { building_type: '住宅' }, { submit: true })));
  assert.equal(f['fields.floor'], 'required');
  f = fieldsOf(await u.agent1.post('/api/v1/tickets', ticketIn('NET.SIGNAL.INDOOR', { floor: 500, building_type: '工厂' }, { submit: true })));
  assert.deepEqual(Object.keys(f).sort(), ['fields.building_type', 'fields.floor']);
  const a = await lastAudit('category', 'NET.SIGNAL.INDOOR');
  assert.deepEqual([a.actor, a.action, a.before, a.after], ['admin', 'create', null, want]);
});

test('POST /api/v1/categories: the code follows the parent, limits as the database has them, schemas checked like the intake', async () => {
  const was = state();
  const tree = (await u.agent1.get('/api/v1/categories')).text;
  const bad = async (body, fields) => {
    const got = fieldsOf(await u.admin.post('/api/v1/categories', { name: '测试分类', ...body }));
    assert.deepEqual(Object.keys(got).sort(), fields.sort(), JSON.stringify(body) + ' ' + JSON.stringify(got));
    return got;
  };
  let f = await bad({ code: 'BILL.X', parent: 'NET' }, ['code']);
  assert.match(f.code, /NET\.<SEGMENT>/);
  await bad({ code: 'NET.SIGNAL.X', parent: 'NET' }, ['code']);
  await bad({ code: 'NET.SIGNAL' }, ['code']); // a root has one segment
  await bad({ code: 'net.x', parent: 'NET' }, ['code']);
  await bad({ code: 'NET.', parent: 'NET' }, ['code']);
  await bad({ code: 'VAS.DL.BREW.FORCED.X', parent: 'VAS.DL.BREW.FORCED' }, ['code']); // a fifth level
  await bad({ code: 'NOPE.X', parent: 'NOPE' }, ['parent']);
  await bad({ code: 'NET' }, ['code']); // taken
  await bad({}, ['code']);
  await bad({ code: 'NET.X', parent: 'NET', sla_hours: 0 }, ['sla_hours']);
  await bad({ code: 'NET.X', parent: 'NET', sla_hours: 361 }, ['sla_hours']);
  await bad({ code: 'NET.X', parent: 'NET', sla_hours: '24' }, ['sla_hours']);
  await bad({ code: 'NET.X', parent: 'NET', department: 'PCSC' }, ['department']); // a centre
  await bad({ code: 'NET.X', parent: 'NET', department: 'NOSUCH' }, ['department']);
  await bad({ code: 'NET.X', parent: 'NET', name: '' }, ['name']);
  await bad({ code: 'NET.X', parent: 'NET', description: '长'.repeat(2001) }, ['description']);
  await bad({ code: 'NET.X', parent: 'NET', active: 1, sort: 'first', owner: 'me' }, ['active', 'owner', 'sort']);
  f = await bad({ code: 'NET.X', parent: 'NET', fields_schema: [FLOOR, { name: 'Bad Name', label: '坏', type: 'text' }] }, ['fields_schema[1].name']);
  assert.match(f['fields_schema[1].name'], /\[a-z\]/);
  f = await bad({ code: 'NET.X', parent: 'NET', fields_schema: [{ name: 'x', label: '类型', type: 'date' }] }, ['fields_schema[0].type']);
  assert.match(f['fields_schema[0].type'], /one of text, phone/);
  await bad({ code: 'NET.X', parent: 'NET', fields_schema: [FLOOR, FLOOR] }, ['fields_schema[1].name']);
  await bad({ code: 'NET.X', parent: 'NET', fields_schema: [{ ...BUILDING, options: [] }] }, ['fields_schema[0].options']);
  await bad({ code: 'NET.X', parent: 'NET', fields_schema: { floor: 1 } }, ['fields_schema']);
  assert.equal(state(), was);
  assert.equal((await u.agent1.get('/api/v1/categories')).text, tree);
  // a new root and a child under it, each usable
  assert.equal((await u.admin.post('/api/v1/categories', { code: 'CHAN', name: '渠道', sla_hours: 72, department: 'ENT' })).status, 201);
  const child = await u.admin.post('/api/v1/categories', { code: 'CHAN.ONLINE', parent: 'CHAN', name: '网上营业厅' });
  assert.equal(child.status, 201, child.text);
  assert.deepEqual([child.body.sla_hours, child.body.department, child.body.fields_schema], [72, 'ENT', []]);
  const t = await u.agent1.post('/api/v1/tickets', ticketIn('CHAN.ONLINE', {}, { submit: true }));
  assert.equal(t.status, 201, t.text);
});

test('PATCH /api/v1/categories/{code}: SLA, name, schema and active change; code and parent immutable; unknown 404', async () => {
  await u.admin.post('/api/v1/categories', { code: 'NET.SIGNAL.TUNNEL', parent: 'NET.SIGNAL', name: '隧道覆盖', fields_schema: [FLOOR] });
  let r = await u.admin.patch('/api/v1/categories/NET.SIGNAL.TUNNEL', { sla_hours: 24, name: '隧道/地铁覆盖', fields_schema: [BUILDING] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.sla_hours, r.body.name, r.body.fields_schema], [24, '隧道/地铁覆盖', [BUILDING]]);
  const a = await lastAudit('category', 'NET.SIGNAL.TUNNEL');
  assert.equal(a.action, 'update');
  assert.deepEqual(a.before, { name: '隧道覆盖', sla_hours: 48, fields_schema: [FLOOR] });
  assert.deepEqual(a.after, { name: '隧道/地铁覆盖', sla_hours: 24, fields_schema: [BUILDING] });
  // the new schema applies at once: floor is now unknown, building_type optional
  const f = fieldsOf(await u.agent1.post('/api/v1/tickets', ticketIn('NET.SIGNAL.TUNNEL', { floor: 1 }, { submit: true })));
  assert.equal(f['fields.floor'], 'unknown field');
  const t = await u.agent1.post('/api/v1/tickets', ticketIn('NET.SIGNAL.TUNNEL', {}, { submit: true }));
  assert.equal(t.status, 201, t.text);
  // deactivated: gone from the tree, refused for new tickets, its tickets stay
  assert.equal((await u.admin.patch('/api/v1/categories/NET.SIGNAL.TUNNEL', { active: false })).status, 200);
  const signal = (await u.agent1.get('/api/v1/categories')).body.find((c) => c.code === 'NET').children.find((c) => c.code === 'NET.SIGNAL');
  assert.ok(!signal.children.some((c) => c.code === 'NET.SIGNAL.TUNNEL'));
  assert.equal((await u.agent1.post('/api/v1/tickets', ticketIn('NET.SIGNAL.TUNNEL', {}))).status, 422);
  assert.equal((await u.agent1.get(`/api/v1/tickets/${t.body.number}`)).status, 200);

  const was = state();
  const g = fieldsOf(await u.admin.patch('/api/v1/categories/NET.SIGNAL.TUNNEL', { code: 'NET.T', parent: 'VAS', sla_hours: 999, fields_schema: [{ name: 'a' }] }));
  assert.deepEqual(Object.keys(g).sort(), ['code', 'fields_schema[0].label', 'parent', 'sla_hours']);
  r = await u.admin.patch('/api/v1/categories/NO.SUCH', { name: '不存在' });
  assert.equal(r.status, 404);
  assert.match(errorOf(r).message, /NO\.SUCH/);
  assert.equal((await u.admin.get('/api/v1/categories/NO.SUCH')).status, 404);
  assert.equal(state(), was);
});

// --- number segments --------------------------------------------------------

const lookup = async (n) => (await u.agent1.get(`/api/v1/regions/lookup?number=${n}`)).body.region;

test('POST /api/v1/segments (text/csv): good rows kept, bad ones reported by line, counted, audited', async () => {
  const csv = ['\ufeffprefix,region', '1370871,KM', '137087,KM', '1370874,XX', '', '# comment', ' 1370691 , XSBN \r', '1370888', '1370877,YX'].join('\n');
  const post = (text) => req(srv.url, 'POST', '/api/v1/segments', { raw: text, headers: { authorization: `Bearer ${u.admin.token}`, 'content-type': 'text/csv; charset=utf-8' } });
  let r = await post(csv);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, {
    added: 3, replaced: 0, unchanged: 0, bad_rows: [
      { line: 3, reason: 'prefix must be the first 7 digits of a mobile number (1xxxxxx)' },
      { line: 4, reason: 'unknown region code' },
      { line: 8, reason: 'expected prefix,region' },
    ],
  });
  assert.equal(await lookup('13708710000'), 'KM');
  assert.equal(await lookup('13706910000'), 'XSBN');
  let a = await lastAudit('segments', 'number_segments');
  assert.deepEqual([a.actor, a.action, a.before], ['admin', 'import', null]);
  assert.deepEqual(a.after, {
    added: 3, replaced: 0, unchanged: 0, bad: 3, truncated: false, changes: [
      { prefix: '1370871', before: null, after: 'KM' }, { prefix: '1370691', before: null, after: 'XSBN' },
      { prefix: '1370877', before: null, after: 'YX' },
    ],
  });
  // again, one region changed: replaced and unchanged are told apart
  r = await post('1370871,KM\n1370691,DL\n');
  assert.deepEqual(r.body, { added: 0, replaced: 1, unchanged: 1, bad_rows: [] });
  assert.equal(await lookup('13706910000'), 'DL');
  a = await lastAudit('segments', 'number_segments');
  assert.deepEqual(a.after.changes, [{ prefix: '1370691', before: 'XSBN', after: 'DL' }]);
  // nothing new: no audit row
  const n = auditCount();
  assert.deepEqual((await post('1370871,KM\n')).body, { added: 0, replaced: 0, unchanged: 1, bad_rows: [] });
  assert.equal(auditCount(), n);
});

test('POST /api/v1/segments (JSON), and imports with no good row: 422 naming each row, nothing changes', async () => {
  let r = await u.admin.post('/api/v1/segments', { rows: [{ prefix: '1360872', region: 'DL' }, { prefix: '1360872x', region: 'DL' }, { prefix: 1360873 }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.added, 1);
  assert.deepEqual(r.body.bad_rows.map((b) => b.row), [1, 2]);
  assert.equal(await lookup('13608720000'), 'DL');
  const was = state();
  let f = fieldsOf(await u.admin.post('/api/v1/segments', { rows: [{ prefix: '1360874', region: 'ZZ' }, { prefix: '2360874', region: 'KM' }] }));
  assert.deepEqual(f, { 'rows[0]': 'unknown region code', 'rows[1]': 'prefix must be the first 7 digits of a mobile number (1xxxxxx)' });
  const csv = (text) => req(srv.url, 'POST', '/api/v1/segments', { raw: text, headers: { authorization: `Bearer ${u.admin.token}`, 'content-type': 'text/csv' } });
  f = fieldsOf(await csv('prefix,region\n1360875,ZZ\nnonsense\n'));
  assert.deepEqual(f, { 'line 2': 'unknown region code', 'line 3': 'expected prefix,region' });
  assert.deepEqual(fieldsOf(await csv('prefix,region\n\n')), { body: 'no rows' });
  assert.deepEqual(fieldsOf(await csv('1360876,KM\n\0\n')), { body: 'holds a NUL byte' });
  assert.deepEqual(fieldsOf(await u.admin.post('/api/v1/segments', {})), { rows: 'required: an array of {"prefix", "region"}' });
  assert.deepEqual(fieldsOf(await u.admin.post('/api/v1/segments', { rows: [], csv: 'x' })), { csv: 'unknown field' });
  assert.deepEqual(fieldsOf(await u.admin.post('/api/v1/segments', { rows: [] })), { rows: 'no rows' });
  const other = await req(srv.url, 'POST', '/api/v1/segments', { raw: '1360877,KM', headers: { authorization: `Bearer ${u.admin.token}`, 'content-type': 'text/plain' } });
  assert.equal(other.status, 415);
  assert.match(errorOf(other).message, /text\/csv/);
  assert.equal(state(), was);
});

// --- users, tokens, phrases in the audit log --------------------------------

const SECRET = 'Zhang-San-密码-2026';

test('users: create, role and department change, disable, password reset, each audited without the password', async () => {
  let r = await u.admin.post('/api/v1/users', { username: 'zhangsan', role: 'agent', display_name: '张三', password: SECRET });
  assert.equal(r.status, 201, r.text);
  const id = r.body.id;
  let a = await lastAudit('user', 'zhangsan');
  assert.deepEqual([a.actor, a.action, a.before], ['admin', 'create', null]);
  assert.deepEqual(a.after, { ...r.body });
  r = await u.admin.patch(`/api/v1/users/${id}`, { role: 'handler', department: 'NET' });
  assert.equal(r.status, 200, r.text);
  a = await lastAudit('user', 'zhangsan');
  assert.equal(a.action, 'update');
  assert.deepEqual(a.before, { role: 'agent', department: 'PCSC', department_name: '省客服中心' });
  assert.deepEqual(a.after, { role: 'handler', department: 'NET', department_name: '网络运维部' });
  await u.admin.patch(`/api/v1/users/${id}`, { disabled: true });
  a = await lastAudit('user', 'zhangsan');
  assert.deepEqual([a.action, a.before, a.after], ['update', { disabled: false }, { disabled: true }]);
  await u.admin.patch(`/api/v1/users/${id}`, { password: SECRET + '-new' });
  a = await lastAudit('user', 'zhangsan');
  assert.deepEqual([a.action, a.before, a.after], ['password_reset', { password: null }, { password: 'reset' }]);
  // a refused change writes nothing
  const n = auditCount();
  assert.equal((await u.admin.patch(`/api/v1/users/${id}`, { role: 'king' })).status, 422);
  assert.equal((await u.admin.patch('/api/v1/users/99999', { display_name: '无人' })).status, 404);
  assert.equal(auditCount(), n);
});

test('tokens: create and revoke audited, never the secret; revoking twice writes one row', async () => {
  const r = await u.admin.post('/api/v1/tokens', { username: 'agent1', name: '夜间导入脚本' });
  assert.equal(r.status, 201, r.text);
  const { id, token } = r.body;
  let a = await lastAudit('token', String(id));
  assert.deepEqual([a.actor, a.action, a.before], ['admin', 'create', null]);
  assert.equal(a.after.name, '夜间导入脚本');
  assert.deepEqual(a.after.user, { id: r.body.user.id, username: 'agent1' });
  assert.ok(!('prefix' in a.after) && !('token' in a.after));
  assert.equal((await u.admin.del(`/api/v1/tokens/${id}`)).status, 204);
  a = await lastAudit('token', String(id));
  assert.equal(a.action, 'revoke');
  assert.deepEqual(a.before, { revoked: false, revoked_at: null });
  assert.equal(a.after.revoked, true);
  const n = auditCount();
  assert.equal((await u.admin.del(`/api/v1/tokens/${id}`)).status, 204);
  assert.equal(auditCount(), n, 'nothing changed the second time');
  const everything = sql(srv.db, 'SELECT before, after FROM admin_audit;');
  assert.ok(!everything.includes(token) && !everything.includes(token.slice(3, 10)), 'no part of the secret');
});

test('phrases: create, update and delete audited', async () => {
  const r = await u.admin.post('/api/v1/phrases', { kind: 'greeting', text: '您好，这里是客服中心。' });
  assert.equal(r.status, 201);
  const id = String(r.body.id);
  let a = await lastAudit('phrase', id);
  assert.deepEqual([a.action, a.before, a.after], ['create', null, r.body]);
  await u.admin.patch(`/api/v1/phrases/${id}`, { text: '您好，很高兴为您服务。', category: 'NET' });
  a = await lastAudit('phrase', id);
  assert.deepEqual([a.action, a.before, a.after], ['update', { text: '您好，这里是客服中心。', category: null }, { text: '您好，很高兴为您服务。', category: 'NET' }]);
  assert.equal((await u.admin.del(`/api/v1/phrases/${id}`)).status, 204);
  a = await lastAudit('phrase', id);
  assert.equal(a.action, 'delete');
  assert.equal(a.after, null);
  assert.equal(a.before.text, '您好，很高兴为您服务。');
  const n = auditCount();
  assert.equal((await u.admin.del(`/api/v1/phrases/${id}`)).status, 404);
  assert.equal((await u.admin.patch(`/api/v1/phrases/${id}`, { text: 'x' })).status, 404);
  assert.equal(auditCount(), n);
});

// --- the log itself -----------------------------------------------------------

test('GET /api/v1/audit: newest first, cursor paging by id, filters, no secrets anywhere', async () => {
  await u.admin.post('/api/v1/departments', { code: 'PG', name: '分页测试部', kind: 'handling' });
  for (let i = 1; i <= 5; i++) assert.equal((await u.admin.patch('/api/v1/departments/PG', { sort: i })).status, 200);
  // every page follows the one before, newest first, and ends with null
  const seen = [];
  let cursor = null;
  for (let pages = 0; pages < 10; pages++) {
    const r = await u.admin.get(`/api/v1/audit?object_kind=department&object=PG&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= 2);
    seen.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  assert.equal(seen.length, 6);
  assert.deepEqual(seen.map((a) => a.after.sort), [5, 4, 3, 2, 1, 0]);
  const ids = seen.map((a) => a.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x));
  // filters
  const all = (await u.admin.get('/api/v1/audit?limit=200')).body.items;
  assert.ok(all.length > 20);
  assert.deepEqual(all.map((a) => a.id), [...all.map((a) => a.id)].sort((x, y) => y - x));
  const users = (await u.admin.get('/api/v1/audit?object_kind=user&limit=200')).body.items;
  assert.deepEqual(users.map((a) => a.id), all.filter((a) => a.object_kind === 'user').map((a) => a.id));
  const byAdmin = (await u.admin.get('/api/v1/audit?actor=admin&limit=200')).body.items;
  assert.deepEqual(byAdmin.map((a) => a.id), all.filter((a) => a.actor === 'admin').map((a) => a.id));
  assert.deepEqual((await u.admin.get('/api/v1/audit?actor=nobody')).body, { items: [], next_cursor: null });
  assert.equal((await u.admin.get('/api/v1/audit?object_kind=&object=&actor=&limit=3')).body.items.length, 3);
  // the plan walks an index for each filter
  for (const where of ["object_kind = 'user' AND object = 'x'", "object_kind = 'user'", "actor = 'admin'"]) {
    const plan = sql(srv.db, `EXPLAIN QUERY PLAN SELECT id FROM admin_audit WHERE ${where} AND id < 99 ORDER BY id DESC LIMIT 3;`);
    assert.match(plan, /USING (COVERING )?INDEX admin_audit_/, plan);
    assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
  }
  // bad queries
  assert.deepEqual(Object.keys(fieldsOf(await u.admin.get('/api/v1/audit?object_kind=ticket'))), ['object_kind']);
  assert.deepEqual(Object.keys(fieldsOf(await u.admin.get('/api/v1/audit?object=PG'))), ['object']);
  assert.equal((await u.admin.get('/api/v1/audit?limit=0')).status, 400);
  assert.equal((await u.admin.get('/api/v1/audit?limit=201')).status, 400);
  assert.equal((await u.admin.get('/api/v1/audit?cursor=abc')).status, 400);
  assert.equal((await u.admin.get('/api/v1/audit?sort=asc')).status, 400);
  // no password, hash or token anywhere in the log
  const text = JSON.stringify(all) + sql(srv.db, 'SELECT * FROM admin_audit;');
  assert.doesNotMatch(text, /scrypt\$|password_hash|token_hash|gd_[A-Za-z0-9_-]{20}/);
  assert.ok(!text.includes(SECRET));
  for (const hash of sql(srv.db, 'SELECT password_hash FROM users WHERE password_hash IS NOT NULL;').split('\n'))
    assert.ok(!text.includes(hash.split('$').pop()));
  // append-only
  assert.match(sqlite(srv.db, 'DELETE FROM admin_audit;').stderr, /append-only/);
  assert.match(sqlite(srv.db, "UPDATE admin_audit SET actor = 'x';").stderr, /append-only/);
});

test('the command line records its imports as (cli)', async () => {
  const file = join(srv.dir, 'seg.csv');
  writeFileSync(file, 'prefix,region\n1350871,KM\n');
  const r = cli(['segments', 'import', file, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 1 segment\(s\) \(1 added, 0 replaced, 0 unchanged\); 0 bad row/);
  const a = (await u.admin.get('/api/v1/audit?actor=(cli)&limit=1')).body.items[0];
  assert.deepEqual([a.actor, a.actor_id, a.action, a.after.added], ['(cli)', null, 'import', 1]);
});
