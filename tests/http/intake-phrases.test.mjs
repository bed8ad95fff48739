// intake-phrases.test.mjs - standard phrases (常用语, SPEC §4): the seed set,
// filtering by category (its ancestors' and untied phrases included) and by
// state, and editing, which only admins may do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, errorOf } from './lib.mjs';
import { clients, invalid, stopClean } from './intake-lib.mjs';

let srv, u, seed;
before(async () => {
  srv = await startServer();
  u = clients(srv);
  seed = (await u.agent1.get('/api/v1/phrases')).body.items;
});
after(async () => { await stopClean(srv); });

const ids = (items) => items.map((p) => p.id);
const KINDS = ['greeting', 'hold', 'apology', 'closing', 'follow_up', 'resolution', 'summary'];

test('GET /api/v1/phrases: the seed set, in the centre\'s style, for every signed-in role', async () => {
  assert.ok(seed.length >= 10, `${seed.length} phrases`);
  for (const p of seed) {
    assert.ok(Number.isInteger(p.id));
    assert.ok(KINDS.includes(p.kind), p.kind);
    assert.ok(typeof p.text === 'string' && p.text.length > 0);
    assert.ok(p.category === null || typeof p.category === 'string');
    assert.ok(p.state === null || typeof p.state === 'string');
  }
  for (const kind of ['greeting', 'hold', 'apology', 'closing', 'follow_up']) assert.ok(seed.some((p) => p.kind === kind), kind);
  assert.ok(seed.some((p) => p.text.includes('很高兴为您服务')), 'the deck\'s greeting');
  assert.ok(seed.some((p) => p.text.includes('我非常理解您的心情')), 'the deck\'s empathy line');
  for (const who of ['dispatcher1', 'handler_net1', 'supervisor1', 'admin'])
    assert.deepEqual(ids((await u[who].get('/api/v1/phrases')).body.items), ids(seed), who);
  assert.equal((await fetch(`${srv.url}/api/v1/phrases`)).status, 401);
});

test('?category=NET.SIGNAL: phrases tied to NET, to the leaf, and untied ones; none of BILL\'s', async () => {
  const r = await u.agent1.get('/api/v1/phrases?category=NET.SIGNAL');
  assert.equal(r.status, 200);
  const got = r.body.items;
  assert.deepEqual(ids(got), ids(seed.filter((p) => p.category === null || p.category === 'NET' || p.category === 'NET.SIGNAL')));
  assert.ok(got.some((p) => p.category === 'NET'), 'the parent\'s phrases');
  assert.ok(got.some((p) => p.category === null), 'untied phrases');
  assert.ok(!got.some((p) => p.category === 'BILL' || p.category === 'VAS'));
  // the parent code itself, and a category of another branch
  assert.deepEqual(ids((await u.agent1.get('/api/v1/phrases?category=NET')).body.items), ids(got.filter((p) => p.category !== 'NET.SIGNAL')));
  const bill = (await u.agent1.get('/api/v1/phrases?category=BILL.DISPUTE')).body.items;
  assert.ok(bill.some((p) => p.category === 'BILL') && !bill.some((p) => p.category === 'NET'));
  const deep = (await u.agent1.get('/api/v1/phrases?category=VAS.DL.BREW.FORCED')).body.items;
  assert.deepEqual(ids(deep), ids(seed.filter((p) => p.category === null || p.category === 'VAS')), 'a level-4 leaf inherits from level 1');
});

test('?state= and both filters together', async () => {
  for (const state of ['in_progress', 'replied', 'closed', 'draft']) {
    const r = await u.agent1.get(`/api/v1/phrases?state=${state}`);
    assert.equal(r.status, 200);
    assert.deepEqual(ids(r.body.items), ids(seed.filter((p) => p.state === null || p.state === state)), state);
  }
  assert.ok((await u.agent1.get('/api/v1/phrases?state=in_progress')).body.items.some((p) => p.kind === 'resolution'));
  assert.ok(!(await u.agent1.get('/api/v1/phrases?state=draft')).body.items.some((p) => p.state !== null));
  const both = (await u.handler_net1.get('/api/v1/phrases?category=NET.DROP&state=in_progress')).body.items;
  assert.deepEqual(ids(both), ids(seed.filter((p) => (p.state === null || p.state === 'in_progress') &&
    (p.category === null || p.category === 'NET'))));
  assert.ok(both.some((p) => p.kind === 'resolution' && p.category === 'NET'));
});

test('bad filters: unknown category or state → 422, unknown parameter → 400', async () => {
  invalid(await u.agent1.get('/api/v1/phrases?category=NOPE'), ['category']);
  invalid(await u.agent1.get('/api/v1/phrases?state=pending'), ['state']);
  const r = await u.agent1.get('/api/v1/phrases?kind=greeting');
  assert.equal(r.status, 400);
  assert.equal(errorOf(r).code, 'bad_request');
});

test('admins create, edit and delete phrases: 201 / 200 / 204', async () => {
  let r = await u.admin.post('/api/v1/phrases', { kind: 'apology', text: '给您添麻烦了，我们会尽快为您处理。', category: 'NET', sort: 50 });
  assert.equal(r.status, 201, r.text);
  const p = r.body;
  assert.deepEqual({ ...p, id: 0 }, { id: 0, kind: 'apology', text: '给您添麻烦了，我们会尽快为您处理。', category: 'NET', state: null, sort: 50 });
  assert.ok(ids((await u.agent1.get('/api/v1/phrases?category=NET.SIGNAL')).body.items).includes(p.id));
  assert.ok(!ids((await u.agent1.get('/api/v1/phrases?category=BILL.DISPUTE')).body.items).includes(p.id));

  r = await u.admin.patch(`/api/v1/phrases/${p.id}`, { text: '非常抱歉给您带来不便。', state: 'pending_dispatch' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.text, '非常抱歉给您带来不便。');
  assert.equal(r.body.state, 'pending_dispatch');
  assert.equal(r.body.category, 'NET', 'members not sent stay');
  r = await u.admin.patch(`/api/v1/phrases/${p.id}`, { category: null, state: null });
  assert.equal(r.body.category, null);
  assert.equal(r.body.state, null);
  const listed = (await u.agent1.get('/api/v1/phrases')).body.items.find((x) => x.id === p.id);
  assert.equal(listed.text, '非常抱歉给您带来不便。');

  r = await u.admin.del(`/api/v1/phrases/${p.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.ok(!ids((await u.agent1.get('/api/v1/phrases')).body.items).includes(p.id));
  assert.equal((await u.admin.del(`/api/v1/phrases/${p.id}`)).status, 404);
  assert.equal((await u.admin.patch(`/api/v1/phrases/${p.id}`, { text: 'x' })).status, 404);
  for (const bad of ['abc', '0', '-1', '1.5'])
    assert.equal((await u.admin.patch(`/api/v1/phrases/${bad}`, { text: 'x' })).status, 404, bad);
});

test('everyone else gets 403 and changes nothing', async () => {
  const target = seed[0];
  for (const who of ['agent1', 'dispatcher1', 'supervisor1', 'handler_net1']) {
    let r = await u[who].post('/api/v1/phrases', { kind: 'greeting', text: '你好' });
    assert.equal(r.status, 403, who);
    assert.equal(errorOf(r).code, 'forbidden');
    assert.equal((await u[who].patch(`/api/v1/phrases/${target.id}`, { text: '改' })).status, 403, who);
    assert.equal((await u[who].del(`/api/v1/phrases/${target.id}`)).status, 403, who);
  }
  const now = (await u.agent1.get('/api/v1/phrases')).body.items;
  assert.deepEqual(now.find((p) => p.id === target.id), target);
  assert.equal(now.length, seed.length);
});

test('invalid phrases: 422 naming every bad field', async () => {
  let f = invalid(await u.admin.post('/api/v1/phrases', { kind: 'joke', text: '' }), ['kind', 'text']);
  assert.match(f.kind, /greeting/);
  invalid(await u.admin.post('/api/v1/phrases', {}), ['kind', 'text']);
  invalid(await u.admin.post('/api/v1/phrases', { kind: 'hold', text: '请稍等', category: 'NOPE', state: 'nowhere', sort: 'first', colour: 1 }),
    ['category', 'state', 'sort', 'colour']);
  invalid(await u.admin.post('/api/v1/phrases', { kind: 'hold', text: '等'.repeat(501) }), ['text']);
  assert.equal((await u.admin.post('/api/v1/phrases', { kind: 'hold', text: '等'.repeat(500) })).status, 201);
  invalid(await u.admin.patch(`/api/v1/phrases/${seed[0].id}`, { kind: 7, state: 'nowhere' }), ['kind', 'state']);
  invalid(await u.admin.post('/api/v1/phrases', { kind: 'greeting', text: 42 }), ['text']);
  const after_ = (await u.agent1.get('/api/v1/phrases')).body.items;
  assert.deepEqual(after_.find((p) => p.id === seed[0].id), seed[0]);
  assert.equal(after_.length, seed.length + 1);
});
