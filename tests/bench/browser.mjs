// browser.mjs - owned by tests/bench: the browser rows of `make bench`.
//
// On a database of BENCH_TICKETS tickets (default 100,000: made by
// `gongdan generate` when the binary has it, else created through the API),
// Debian's chromium (playwright-core) loads four pages BENCH_LOADS times
// each (default 20) and reports, per page, the time from navigation to:
//   intake   a usable intake form (故障号码 focused, reference data in)
//   ticket   a rendered ticket page with its 查看流程 timeline
//   list     a rendered list of 50 rows (工单列表)
//   reports  统计报表 by category over the whole year the data covers, with
//            环比: the chart drawn and the tree table filled
//   queue    工单队列: its grid of the queue counts and the first 50 rows
// as p50 and p95 in ms, plus the bytes the page transferred on its first
// load (cold cache) and on the later ones (warm: revalidations, 304s), and
// its API requests. Reported, never asserted.
//
// Environment: BENCH_TICKETS, BENCH_LOADS, BENCH_THREADS (server threads,
// default 2), BUILD (build dir, default build), CHROMIUM. BENCH_DB=FILE
// serves that database (used in place: `make bench-scale` passes its copy
// of the 1 M one) instead of making one; BENCH_PAGES=queue,reports measures
// only those rows.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.BUILD || 'build';
const BIN = join(isAbsolute(BUILD) ? BUILD : join(ROOT, BUILD), 'gongdan');
const TICKETS = Number(process.env.BENCH_TICKETS || 100000);
const LOADS = Number(process.env.BENCH_LOADS || 20);
const THREADS = String(process.env.BENCH_THREADS || 2);
const GIVEN_DB = process.env.BENCH_DB || '';
const PAGES = process.env.BENCH_PAGES ? process.env.BENCH_PAGES.split(',') : null;

function run(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, out: (r.stdout || '') + (r.stderr || '') };
}

function die(msg) {
  console.error(`browser.mjs: ${msg}`);
  process.exit(1);
}

function hasGenerate() {
  // the usage lists every subcommand
  return /\bgenerate\b/.test(run([]).out);
}

async function startServer(db) {
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--www', join(ROOT, 'www'), '--threads', THREADS, '--quiet'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${err}`)); });
  });
  return { url, proc };
}

function api(url, token) {
  return async (method, path, body) => {
    const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// Without the generator: N creates through the API, 32 at a time, a third of
// them submitted, fault numbers repeating as real callers' do.
async function createThroughApi(call, n) {
  const cats = ['VAS.MMS.FORCED', 'BILL.DISPUTE', 'NET.DROP', 'VAS.MMS.OTHER'];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const body = { category: cats[i % cats.length], fault_number: `138${String(i % 50000).padStart(8, '0')}`,
        subject: `用户反映第${i}号问题`, description: '用户来电反映问题，要求尽快处理。', submit: i % 3 === 0 };
      if (body.category === 'BILL.DISPUTE') body.fields = { bill_month: '2026年10月' };
      if (body.category === 'NET.DROP') body.submit = false; // its eight fields are not filled here
      await call('POST', '/api/v1/tickets', body);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

// A ticket with a full flow to show: the newest closed one, or one walked
// through the workflow now.
async function flowTicket(calls) {
  const closed = await calls.dispatcher1('GET', '/api/v1/tickets?state=closed&limit=1');
  if (closed.items.length) return closed.items[0].number;
  const t = await calls.agent1('POST', '/api/v1/tickets', { category: 'VAS.MMS.FORCED', fault_number: '13812345678',
    subject: '未定制彩信被扣费', submit: true });
  const n = t.number;
  await calls.dispatcher1('POST', `/api/v1/tickets/${n}/actions/dispatch`, { department: 'VAS', comment: '请核实' });
  await calls.handler_vas1('POST', `/api/v1/tickets/${n}/actions/accept`, {});
  await calls.handler_vas1('POST', `/api/v1/tickets/${n}/actions/reply`, { resolution: '已退订并退费' });
  await calls.dispatcher1('POST', `/api/v1/tickets/${n}/actions/close`, { summary: '强行定制，已退费', satisfaction: 5 });
  return n;
}

// The local date a year ago (the generator spreads tickets over the last 365 days).
function yearAgo() {
  const d = new Date(Date.now() - 365 * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

// In the page: resolves with performance.now() (ms since navigation start)
// at the first frame where the condition holds. (page.waitForFunction would
// compile its predicate with eval, which the page's CSP refuses.)
const untilReady = (c) => new Promise((resolve) => {
  const ok = () => (!c.focus || (document.activeElement && document.activeElement.id === c.focus)) &&
    (!c.selector || document.querySelectorAll(c.selector).length >= c.min);
  const tick = () => (ok() ? resolve(performance.now()) : requestAnimationFrame(tick));
  tick();
});

// Loads url LOADS+1 times in one tab (the first with a cold cache); returns
// the times to ready() and the bytes and API requests of the loads. A page
// with the live stream open (ready.live) is never network-idle: it gets a
// second after ready for its other requests instead.
async function measure(page, url, ready) {
  const times = [];
  const bytes = [];
  let apiRequests = 0;
  const count = (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) apiRequests++; };
  for (let i = 0; i <= LOADS; i++) {
    if (i === 1) page.on('request', count);
    await page.goto(url, { waitUntil: 'commit' });
    const ms = await page.evaluate(untilReady, ready);
    if (ready.live) await page.waitForTimeout(1000);
    else await page.waitForLoadState('networkidle');
    const b = await page.evaluate(() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
      .reduce((n, e) => n + (e.transferSize || 0), 0));
    bytes.push(b);
    if (i > 0) times.push(ms);
  }
  page.off('request', count);
  return { p50: pct(times, 50), p95: pct(times, 95), cold: bytes[0], warm: Math.round(bytes.slice(1).reduce((a, b) => a + b, 0) / LOADS),
    api: apiRequests / LOADS };
}

async function login(browser, url, user) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
  const page = await ctx.newPage();
  const r = await page.request.post(url + '/api/v1/session', { data: { username: user, password: `demo-${user}` } });
  if (!r.ok()) die(`login ${user}: ${r.status()}`);
  return { ctx, page };
}

const dir = mkdtempSync(join(tmpdir(), 'gongdan-bench-browser-'));
const db = GIVEN_DB || join(dir, 'bench.db');
let server = null;
let browser = null;
try {
  if (!GIVEN_DB && run(['init', '--db', db, '--demo-users']).status !== 0) die('gongdan init failed');
  const t0 = Date.now();
  let made = GIVEN_DB ? `BENCH_DB ${GIVEN_DB}` : null;
  if (!made && hasGenerate()) {
    const g = run(['generate', '--db', db, '--tickets', String(TICKETS), '--seed', '1']);
    if (g.status !== 0) die(`gongdan generate failed: ${g.out}`);
    made = 'gongdan generate';
  }
  server = await startServer(db);
  const token = (u) => run(['token', 'create', '--username', u, '--db', db]).out.trim().split(/\s+/).find((x) => x.startsWith('gd_'));
  const calls = {};
  for (const u of ['agent1', 'dispatcher1', 'handler_vas1']) calls[u] = api(server.url, token(u));
  if (!made) {
    await createThroughApi(calls.agent1, TICKETS);
    made = 'the API';
  }
  const setup = ((Date.now() - t0) / 1000).toFixed(0);
  const number = await flowTicket(calls);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });
  const agent = await login(browser, server.url, 'agent1');
  const disp = await login(browser, server.url, 'dispatcher1');
  const pages = [
    ['intake', agent, `${server.url}/intake`, { focus: 'f-fault_number' }],
    ['ticket', disp, `${server.url}/tickets/${number}`, { selector: '.ticket-head h1, .timeline li', min: 2, live: true }],
    ['list-50', disp, `${server.url}/tickets`, { selector: 'table.tickets tbody tr', min: 50, live: true }],
    ['reports', disp, `${server.url}/reports?from=${yearAgo()}&compare=previous`,
      { selector: '.report-body svg[role="img"] rect.bar, .report-body table.report tfoot tr', min: 2 }],
    ['queue', disp, `${server.url}/queue`, { selector: 'table.queue-grid, table.tickets tbody tr', min: 51, live: true }],
  ];
  const rows = [];
  for (const [name, who, url, ready] of pages)
    if (!PAGES || PAGES.includes(name)) rows.push([name, await measure(who.page, url, ready)]);
  const line = (...c) => console.log(c.map((x, i) => String(x).padStart(i ? 11 : 10)).join(' '));
  const tickets = GIVEN_DB ? spawnSync('sqlite3', ['-readonly', db, 'SELECT count(*) FROM tickets'], { encoding: 'utf8' }).stdout.trim()
    : TICKETS;
  console.log(`gongdan browser bench: tickets=${tickets} (made by ${made} in ${setup}s) loads=${LOADS} threads=${THREADS} chromium ${browser.version()}`);
  line('page', 'p50_ms', 'p95_ms', 'cold_bytes', 'warm_bytes', 'api_req');
  for (const [name, m] of rows) line(name, m.p50.toFixed(1), m.p95.toFixed(1), m.cold, m.warm, m.api.toFixed(1));
  console.log('note: time from navigation start to the page being usable (performance.now() in the page, checked every frame);'
    + ' cold = first load of the tab, warm = mean of the later loads (HTTP cache: 304s)');
} finally {
  if (browser) await browser.close();
  if (server) {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.on('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
}
