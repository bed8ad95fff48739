// metrics.test.mjs - GET /metrics (issue 12), read the way Prometheus reads
// it: every line parsed as the text format 0.0.4, every family with its
// HELP and TYPE, histograms cumulative with _count equal to the +Inf
// bucket; then the values checked against what the test did: requests by
// route, method and status, a latency histogram per route, open tickets by
// state, overdue tickets, database and WAL size, group-commit batches,
// checkpoints, active sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, clients, netTicket, req, sql, stopClean } from './lib.mjs';
import { login, asSession } from './auth-lib.mjs';
import { freshFault, ticketIn } from './workflow-lib.mjs';

let srv, u;
// the SLA sweep every second, so a ticket past its deadline turns overdue soon
before(async () => { srv = await startServer({ args: ['--sla-interval', '1'] }); u = clients(srv); });
after(async () => { await stopClean(srv); });

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;

// Parses Prometheus text; throws on any line that is not the format.
// Returns {families: {name: {type, help}}, samples: [{name, labels, value}]}.
function parse(text) {
  assert.ok(text.endsWith('\n'), 'the body ends with a newline');
  const families = {}, samples = [];
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      assert.match(name, NAME, where);
      families[name] ??= {};
      const key = kind.toLowerCase();
      assert.equal(families[name][key], undefined, `second ${kind} for ${name}`);
      families[name][key] = rest.join(' ');
      if (kind === 'TYPE') assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest[0]), where);
      continue;
    }
    assert.ok(!line.startsWith('#') && line !== '', `unexpected line ${where}`);
    const m = line.match(SAMPLE);
    assert.ok(m, `not a sample: ${where}`);
    const labels = {};
    if (m[3] !== undefined) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[3].length) {
        const l = LABEL.exec(m[3]);
        assert.ok(l, `bad labels: ${where}`);
        assert.equal(labels[l[1]], undefined, `label twice: ${where}`);
        labels[l[1]] = l[2];
      }
    }
    const value = Number(m[4].replace('+Inf', 'Infinity'));
    assert.ok(!Number.isNaN(value), where);
    samples.push({ name: m[1], labels, value });
  }
  // every sample belongs to a family with a TYPE, declared before it
  for (const s of samples) {
    const base = s.name.replace(/_(bucket|sum|count)$/, '');
    const fam = families[s.name]?.type ? s.name : base;
    assert.ok(families[fam]?.type && families[fam]?.help, `no HELP/TYPE for ${s.name}`);
    if (families[fam].type.startsWith('histogram')) assert.notEqual(fam, s.name, `${s.name}: bare histogram sample`);
  }
  // no sample twice
  const seen = new Set();
  for (const s of samples) {
    const id = s.name + JSON.stringify(Object.entries(s.labels).sort());
    assert.ok(!seen.has(id), `duplicate series ${id}`);
    seen.add(id);
  }
  return { families, samples };
}

async function scrape() {
  const r = await req(srv.url, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parse(r.text);
}

const pick = (m, name, where = {}) => m.samples.filter((s) => s.name === name &&
  Object.entries(where).every(([k, v]) => s.labels[k] === v));
const one = (m, name, where = {}) => {
  const s = pick(m, name, where);
  assert.equal(s.length, 1, `${name} ${JSON.stringify(where)}: ${s.length} samples`);
  return s[0].value;
};

// Checks each histogram of a family: buckets cumulative, ending in +Inf,
// _count equal to the +Inf bucket, _sum present. Returns the series count.
function checkHistograms(m, name, key) {
  const series = new Map();
  for (const s of pick(m, `${name}_bucket`)) {
    const { le, ...rest } = s.labels;
    const id = JSON.stringify(rest);
    if (!series.has(id)) series.set(id, { labels: rest, buckets: [] });
    series.get(id).buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
  }
  for (const { labels, buckets } of series.values()) {
    assert.equal(buckets.at(-1)[0], Infinity, `${name} ${key(labels)} ends in +Inf`);
    for (let i = 1; i < buckets.length; i++) {
      assert.ok(buckets[i][0] > buckets[i - 1][0], `${name} bounds ascend`);
      assert.ok(buckets[i][1] >= buckets[i - 1][1], `${name} ${key(labels)} is cumulative`);
    }
    assert.equal(one(m, `${name}_count`, labels), buckets.at(-1)[1]);
    assert.ok(one(m, `${name}_sum`, labels) >= 0);
  }
  return series;
}

test('the body is valid Prometheus text with every family the issue names', async () => {
  const m = await scrape();
  const want = {
    gongdan_http_requests_total: 'counter', gongdan_http_request_duration_seconds: 'histogram',
    gongdan_tickets_open: 'gauge', gongdan_tickets_overdue: 'gauge', gongdan_db_size_bytes: 'gauge',
    gongdan_wal_size_bytes: 'gauge', gongdan_group_commit_batch_size: 'histogram', gongdan_checkpoints_total: 'counter',
    gongdan_checkpoint_copied_pages_total: 'counter', gongdan_checkpoint_last_wal_pages: 'gauge',
    gongdan_sessions_active: 'gauge', gongdan_connections: 'gauge', gongdan_storage_full: 'gauge',
  };
  for (const [name, type] of Object.entries(want)) assert.equal(m.families[name]?.type, type, name);
  assert.ok(one(m, 'gongdan_db_size_bytes') > 0);
  assert.ok(one(m, 'gongdan_wal_size_bytes') >= 0);
  assert.equal(one(m, 'gongdan_storage_full'), 0);
});

test('requests are counted by route pattern, method and status, with a latency histogram per route', async () => {
  const before = await scrape();
  const created = [];
  for (let i = 0; i < 3; i++) {
    const r = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault() }));
    assert.equal(r.status, 201, r.text);
    created.push(r.body.number);
  }
  await u.agent1.post('/api/v1/tickets', { category: 'NET.SIGNAL' }); // 422
  for (const n of created) assert.equal((await u.agent1.get(`/api/v1/tickets/${n}`)).status, 200);
  assert.equal((await u.agent1.get('/api/v1/tickets/TS00000000000000')).status, 404);
  assert.equal((await req(srv.url, 'GET', '/api/v1/no-such-thing')).status, 404);
  assert.equal((await req(srv.url, 'GET', '/index.html')).status, 200);
  const m = await scrape();
  const delta = (labels) => one(m, 'gongdan_http_requests_total', labels) -
    (pick(before, 'gongdan_http_requests_total', labels)[0]?.value ?? 0);
  assert.equal(delta({ route: '/api/v1/tickets', method: 'POST', status: '201' }), 3);
  assert.equal(delta({ route: '/api/v1/tickets', method: 'POST', status: '422' }), 1);
  assert.equal(delta({ route: '/api/v1/tickets/{number}', method: 'GET', status: '200' }), 3);
  assert.equal(delta({ route: '/api/v1/tickets/{number}', method: 'GET', status: '404' }), 1);
  assert.ok(delta({ route: '(none)', method: 'any', status: '404' }) >= 1);
  assert.ok(delta({ route: '(static)', method: 'GET', status: '200' }) >= 1);
  // the labels are the route table's patterns, never raw paths
  for (const s of pick(m, 'gongdan_http_requests_total')) assert.doesNotMatch(s.labels.route, /TS\d/);
  const hist = checkHistograms(m, 'gongdan_http_request_duration_seconds', (l) => `${l.method} ${l.route}`);
  const post = one(m, 'gongdan_http_request_duration_seconds_count', { route: '/api/v1/tickets', method: 'POST' });
  assert.equal(post, 4);
  assert.ok(hist.size >= 4);
  // the scrape before this one is counted too
  assert.ok(one(m, 'gongdan_http_requests_total', { route: '/metrics', method: 'GET', status: '200' }) >= 1);
});

test('open tickets by state and the overdue count follow the tickets', async () => {
  const fault = freshFault();
  const t = await ticketIn(u, 'dispatched', { overrides: { fault_number: fault } });
  const m = await scrape();
  const rows = sql(srv.db, `SELECT state, count(*) FROM tickets WHERE closed_at IS NULL GROUP BY state`)
    .split('\n').filter(Boolean).map((l) => l.split('|'));
  const open = Object.fromEntries(rows.map(([s, n]) => [s, Number(n)]));
  assert.ok(open.dispatched >= 1);
  for (const s of pick(m, 'gongdan_tickets_open')) assert.equal(s.value, open[s.labels.state] ?? 0, s.labels.state);
  for (const s of Object.keys(open)) assert.equal(pick(m, 'gongdan_tickets_open', { state: s }).length, 1, s);
  assert.equal(pick(m, 'gongdan_tickets_open', { state: 'closed' }).length, 0);
  assert.equal(one(m, 'gongdan_tickets_overdue'), 0);
  // past its deadline: the next sweep marks it, and it counts as overdue
  sql(srv.db, `UPDATE tickets SET deadline = 1 WHERE number = '${t.number}'`);
  let overdue = 0;
  for (let i = 0; i < 40 && !overdue; i++) {
    await new Promise((r) => setTimeout(r, 100));
    overdue = Number(sql(srv.db, `SELECT overdue FROM tickets WHERE number = '${t.number}'`));
  }
  assert.equal(overdue, 1, 'the sweep marked the ticket overdue');
  assert.equal(one(await scrape(), 'gongdan_tickets_overdue'), 1);
});

test('active sessions, group-commit batches and checkpoints', async () => {
  const m0 = await scrape();
  const s = await login(srv.url, 'agent2', 'demo-agent2');
  assert.equal(s.status, 200);
  const m1 = await scrape();
  assert.equal(one(m1, 'gongdan_sessions_active'), one(m0, 'gongdan_sessions_active') + 1);
  assert.equal((await asSession(srv.url, s, 'DELETE', '/api/v1/session')).status, 204);
  assert.equal(one(await scrape(), 'gongdan_sessions_active'), one(m0, 'gongdan_sessions_active'));
  // 40 creates at once: every job is in exactly one batch
  const jobs0 = one(m1, 'gongdan_group_commit_batch_size_sum');
  const rs = await Promise.all(Array.from({ length: 40 }, () =>
    u.agent2.post('/api/v1/tickets', netTicket({ fault_number: freshFault() }))));
  for (const r of rs) assert.equal(r.status, 201);
  const m2 = await scrape();
  assert.ok(one(m2, 'gongdan_group_commit_batch_size_sum') - jobs0 >= 40);
  checkHistograms(m2, 'gongdan_group_commit_batch_size', () => 'batches');
  assert.ok(one(m2, 'gongdan_group_commit_batch_size_count') <= one(m2, 'gongdan_group_commit_batch_size_sum'));
  for (const mode of ['passive', 'restart'])
    for (const result of ['ok', 'busy', 'error'])
      assert.ok(one(m2, 'gongdan_checkpoints_total', { mode, result }) >= 0);
  assert.ok(one(m2, 'gongdan_checkpoint_last_wal_pages') >= -1);
});
