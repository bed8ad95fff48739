// edges.test.mjs - the small wrongs of issue 10: a PATCH that changes nothing
// writes nothing, the epoch is a bound like any other time, the repeat
// count stops at 100, numbers in paths, queries and If-Match have one
// spelling, a workflow table row the engine cannot take stops the server
// at start-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopClean, clients, netTicket, errorOf, sql, cli, ROOT } from './lib.mjs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

let srv, u;
before(async () => {
  srv = await startServer();
  u = clients(srv, ['agent1', 'agent2', 'admin']);
});
after(async () => { await stopClean(srv); });

test('a PATCH that changes nothing: same version, no history row, another editor\'s If-Match still good', async () => {
  const t = (await u.agent1.post('/api/v1/tickets', netTicket({ customer_name: '一位女士' }))).body;
  const rows = async () => (await u.agent1.get(`/api/v1/tickets/${t.number}/history`)).body.items.length;
  const before_ = await rows();
  for (const body of [{}, { subject: t.subject }, { customer_name: '一位女士', fields: t.fields, priority: 'normal' }]) {
    const r = await u.agent1.patch(`/api/v1/tickets/${t.number}`, body, { 'if-match': `"${t.version}"` });
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.equal(r.body.version, t.version, JSON.stringify(body));
    assert.equal(r.headers.get('etag'), `"${t.version}"`);
  }
  assert.equal(await rows(), before_, 'no edit rows');
  // a real change still bumps the version and writes its row
  const changed = await u.agent1.patch(`/api/v1/tickets/${t.number}`, { subject: '改了' }, { 'if-match': `"${t.version}"` });
  assert.equal(changed.body.version, t.version + 1);
  assert.equal(await rows(), before_ + 1);
});

test('the epoch is a bound: to=1970-01-01T00:00:00Z lists nothing, from= the epoch lists everything', async () => {
  await u.agent1.post('/api/v1/tickets', netTicket());
  const all = (await u.agent1.get('/api/v1/tickets')).body.items.length;
  assert.ok(all > 0);
  assert.equal((await u.agent1.get('/api/v1/tickets?to=1970-01-01T00:00:00Z')).body.items.length, 0);
  assert.equal((await u.agent1.get('/api/v1/tickets?from=1970-01-01T00:00:00Z')).body.items.length, all);
});

test('the repeat count is bounded work: it stops at 100', async () => {
  const number = '13911112222';
  let last;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = 0; i < 14; i++) {
      const r = await u.agent2.post('/api/v1/tickets', netTicket({ fault_number: number }));
      assert.equal(r.status, 201);
    }
  }));
  last = await u.agent2.post('/api/v1/tickets', netTicket({ fault_number: number }));
  assert.equal(last.body.repeat_count, 100); // 112 earlier ones in the window, counted up to 100
});

test('numbers in paths, queries and If-Match have one spelling: no "+5", no " 5", no "05"', async () => {
  for (const p of ['/api/v1/users/+1', '/api/v1/users/01', '/api/v1/users/1x', '/api/v1/tokens/+1',
    '/api/v1/phrases/+1', '/api/v1/users/-1', '/api/v1/users/99999999999999999999']) {
    const r = p.includes('phrases') ? await u.admin.patch(p, { sort: 1 }) : await u.admin.get(p);
    assert.equal(r.status, 404, p);
    assert.equal(errorOf(r).code, 'not_found', p);
  }
  assert.equal((await u.admin.get('/api/v1/users/1')).status, 200);
  for (const q of ['limit=+5', 'limit=05', 'limit=%205', 'limit=5.0', 'cursor=-1']) {
    const r = await u.agent1.get(`/api/v1/tickets?${q}`);
    assert.equal(r.status, 400, q);
  }
  const t = (await u.agent1.post('/api/v1/tickets', netTicket())).body;
  for (const m of ['"+1"', '" 1"', '"01"', '1"', '"1']) {
    const r = await u.agent1.patch(`/api/v1/tickets/${t.number}`, { subject: 'x' }, { 'if-match': m });
    assert.equal(r.status, 400, m);
  }
  assert.equal((await u.agent1.patch(`/api/v1/tickets/${t.number}`, { subject: 'x' }, { 'if-match': `W/"${t.version}"` })).status, 200);
});

test('a workflow row the engine cannot take stops the server at start-up, naming it', async () => {
  const s = await startServer({ keep: true });
  await s.stop();
  sql(s.db, "INSERT INTO wf_transitions (action, from_state, to_state, role, scope) VALUES ('comment', 'draft', NULL, 'janitor', 'any');");
  const r = spawnSync(process.env.GONGDAN_BIN || join(ROOT, 'build', 'gongdan'),
    ['serve', '--db', s.db, '--listen', '127.0.0.1:0', '--www', join(ROOT, 'www')], { encoding: 'utf8', timeout: 10000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /wf_transitions: names an unknown role \(comment janitor\)/);
  assert.match(r.stderr, /cannot load the workflow tables/);
  assert.equal(cli(['audit', 'verify', '--db', s.db]).status, 0); // the database itself is fine
});
