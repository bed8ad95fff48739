// openapi.test.mjs - GET /api/v1/openapi.json (issue 12): the document is
// valid OpenAPI 3.1 (@seriousme/openapi-schema-validator, pinned in
// tests/package.json) with every $ref resolving; it matches the server's
// route table both ways (`gongdan routes`: every route documented, every
// documented route exists, the methods match); each documented operation
// reaches its route on the live server (counted under its pattern in
// /metrics); and real answers validate against the documented schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { startServer, clients, netTicket, req, cli, stopClean } from './lib.mjs';
import { freshFault, inputsFor } from './workflow-lib.mjs';

let srv, u, doc;
before(async () => {
  srv = await startServer();
  u = clients(srv, ['admin', 'agent1', 'dispatcher1']);
  const r = await req(srv.url, 'GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  doc = r.body;
});
after(async () => { await stopClean(srv); });

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// The route table as the binary has it: pattern -> method -> its checks
// (a pattern has one line per set of methods).
function routeTable() {
  const r = cli(['routes']);
  assert.equal(r.status, 0, r.stderr);
  const table = new Map();
  for (const line of r.stdout.trim().split('\n')) {
    const [methods, pattern, flags] = line.split('\t');
    const m = new Set(methods.split(', ').map((x) => x.toLowerCase()));
    if (m.has('get')) m.delete('head'); // every GET route answers HEAD too
    if (!table.has(pattern)) table.set(pattern, new Map());
    for (const x of m) {
      assert.ok(!table.get(pattern).has(x), `${x} ${pattern} twice in the table`);
      table.get(pattern).set(x, flags.split(','));
    }
  }
  return table;
}

function resolve(ref) {
  assert.match(ref, /^#\//, `only local references: ${ref}`);
  let node = doc;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    assert.ok(node !== undefined, `unresolved ${ref}`);
  }
  return node;
}
const deref = (x) => (x && x.$ref ? deref(resolve(x.$ref)) : x);

test('the document is served as JSON and is valid OpenAPI 3.1', async () => {
  const r = await req(srv.url, 'GET', '/api/v1/openapi.json');
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.match(doc.openapi, /^3\.1\./);
  const v = new Validator();
  const res = await v.validate(doc);
  assert.equal(v.version, '3.1');
  assert.deepEqual(res, { valid: true });
  // every $ref anywhere resolves inside the document
  let refs = 0;
  (function walk(x) {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    if (typeof x.$ref === 'string') { resolve(x.$ref); refs++; }
    Object.values(x).forEach(walk);
  })(doc);
  assert.ok(refs > 50);
  // public, and no query parameters are taken
  assert.equal((await req(srv.url, 'GET', '/api/v1/openapi.json?x=1')).status, 400);
  // an unknown member of it is a validation error the validator does see
  const broken = structuredClone(doc);
  broken.paths['/healthz'].get.responses = 'none';
  assert.equal((await new Validator().validate(broken)).valid, false);
});

test('every route is documented, every documented route exists, and the methods match', () => {
  const table = routeTable();
  const documented = new Map(Object.entries(doc.paths).map(([p, item]) =>
    [p, Object.keys(item).filter((k) => METHODS.includes(k)).sort()]));
  for (const [pattern, methods] of table) {
    assert.ok(documented.has(pattern), `route ${pattern} is not documented`);
    assert.deepEqual(documented.get(pattern), [...methods.keys()].sort(), `methods of ${pattern}`);
  }
  for (const p of documented.keys()) assert.ok(table.has(p), `documented ${p} is no route`);
  assert.equal(documented.size, table.size);
  assert.ok(table.size >= 20);
});

test('each operation: its path parameters, its security, a success and the error shape', () => {
  const table = routeTable();
  const ids = new Set();
  for (const [path, item] of Object.entries(doc.paths)) {
    const captures = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
      const o = item[method];
      const where = `${method.toUpperCase()} ${path}`;
      const flags = table.get(path).get(method);
      assert.ok(o.operationId && !ids.has(o.operationId), `${where}: a unique operationId`);
      ids.add(o.operationId);
      assert.ok(o.summary, `${where}: a summary`);
      const params = (o.parameters || []).map(deref);
      assert.deepEqual(params.filter((p) => p.in === 'path').map((p) => p.name).sort(), [...captures].sort(), `${where}: path parameters`);
      const codes = Object.keys(o.responses);
      assert.ok(codes.some((c) => /^2/.test(c)), `${where}: a success`);
      for (const c of codes.filter((c) => /^[45]/.test(c))) {
        const schema = deref(deref(o.responses[c]).content['application/json'].schema);
        assert.equal(schema, doc.components.schemas.Error, `${where} ${c}: the error shape`);
      }
      assert.ok(codes.includes('500'), `${where}: 500`);
      // the security matches the route's checks
      const isPublic = !flags.includes('auth') && !flags.includes('admin');
      const sec = o.security ?? doc.security;
      if (isPublic) assert.deepEqual(o.security, [], `${where}: public`);
      else {
        assert.ok(sec.length > 0, `${where}: authenticated`);
        assert.ok(codes.includes('401'), `${where}: 401`);
      }
      if (flags.includes('admin')) assert.ok(codes.includes('403') && /admin/i.test(o.description), `${where}: admin only`);
      if (flags.includes('idempotent'))
        assert.ok(params.some((p) => p.name === 'Idempotency-Key'), `${where}: Idempotency-Key`);
      else assert.ok(!params.some((p) => p.name === 'Idempotency-Key'), `${where}: no Idempotency-Key`);
      if (o.requestBody) assert.ok(codes.includes('415') && codes.includes('422'), `${where}: body errors`);
      if (flags.includes('revalidate')) assert.ok(codes.includes('304'), `${where}: 304`);
    }
  }
});

test('every documented operation reaches its route on the live server', async () => {
  const before = (await req(srv.url, 'GET', '/metrics')).text;
  const probes = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
      // a path made from the parameters' examples; the body may be invalid:
      // only the route matters here
      const o = item[method];
      const params = (o.parameters || []).map(deref);
      // (ids that exist nowhere: a probe must not revoke the test's tokens)
      const concrete = path.replace(/\{([^}]+)\}/g, (_, n) => {
        const p = params.find((x) => x.name === n);
        return p.schema.type === 'integer' ? '999999' : encodeURIComponent(String(p.example));
      });
      const r = await u.admin[method === 'delete' ? 'del' : method](concrete, ['post', 'patch'].includes(method) ? {} : undefined);
      assert.notEqual(r.status, 405, `${method} ${concrete}`);
      probes.push([path, method.toUpperCase()]);
    }
  }
  const after = (await req(srv.url, 'GET', '/metrics')).text;
  const count = (text, route, method) => [...text.matchAll(/^gongdan_http_requests_total\{route="([^"]+)",method="([^"]+)",status="[^"]+"\} (\d+)$/gm)]
    .filter((m) => m[1] === route && m[2] === method).reduce((n, m) => n + Number(m[3]), 0);
  for (const [route, method] of probes)
    assert.ok(count(after, route, method) > count(before, route, method), `${method} ${route} was served by that route`);
});

test('real answers validate against the documented response schemas', async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const fix = (s) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"doc#/components/'));
  const check = (path, method, r) => {
    const resp = deref(doc.paths[path][method].responses[String(r.status)]);
    assert.ok(resp, `${method} ${path}: status ${r.status} is documented (${r.text.slice(0, 200)})`);
    const schema = resp.content?.['application/json']?.schema;
    if (!schema) return;
    const validate = ajv.compile(fix(schema));
    assert.ok(validate(r.body), `${method} ${path} ${r.status}: ${JSON.stringify(validate.errors)} in ${r.text.slice(0, 300)}`);
  };
  const made = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }), { 'idempotency-key': `oa-${process.pid}` });
  check('/api/v1/tickets', 'post', made);
  const n = made.body.number;
  check('/api/v1/tickets', 'post', await u.agent1.post('/api/v1/tickets', { category: 'NET.SIGNAL', subject: '' }));
  check('/api/v1/tickets', 'post', await u.agent1.post('/api/v1/tickets', null, { 'idempotency-key': 'x'.repeat(201) }));
  check('/api/v1/tickets/{number}', 'get', await u.agent1.get(`/api/v1/tickets/${n}`));
  check('/api/v1/tickets/{number}', 'get', await u.agent1.get('/api/v1/tickets/TS20000101000001'));
  check('/api/v1/tickets/{number}/history', 'get', await u.agent1.get(`/api/v1/tickets/${n}/history`));
  check('/api/v1/tickets/{number}/actions/{action}', 'post', await u.dispatcher1.post(`/api/v1/tickets/${n}/actions/dispatch`, inputsFor('dispatch', 'NET')));
  check('/api/v1/tickets/{number}/actions/{action}', 'post', await u.dispatcher1.post(`/api/v1/tickets/${n}/actions/dispatch`, inputsFor('dispatch', 'NET')));
  const bulk = (body) => u.dispatcher1.post('/api/v1/tickets/actions/comment', body);
  check('/api/v1/tickets/actions/{action}', 'post', await bulk({ tickets: [{ number: n, version: 1 }, { number: 'TS20000101000001' }] }));
  check('/api/v1/tickets/actions/{action}', 'post', await bulk({ tickets: [{ number: n }], inputs: { comment: '批量备注' } }));
  check('/api/v1/tickets/actions/{action}', 'post', await bulk({ tickets: [] }));
  check('/api/v1/tickets', 'get', await u.agent1.get('/api/v1/tickets?q=信号&limit=5'));
  check('/api/v1/queues', 'get', await u.dispatcher1.get('/api/v1/queues'));
  for (const p of ['/api/v1/reference', '/api/v1/categories', '/api/v1/departments', '/api/v1/regions', '/api/v1/workflow', '/api/v1/phrases'])
    check(p, 'get', await u.agent1.get(p));
  check('/api/v1/regions/lookup', 'get', await u.agent1.get('/api/v1/regions/lookup?number=087163211234'));
  check('/api/v1/me', 'get', await u.agent1.get('/api/v1/me'));
  check('/api/v1/session', 'get', await req(srv.url, 'GET', '/api/v1/session'));
  check('/api/v1/users', 'get', await u.admin.get('/api/v1/users'));
  check('/api/v1/users', 'get', await u.agent1.get('/api/v1/users'));
  check('/api/v1/users', 'post', await u.admin.post('/api/v1/users', { username: `oa${process.pid}`, role: 'handler', department: 'NET', display_name: '网络运维测' }));
  check('/api/v1/tokens', 'get', await u.admin.get('/api/v1/tokens'));
  check('/api/v1/tokens', 'post', await u.admin.post('/api/v1/tokens', { username: 'agent1', name: '夜间导入脚本' }));
  check('/api/v1/phrases', 'post', await u.admin.post('/api/v1/phrases', { kind: 'greeting', text: '您好！' }));
  check('/api/v1/reports/complaints', 'get', await u.admin.get('/api/v1/reports/complaints?group_by=region&compare=previous'));
  check('/api/v1/reports/complaints', 'get', await u.admin.get('/api/v1/reports/complaints?group_by=nope'));
  check('/api/v1/reports/kpis', 'get', await u.admin.get('/api/v1/reports/kpis?compare=last_year'));
  check('/api/v1/reports/monthly', 'get', await u.admin.get('/api/v1/reports/monthly?month=2026-11'));
  check('/api/v1/reports/monthly', 'get', await u.admin.get('/api/v1/reports/monthly'));
  check('/api/v1/departments', 'post', await u.admin.post('/api/v1/departments', { code: 'OA', name: '文档测试部', kind: 'handling' }));
  check('/api/v1/departments', 'post', await u.admin.post('/api/v1/departments', { code: 'oa' }));
  check('/api/v1/departments/{code}', 'get', await u.admin.get('/api/v1/departments/OA'));
  check('/api/v1/departments/{code}', 'patch', await u.admin.patch('/api/v1/departments/OA', { sort: 7 }));
  check('/api/v1/categories/{code}', 'get', await u.admin.get('/api/v1/categories/NET.SIGNAL'));
  check('/api/v1/categories/{code}', 'patch', await u.admin.patch('/api/v1/categories/NET.SIGNAL', { sort: 10 }));
  check('/api/v1/segments', 'post', await u.admin.post('/api/v1/segments', { rows: [{ prefix: '1399871', region: 'KM' }, { prefix: '1', region: 'KM' }] }));
  check('/api/v1/audit', 'get', await u.admin.get('/api/v1/audit?limit=5'));
  check('/api/v1/audit', 'get', await u.admin.get('/api/v1/audit?object_kind=nope'));
  check('/healthz', 'get', await req(srv.url, 'GET', '/healthz'));
  check('/api/v1/me', 'get', await req(srv.url, 'GET', '/api/v1/me'));
});

test('the schemas\' examples validate against them, and the request examples are accepted by the server', async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  let examples = 0;
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    const validate = ajv.compile({ $ref: `doc#/components/schemas/${name}` });
    for (const ex of s.examples || []) {
      assert.ok(validate(ex), `${name} example: ${JSON.stringify(validate.errors)}`);
      examples++;
    }
  }
  assert.ok(examples >= 20);
  const ex = (name) => structuredClone(doc.components.schemas[name].examples[0]);
  // what a script would send, copied from the document
  const login = await req(srv.url, 'POST', '/api/v1/session', { body: ex('Login') });
  assert.equal(login.status, 200, login.text);
  const created = await u.agent1.post('/api/v1/tickets', ex('TicketCreate'));
  assert.equal(created.status, 201, created.text);
  const draft = await u.agent1.post('/api/v1/tickets', { ...ex('TicketCreate'), submit: false });
  assert.equal(draft.status, 201, draft.text);
  const patched = await u.agent1.patch(`/api/v1/tickets/${draft.body.number}`, ex('TicketPatch'));
  assert.equal(patched.status, 200, patched.text);
  const acted = await u.dispatcher1.post(`/api/v1/tickets/${created.body.number}/actions/dispatch`, ex('ActionInputs'));
  assert.equal(acted.status, 200, acted.text);
  const bulkEx = ex('BulkActionRequest');
  bulkEx.tickets = [{ number: created.body.number, version: acted.body.version }, { number: draft.body.number }];
  bulkEx.inputs = { comment: bulkEx.inputs.comment };
  const bulked = await u.dispatcher1.post('/api/v1/tickets/actions/comment', bulkEx);
  assert.equal(bulked.status, 200, bulked.text);
  assert.equal(bulked.body.done, 2, bulked.text);
  const user = await u.admin.post('/api/v1/users', ex('UserCreate'));
  assert.equal(user.status, 201, user.text);
  assert.equal((await u.admin.patch(`/api/v1/users/${user.body.id}`, ex('UserPatch'))).status, 200);
  assert.equal((await u.admin.post('/api/v1/tokens', ex('TokenCreate'))).status, 201);
  const phrase = await u.admin.post('/api/v1/phrases', ex('PhraseCreate'));
  assert.equal(phrase.status, 201, phrase.text);
  assert.equal((await u.admin.patch(`/api/v1/phrases/${phrase.body.id}`, ex('PhrasePatch'))).status, 200);
  const dept = await u.admin.post('/api/v1/departments', ex('DepartmentCreate'));
  assert.equal(dept.status, 201, dept.text);
  assert.equal((await u.admin.patch(`/api/v1/departments/${dept.body.code}`, ex('DepartmentPatch'))).status, 200);
  const cat = await u.admin.post('/api/v1/categories', ex('CategoryCreate'));
  assert.equal(cat.status, 201, cat.text);
  assert.equal((await u.admin.patch(`/api/v1/categories/${cat.body.code}`, ex('CategoryPatch'))).status, 200);
  assert.equal((await u.admin.post('/api/v1/segments', ex('SegmentImport'))).status, 200);
});
