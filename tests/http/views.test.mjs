// views.test.mjs - saved views (issue 13): a user names the filters of a
// list and finds them again; each view is its owner's alone; what is not a
// list's query is refused with the field named, and nothing is saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, errorOf } from './lib.mjs';
import { clients, stopClean } from './intake-lib.mjs';

let srv, u;
before(async () => {
  srv = await startServer();
  u = clients(srv);
});
after(async () => { await stopClean(srv); });

const names = async (who) => (await u[who].get('/api/v1/views')).body.items.map((v) => v.name);

test('save, list (in the order saved), use and delete a view', async () => {
  assert.deepEqual((await u.dispatcher1.get('/api/v1/views')).body, { items: [] });
  const query = `state=pending_dispatch&region=KM&sort=deadline&q=${encodeURIComponent('停机 扣费')}`;
  const a = await u.dispatcher1.post('/api/v1/views', { name: '昆明待派单', query });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.headers.get('location'), `/api/v1/views/${a.body.id}`);
  assert.equal(a.body.name, '昆明待派单');
  assert.equal(a.body.query, query);
  assert.match(a.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const b = await u.dispatcher1.post('/api/v1/views', { name: '已超时', query: 'overdue=true&sort=deadline' });
  assert.equal(b.status, 201, b.text);
  assert.deepEqual(await names('dispatcher1'), ['昆明待派单', '已超时']);
  // the saved query is a list's query as it stands (sort=deadline cannot take q: the list says so)
  assert.equal((await u.dispatcher1.get(`/api/v1/tickets?${b.body.query}`)).status, 200);
  const d = await u.dispatcher1.del(`/api/v1/views/${a.body.id}`);
  assert.equal(d.status, 204);
  assert.deepEqual(await names('dispatcher1'), ['已超时']);
  const again = await u.dispatcher1.del(`/api/v1/views/${a.body.id}`);
  assert.equal(again.status, 404);
  assert.match(errorOf(again).message, /no view/);
});

test("a view is its owner's: others neither list nor delete it", async () => {
  const v = await u.agent1.post('/api/v1/views', { name: '我的草稿', query: 'state=draft&created_by=me' });
  assert.equal(v.status, 201, v.text);
  assert.deepEqual(await names('agent2'), []);
  assert.equal((await u.agent2.del(`/api/v1/views/${v.body.id}`)).status, 404);
  assert.deepEqual(await names('agent1'), ['我的草稿']);
  // two users may use the same name
  assert.equal((await u.agent2.post('/api/v1/views', { name: '我的草稿', query: 'state=draft' })).status, 201);
  assert.equal((await fetch(`${srv.url}/api/v1/views`)).status, 401);
});

test('bad views are refused with the field named, and nothing is saved', async () => {
  const before = await names('supervisor1');
  const bad = async (body, field, status = 422) => {
    const r = await u.supervisor1.post('/api/v1/views', body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    if (field) assert.ok(errorOf(r).fields[field], `${JSON.stringify(body)} names ${field}: ${r.text}`);
  };
  await bad({ query: 'state=closed' }, 'name');
  await bad({ name: '', query: 'state=closed' }, 'name');
  await bad({ name: '名'.repeat(41), query: 'state=closed' }, 'name');
  await bad({ name: ' 前后有空格 ', query: 'state=closed' }, 'name');
  await bad({ name: 7, query: 'state=closed' }, 'name');
  await bad({ name: 'x' }, 'query');
  await bad({ name: 'x', query: '' }, 'query');
  await bad({ name: 'x', query: 'state=closed&limit=10' }, 'query');
  await bad({ name: 'x', query: 'cursor=5' }, 'query');
  await bad({ name: 'x', query: 'colour=red' }, 'query');
  await bad({ name: 'x', query: 'state=closed&state=draft' }, 'query');
  await bad({ name: 'x', query: 'state' }, 'query');
  await bad({ name: 'x', query: 'state=' }, 'query');
  await bad({ name: 'x', query: 'q=%E5%81' }, 'query'); // not UTF-8
  await bad({ name: 'x', query: 'q=%zz' }, 'query');
  await bad({ name: 'x', query: 'q=%4' }, 'query');
  await bad({ name: 'x', query: 'state=closed&' }, 'query');
  await bad({ name: 'x', query: `q=${'a'.repeat(1000)}` }, 'query');
  await bad({ name: 'x', query: 'state=closed', colour: 'red' }, 'colour');
  assert.deepEqual(await names('supervisor1'), before);
  // the same name twice: 409, the first one stays
  assert.equal((await u.supervisor1.post('/api/v1/views', { name: '本周', query: 'from=2026-11-30' })).status, 201);
  const dup = await u.supervisor1.post('/api/v1/views', { name: '本周', query: 'from=2026-11-23' });
  assert.equal(dup.status, 409, dup.text);
  assert.equal((await u.supervisor1.get('/api/v1/views')).body.items.find((v) => v.name === '本周').query, 'from=2026-11-30');
  assert.equal((await u.supervisor1.del('/api/v1/views/abc')).status, 404);
});

test('at most 50 views per user', async () => {
  for (let i = 0; i < 50; i++)
    assert.equal((await u.handler_net2.post('/api/v1/views', { name: `视图${i}`, query: `region=KM&state=closed` })).status, 201);
  const r = await u.handler_net2.post('/api/v1/views', { name: '第51个', query: 'state=closed' });
  assert.equal(r.status, 422, r.text);
  assert.ok(errorOf(r).fields.name);
  assert.equal((await names('handler_net2')).length, 50);
});
