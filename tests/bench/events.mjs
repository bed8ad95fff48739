// events.mjs - owned by tests/bench: the live-update row of `make bench`.
//
// Starts build/gongdan on a fresh temporary database, opens BENCH_CLIENTS
// (default 100) streams on GET /api/v1/events (half as dispatchers, who see
// every ticket, half as handlers of NET, who see the tickets dispatched
// there), then makes BENCH_CHANGES changes (default 100: a dispatch to NET
// of a submitted ticket, one at a time) and reports the delivery latency:
// from the moment the action's request is sent to the moment each stream
// that may see it has the event, over every (change, client) pair, as p50,
// p99 and the worst in ms; also the server's RSS per open stream and its
// CPU while the streams sit idle for two seconds. Reported, never asserted.
//
// Environment: BENCH_CLIENTS, BENCH_CHANGES, BENCH_THREADS (server threads,
// default 2), BUILD (build dir, default build).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.BUILD || 'build';
const BIN = join(isAbsolute(BUILD) ? BUILD : join(ROOT, BUILD), 'gongdan');
const CLIENTS = Number(process.env.BENCH_CLIENTS || 100);
const CHANGES = Number(process.env.BENCH_CHANGES || 100);
const THREADS = String(process.env.BENCH_THREADS || 2);

function die(msg) {
  console.error(`events.mjs: ${msg}`);
  process.exit(1);
}

function token(db, user) {
  const r = spawnSync(BIN, ['token', 'create', '--username', user, '--db', db], { encoding: 'utf8' });
  if (r.status !== 0) die(`token create ${user}: ${r.stderr}`);
  return r.stdout.trim().split(/\s+/).pop();
}

const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m)[1]);
function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(x[11]) + Number(x[12]);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function call(base, tok, method, path, body) {
  const r = await fetch(base + path, {
    method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) die(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

// One stream; onEvent(number, action, at) for every ticket event.
function stream(base, tok, onEvent) {
  return new Promise((resolve, reject) => {
    const rq = http.get(base + '/api/v1/events', { headers: { authorization: `Bearer ${tok}` }, agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`stream: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (d) => {
        const now = performance.now();
        buf += d;
        for (let at; (at = buf.indexOf('\n\n')) >= 0;) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          if (!block.includes('event: ticket')) continue;
          const m = block.match(/^data: (.*)$/m);
          const e = JSON.parse(m[1]);
          onEvent(e.number, e.action, now);
        }
      });
      resolve(rq);
    });
    rq.on('error', reject);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'gongdan-bench-events-'));
const db = join(dir, 'bench.db');
let srv;
try {
  const init = spawnSync(BIN, ['init', '--db', db, '--demo-users'], { encoding: 'utf8' });
  if (init.status !== 0) die(`init: ${init.stderr}`);
  const tok = { agent: token(db, 'agent1'), dispatcher: token(db, 'dispatcher1'), handler: token(db, 'handler_net1') };
  const limit = String(CLIENTS + 64);
  srv = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', THREADS, '--quiet',
    '--max-connections', limit, '--max-per-address', limit, '--max-event-clients', limit], { stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    srv.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    srv.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  // the tickets first, so that only the dispatches are timed
  const body = (i) => ({
    category: 'NET.SIGNAL', fault_number: `139${String(i).padStart(8, '0')}`, subject: '信号弱', submit: true,
    fields: { symptom: '无信号', calling_number: '13800000000', called_number: '13900000000', announcement: '无',
      location: '昆明', tried_other_device: 'yes', persists_after_restart: 'yes', handset_model: 'X' },
  });
  const numbers = [];
  for (let i = 0; i < CHANGES; i++) numbers.push((await call(base, tok.agent, 'POST', '/api/v1/tickets', body(i))).number);
  const rssIdle = rssKiB(srv.pid);
  const got = new Map(); // number -> [receive times]
  const streams = [];
  for (let c = 0; c < CLIENTS; c++) {
    streams.push(await stream(base, c % 2 ? tok.handler : tok.dispatcher, (n, action, now) => {
      if (action === 'dispatch') got.get(n)?.push(now);
    }));
  }
  await sleep(500);
  const rssOpen = rssKiB(srv.pid);
  const t0 = cpuTicks(srv.pid);
  await sleep(2000);
  const idleTicks = cpuTicks(srv.pid) - t0;
  const lat = [];
  for (const n of numbers) {
    got.set(n, []);
    const sent = performance.now();
    await call(base, tok.dispatcher, 'POST', `/api/v1/tickets/${n}/actions/dispatch`, { department: 'NET' });
    const until = performance.now() + 5000;
    while (got.get(n).length < CLIENTS && performance.now() < until) await sleep(1);
    const times = got.get(n);
    if (times.length < CLIENTS) die(`${n}: ${times.length} of ${CLIENTS} streams got the dispatch within 5 s`);
    for (const t of times) lat.push(t - sent);
  }
  lat.sort((a, b) => a - b);
  const f = (x) => x.toFixed(2);
  console.log('live updates (GET /api/v1/events)');
  console.log(`  clients  changes  deliveries  p50_ms  p99_ms  max_ms  rss_per_stream_KiB  idle_cpu_%`);
  console.log(`  ${String(CLIENTS).padStart(7)}  ${String(CHANGES).padStart(7)}  ${String(lat.length).padStart(10)}  ` +
    `${f(pct(lat, 50)).padStart(6)}  ${f(pct(lat, 99)).padStart(6)}  ${f(lat.at(-1)).padStart(6)}  ` +
    `${((rssOpen - rssIdle) / CLIENTS).toFixed(1).padStart(18)}  ${(idleTicks / 2).toFixed(1).padStart(10)}`);
  for (const s of streams) s.destroy();
} finally {
  if (srv && srv.exitCode === null) {
    srv.kill('SIGTERM');
    await new Promise((r) => srv.on('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
}
