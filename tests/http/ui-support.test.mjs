// ui-support.test.mjs - what the browser UI needs from the server (issue 8):
// the combined reference endpoint, ETag/304 on every reference endpoint, the
// workflow's labels and English names, and the SPA fallback that lets the
// UI's own URLs (/tickets/TS…, /intake?number=…) be reloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, req, errorOf, clients, stopClean } from './lib.mjs';
import { scratchWithCallback } from './ui-lib.mjs';

const REFERENCE = ['/api/v1/reference', '/api/v1/categories', '/api/v1/departments', '/api/v1/regions',
  '/api/v1/workflow', '/api/v1/phrases', '/api/v1/phrases?category=NET.SIGNAL&state=draft'];

test('GET /api/v1/reference holds every piece of reference data, equal to the single endpoints', async () => {
  const srv = await startServer();
  try {
    const { agent1 } = clients(srv, ['agent1']);
    const r = await agent1.get('/api/v1/reference');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body).sort(),
      ['categories', 'departments', 'phrases', 'regions', 'settings', 'ticket_limits', 'workflow']);
    assert.deepEqual(r.body.categories, (await agent1.get('/api/v1/categories')).body);
    assert.deepEqual(r.body.departments, (await agent1.get('/api/v1/departments')).body);
    assert.deepEqual(r.body.regions, (await agent1.get('/api/v1/regions')).body);
    assert.deepEqual(r.body.workflow, (await agent1.get('/api/v1/workflow')).body);
    assert.deepEqual(r.body.phrases, (await agent1.get('/api/v1/phrases')).body.items);
    assert.deepEqual(r.body.ticket_limits, { subject: 100, description: 4000, customer_name: 50, repeat_days: 30 });
    // anonymous: 401 in the SPEC shape; a query parameter is a typo: 400
    const anon = await req(srv.url, 'GET', '/api/v1/reference');
    assert.equal(anon.status, 401);
    errorOf(anon);
    const typo = await agent1.get('/api/v1/reference?lang=en');
    assert.equal(typo.status, 400);
    assert.match(errorOf(typo).message, /lang/);
  } finally {
    await stopClean(srv);
  }
});

test('reference endpoints answer a content-hash ETag, private no-cache, and 304 on If-None-Match', async () => {
  const srv = await startServer();
  try {
    const { agent1, admin } = clients(srv, ['agent1', 'admin']);
    for (const path of REFERENCE) {
      const r = await agent1.get(path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      const etag = r.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}"$/, path);
      assert.equal(r.headers.get('cache-control'), 'private, no-cache', path);
      // the same data, the same tag, for another user too
      assert.equal((await admin.get(path)).headers.get('etag'), etag, path);
      const again = await agent1.get(path, undefined, { 'if-none-match': etag });
      assert.equal(again.status, 304, path);
      assert.equal(again.text, '', path);
      assert.equal(again.headers.get('etag'), etag, path);
      assert.equal(again.headers.get('cache-control'), 'private, no-cache', path);
      const other = await agent1.get(path, undefined, { 'if-none-match': '"0000"' });
      assert.equal(other.status, 200, path);
      assert.deepEqual(other.body, r.body, path);
    }
    // a change to the data changes the tag: an admin adds a phrase
    const before = (await agent1.get('/api/v1/reference')).headers.get('etag');
    const p = await admin.post('/api/v1/phrases', { kind: 'hold', text: '请稍候，正在为您核实。' });
    assert.equal(p.status, 201, p.text);
    const after = await agent1.get('/api/v1/reference', undefined, { 'if-none-match': before });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), before);
    assert.ok(after.body.phrases.some((x) => x.text === '请稍候，正在为您核实。'));
    // other JSON stays no-store, errors too
    assert.equal((await agent1.get('/api/v1/me')).headers.get('cache-control'), 'no-store');
    assert.equal((await agent1.get('/api/v1/tickets')).headers.get('cache-control'), 'no-store');
    assert.equal((await agent1.get('/api/v1/phrases?state=nope')).headers.get('cache-control'), 'no-store');
  } finally {
    await stopClean(srv);
  }
});

test('the workflow carries input labels and English names for states, actions and inputs', async () => {
  const srv = await startServer();
  try {
    const { agent1 } = clients(srv, ['agent1']);
    const wf = (await agent1.get('/api/v1/workflow')).body;
    const state = Object.fromEntries(wf.states.map((s) => [s.code, s]));
    assert.deepEqual(state.in_progress, { code: 'in_progress', name: '处理中', name_en: 'In progress', open: true });
    assert.equal(state.closed.name_en, 'Closed');
    const action = Object.fromEntries(wf.actions.map((a) => [a.code, a]));
    assert.equal(action.resolve.name_en, 'Resolve at intake');
    assert.deepEqual(action.close.inputs, [
      { name: 'summary', label: '归档小结', label_en: 'Summary', kind: 'text', required: true, max: 2000 },
      { name: 'satisfaction', label: '满意度', label_en: 'Satisfaction', kind: 'satisfaction', required: false },
    ]);
    const labels = {};
    for (const a of wf.actions) for (const i of a.inputs) labels[i.name] = i.label;
    assert.deepEqual(labels, { department: '处理部门', resolution: '处理结果', summary: '归档小结', satisfaction: '满意度', comment: '备注' });
    for (const a of wf.actions) assert.ok(a.name_en && a.name_en !== a.name, `${a.code} has an English name`);
  } finally {
    await stopClean(srv);
  }
});

test('an action added to the table brings its own labels to the workflow answer', async () => {
  const srv = await startServer({ dir: scratchWithCallback() });
  try {
    const { agent1 } = clients(srv, ['agent1']);
    const cb = (await agent1.get('/api/v1/reference')).body.workflow.actions.find((a) => a.code === 'callback');
    assert.deepEqual(cb, { code: 'callback', name: '回访', name_en: 'Call back', inputs: [
      { name: 'comment', label: '回访记录', label_en: 'Call notes', kind: 'text', required: true, max: 300 },
      { name: 'satisfaction', label: '回访满意度', label_en: 'Satisfaction on the call', kind: 'satisfaction', required: false }] });
  } finally {
    await stopClean(srv);
  }
});

test('the UI\'s own URLs load index.html; files, the API and hidden paths keep their answers', async () => {
  const srv = await startServer();
  try {
    const index = await req(srv.url, 'GET', '/index.html');
    assert.equal(index.status, 200);
    for (const path of ['/', '/login', '/intake', '/intake?number=13812345678', '/tickets', '/tickets/TS20261129000042',
      '/drafts', '/no/such/page', '/%E5%B7%A5%E5%8D%95']) {
      const r = await req(srv.url, 'GET', path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), /^text\/html/, path);
      assert.equal(r.text, index.text, path);
      assert.ok(r.headers.get('content-security-policy'), path);
    }
    // HEAD too
    assert.equal((await req(srv.url, 'HEAD', '/tickets/TS1')).status, 200);
    // a missing file (it has an extension) is a 404, not the page
    for (const path of ['/missing.js', '/js/none.css', '/tickets/TS1.json']) {
      const r = await req(srv.url, 'GET', path);
      assert.equal(r.status, 404, path);
      errorOf(r);
    }
    // the API never falls back to the page
    for (const path of ['/api', '/api/', '/api/v1', '/api/v1/nothing', '/api/v2/tickets']) {
      const r = await req(srv.url, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.match(r.headers.get('content-type'), /^application\/json/, path);
    }
    // hidden and escaping paths stay 404
    // (.. and encoded dots, which fetch resolves before sending, are sent raw
    // by foundation.test.mjs, with this fallback in place)
    for (const path of ['/.git/config', '/.hidden', '/js/.secret']) {
      const r = await req(srv.url, 'GET', path);
      assert.equal(r.status, 404, path);
    }
    // writes to a page path are not pages
    assert.equal((await req(srv.url, 'POST', '/tickets/TS1', { body: {} })).status, 404);
  } finally {
    await stopClean(srv);
  }
});

test('GET /api/v1/session says who is logged in, or {"user": null}, never 401', async () => {
  const srv = await startServer();
  try {
    let r = await req(srv.url, 'GET', '/api/v1/session');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { user: null });
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const login = await req(srv.url, 'POST', '/api/v1/session', { body: { username: 'agent1', password: 'demo-agent1' } });
    assert.equal(login.status, 200, login.text);
    const cookie = login.headers.get('set-cookie').split(';')[0];
    r = await req(srv.url, 'GET', '/api/v1/session', { headers: { cookie } });
    assert.equal(r.status, 200);
    assert.equal(r.body.user.username, 'agent1');
    assert.equal(r.body.auth, 'session');
    assert.equal(r.body.csrf_token, login.body.csrf_token);
    assert.deepEqual(r.body, (await req(srv.url, 'GET', '/api/v1/me', { headers: { cookie } })).body);
    // a bearer token: the user, no CSRF token
    const { agent2 } = clients(srv, ['agent2']);
    r = await agent2.get('/api/v1/session');
    assert.equal(r.body.user.username, 'agent2');
    assert.equal(r.body.auth, 'token');
    assert.equal(r.body.csrf_token, undefined);
    // after logout the old cookie is nobody
    const out = await req(srv.url, 'DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': login.body.csrf_token } });
    assert.equal(out.status, 204);
    r = await req(srv.url, 'GET', '/api/v1/session', { headers: { cookie } });
    assert.deepEqual([r.status, r.body], [200, { user: null }]);
    assert.equal((await req(srv.url, 'GET', '/api/v1/me', { headers: { cookie } })).status, 401);
    assert.equal((await req(srv.url, 'GET', '/api/v1/session?x=1')).status, 400);
  } finally {
    await stopClean(srv);
  }
});

test('the CSP forbids inline script and style, eval, and HTML sinks (Trusted Types, no policy)', async () => {
  const srv = await startServer();
  try {
    for (const path of ['/', '/tickets/TS1', '/api/v1/session', '/js/app.js']) {
      const csp = (await req(srv.url, 'GET', path)).headers.get('content-security-policy');
      assert.match(csp, /script-src 'self';/, path);
      assert.match(csp, /style-src 'self';/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /require-trusted-types-for 'script'; trusted-types 'none'/, path);
    }
  } finally {
    await stopClean(srv);
  }
});
