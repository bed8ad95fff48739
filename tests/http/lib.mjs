// lib.mjs - starts the real gongdan binary on a free loopback port against a
// temporary database, and small fetch helpers shared by every HTTP test.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.GONGDAN_BIN || join(ROOT, 'build', 'gongdan');

// Runs a gongdan subcommand synchronously; returns {status, stdout, stderr}.
export function cli(args, input) {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Starts a server: init (with --demo unless demo:false), serve on 127.0.0.1:0.
// Returns {url, dir, db, proc, stderr(), stop()}.
// Runs a gongdan subcommand without blocking the event loop (so a load goes
// on meanwhile, and idle keep-alive connections are let go of in time: a
// test blocked in spawnSync past the server's 10 s idle limit would reuse a
// connection the server has closed); resolves {status, stdout, stderr, ms}.
export function cliAsync(args, env = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(BIN, args, { env: { ...process.env, ...env } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (status) => resolve({ status, stdout: out, stderr: err, ms: Date.now() - t0 }));
  });
}

export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'gongdan-test-'));
  const db = join(dir, 'test.db');
  if (!opts.dir) {
    // demo users only: every test starts from an empty ticket table
    const init = cli(['init', '--db', db, ...(opts.demo === false ? [] : opts.demo === 'tickets' ? ['--demo'] : ['--demo-users'])]);
    if (init.status !== 0) throw new Error('init failed: ' + init.stderr);
  }
  const args = ['serve', '--db', db, '--listen', opts.listen || '127.0.0.1:0', '--www', opts.www || join(ROOT, 'www'),
    '--threads', String(opts.threads || 2), ...(opts.args || [])];
  const proc = spawn(BIN, args, { env: { ...process.env, ...(opts.env || {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (https?:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${err}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, dir, db, proc,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      const r = await exited;
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
}

// fetch wrapper: returns {status, headers, body (parsed JSON when JSON), text}.
export async function req(base, method, path, { body, headers = {}, raw } = {}) {
  const h = { ...headers };
  let payload = raw;
  if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] ??= 'application/json'; }
  const r = await fetch(base + path, { method, headers: h, body: payload, redirect: 'manual' });
  // a live update stream never ends: the answer is its head (events.test.mjs reads streams)
  if ((r.headers.get('content-type') || '').startsWith('text/event-stream')) {
    await r.body.cancel();
    return { status: r.status, headers: r.headers, body: undefined, text: '' };
  }
  const text = await r.text();
  let json;
  if ((r.headers.get('content-type') || '').startsWith('application/json') && text) json = JSON.parse(text);
  return { status: r.status, headers: r.headers, body: json, text };
}

// Asserts the SPEC §6 error shape and returns the error object.
export function errorOf(res) {
  if (!res.body || !res.body.error || typeof res.body.error.code !== 'string' || typeof res.body.error.message !== 'string')
    throw new Error(`not an error body (status ${res.status}): ${res.text}`);
  return res.body.error;
}

// A bearer token for a demo user, made with `gongdan token create` on the
// server's database (works while it serves).
export function tokenFor(srv, username) {
  const r = cli(['token', 'create', '--username', username, '--db', srv.db]);
  if (r.status !== 0) throw new Error(`token create ${username}: ${r.stderr}`);
  return r.stdout.trim().split(/\s+/).pop();
}

// A client bound to one user: as(srv, 'agent1').post('/api/v1/tickets', {...}).
export function as(srv, username) {
  const token = tokenFor(srv, username);
  const call = (method) => (path, body, headers = {}) =>
    req(srv.url, method, path, { body, headers: { authorization: `Bearer ${token}`, ...headers } });
  return { token, username, get: call('GET'), post: call('POST'), patch: call('PATCH'), del: call('DELETE') };
}

// A valid network-quality ticket body (every required extra field filled).
export function netTicket(overrides = {}) {
  return {
    category: 'NET.SIGNAL', fault_number: '13812345678', subject: '家中信号弱，通话经常中断',
    customer_name: '一位先生', description: '用户反映在家中室内信号弱，已持续一周。',
    fields: {
      symptom: '室内无信号', calling_number: '13812345678', called_number: '13987654321',
      announcement: '无提示音', location: '昆明市五华区某小区', tried_other_device: 'yes',
      persists_after_restart: 'yes', handset_model: 'Huawei P40',
    },
    ...overrides,
  };
}

// The demo users that `init --demo-users` creates.
export const DEMO_USERS = ['admin', 'agent1', 'agent2', 'dispatcher1', 'supervisor1', 'handler_net1', 'handler_net2',
  'handler_vas1', 'handler_km1'];

// One bearer client per demo user: u.agent1.post(...).
export function clients(srv, names = DEMO_USERS) {
  const u = {};
  for (const name of names) u[name] = as(srv, name);
  return u;
}

// Runs SQL with the sqlite3 CLI against a database the server may be using;
// returns {status, stdout, stderr}.
export function sqlite(db, text) {
  const r = spawnSync('sqlite3', ['-bail', db], { input: `.timeout 5000\n${text}\n`, encoding: 'utf8' });
  return { status: r.status, stdout: (r.stdout || '').trim(), stderr: r.stderr };
}

// The same, throwing when sqlite3 fails; returns its output.
export function sql(db, text) {
  const r = sqlite(db, text);
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout;
}

// How to take a database back to an older schema (the upgrade tests): for
// each migration, SQL whose rows are the statements undoing what it added.
// A new migration adds its entry here (takeBack says so when it is missing).
const TAKE_BACK = {
  20: "SELECT 'DROP INDEX tickets_open_state_by_deadline; DROP INDEX tickets_open_state_dept_by_deadline;'",
  19: `SELECT 'DROP INDEX tickets_fault_number; CREATE INDEX tickets_fault_number ON tickets(fault_number, id);'`,
  18: "SELECT 'DROP TABLE admin_audit;'",
  17: "SELECT 'DROP TABLE saved_views;'",
  16: `SELECT 'DROP INDEX tickets_open_state; DROP INDEX tickets_open_state_dept; DROP INDEX tickets_open_by_deadline;
       DROP INDEX tickets_urgent; DROP INDEX tickets_open_overdue;
       CREATE INDEX tickets_open_overdue ON tickets(id) WHERE overdue = 1 AND closed_at IS NULL;'`,
  15: `SELECT 'DROP ' || type || ' ' || name || ';' FROM sqlite_schema
       WHERE (name LIKE 'report%' OR name = 'tickets_report_open') AND type IN ('table', 'view', 'index') ORDER BY type = 'table'`,
  14: "SELECT 'DROP TABLE idempotency_keys;'",
};

// Takes db back to schema `version`, newest migration first, each one
// forgotten as if it had never run.
export function takeBack(db, version) {
  for (let v = Number(sql(db, 'PRAGMA user_version')); v > version; v--) {
    assert.ok(TAKE_BACK[v], `tests/http/lib.mjs: TAKE_BACK has no entry for migration ${v}`);
    const undo = sql(db, TAKE_BACK[v]);
    sql(db, `${undo}\nDELETE FROM schema_migrations WHERE version = ${v}; PRAGMA user_version = ${v - 1};`);
  }
}

// Stops the server and insists it stopped cleanly: exit status 0 and no
// sanitizer report (under `make asan` a leak or an error shows here).
export async function stopClean(srv) {
  const r = await srv.stop();
  const err = srv.stderr();
  assert.doesNotMatch(err, /AddressSanitizer|LeakSanitizer|runtime error/, err);
  assert.deepEqual(r, { code: 0, signal: null }, `the server did not stop cleanly: ${err.slice(-2000)}`);
}

// One raw exchange over a plain socket, for what fetch will not send (bad
// framing, floods) or does not show (doubled status lines, the exact
// bytes): writes text (a string or Buffer) from localAddress, all at once
// or, with piece, in pieces of that many bytes a few milliseconds apart
// (as a client that writes its whole body before reading does: a failed
// write then fails the exchange, whatever arrived meanwhile, as it does in
// Python's urllib), then reads until the server closes or timeout ms pass.
// Returns {text, closed, error}.
export function rawExchange(url, text, { localAddress, timeout = 5000, piece } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks = [];
    let done = false;
    let writing = Boolean(piece);
    const finish = (closed, error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (writing && error) resolve({ text: '', closed, error: `${error} while writing` });
      else resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, error });
    };
    const send = async () => {
      if (!piece) return s.write(text);
      const all = Buffer.from(text);
      for (let at = 0; at < all.length && !done; at += piece) {
        await new Promise((r) => s.write(all.subarray(at, at + piece), r));
        await new Promise((r) => setTimeout(r, 1));
      }
      writing = false;
    };
    const s = net.connect({ port: Number(port), host: hostname, localAddress }, send);
    const timer = setTimeout(() => finish(false, 'timeout'), timeout);
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', (e) => finish(true, e.code));
  });
}

// The status lines in raw response text ("HTTP/1.1 400 Bad Request"...).
export function statusLines(text) {
  return text.split('\r\n').filter((l) => /^HTTP\/1\.[01] \d{3}/.test(l));
}

// The resident memory of a process, in KiB.
export function rssKiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
  return m ? Number(m[1]) : 0;
}
