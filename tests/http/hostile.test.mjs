// hostile.test.mjs - what an attacker on the same machine tries against the
// HTTP layer (issue 10): URLs too big for libmicrohttpd's pool, malformed and
// conflicting framing (request smuggling), NUL and control characters in
// headers, bodies over the cap sent by clients that write everything before
// reading. Every answer is one well-formed HTTP response in the JSON error
// shape; nothing leaks (the server stops cleanly, and under `make asan`
// LeakSanitizer finds nothing); memory stays bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, stopClean, rawExchange, statusLines, rssKiB, as, netTicket, req } from './lib.mjs';

let srv, agent;
before(async () => {
  // under `make asan` freed memory sits in ASan's quarantine (256 MiB by
  // default), which would hide what the RSS check looks for: keep it small
  const asan = process.env.ASAN_OPTIONS;
  srv = await startServer({ args: ['--quiet'], env: asan ? { ASAN_OPTIONS: `${asan}:quarantine_size_mb=8` } : {} });
  agent = as(srv, 'agent1');
});
after(async () => { await stopClean(srv); });

// The one response in raw text: asserts a single status line, the JSON
// error shape with code, the security headers, and that the server closed.
function oneError(r, status, code, what) {
  const lines = statusLines(r.text);
  assert.equal(lines.length, 1, `${what}: exactly one status line, got ${JSON.stringify(lines)}\n${r.text}`);
  assert.match(lines[0], new RegExp(`^HTTP/1\\.1 ${status} `), what);
  assert.match(r.text, /\r\nContent-Type: application\/json/i, what);
  assert.match(r.text, /\r\nContent-Security-Policy: /i, what);
  assert.match(r.text, /\r\nX-Content-Type-Options: nosniff/i, what);
  const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4));
  assert.equal(body.error.code, code, what);
  assert.equal(typeof body.error.message, 'string', what);
  assert.ok(r.closed, `${what}: the connection is closed after the error`);
}

async function pool(n, width, fn) {
  let next = 0;
  const results = [];
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) results.push(await fn(next++));
  }));
  return results;
}

test('URLs with more query parameters than fit: each answered 414; 3,000 leave memory where it was', async (t) => {
  const query = Array.from({ length: 4000 }, (_, i) => `p${i}=${i}`).join('&');
  // from four addresses, so the per-address connection limit stays out of it
  const ask = (i = 0) => rawExchange(srv.url, `GET /healthz?${query} HTTP/1.1\r\nHost: x\r\n\r\n`,
    { timeout: 10000, localAddress: `127.0.0.${2 + (i % 4)}` });
  oneError(await ask(), 414, 'uri_too_long', 'oversize query');
  await pool(300, 50, ask); // warm up allocator and thread caches
  const before_ = rssKiB(srv.proc.pid);
  const answers = await pool(3000, 50, async (i) => statusLines((await ask(i)).text)[0] || '(no answer)');
  const after_ = rssKiB(srv.proc.pid);
  const counts = {};
  for (const a of answers) counts[a] = (counts[a] || 0) + 1;
  t.diagnostic(`3000 oversize-URL requests: RSS ${before_} KiB -> ${after_} KiB; answers ${JSON.stringify(counts)}`);
  assert.deepEqual(Object.keys(counts), ['HTTP/1.1 414 URI Too Long']);
  assert.ok(after_ - before_ < 40 * 1024, `RSS grew by ${after_ - before_} KiB`);
  assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200);
});

test('a long path: 414 in the error shape', async () => {
  oneError(await rawExchange(srv.url, `GET /${'a'.repeat(3000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 414,
    'uri_too_long', 'long path');
});

test('a malformed Content-Length is answered once, in the error shape', async () => {
  for (const cl of ['-1', '1e3', '0x10', '+5', '5 5', '', 'abc']) {
    const r = await rawExchange(srv.url, `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: ${cl}\r\n\r\n`);
    oneError(r, 400, 'bad_request', `Content-Length: '${cl}'`);
  }
  const r = await rawExchange(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n');
  oneError(r, 413, 'payload_too_large', '20-digit Content-Length');
});

test('Content-Length with Transfer-Encoding: 400, and the request hidden in the body never runs', async () => {
  const ticket = JSON.stringify(netTicket({ subject: 'smuggled' }));
  const hidden = `POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${agent.token}\r\n`
    + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(ticket)}\r\n\r\n${ticket}`;
  const body = `0\r\n\r\n${hidden}`;
  const r = await rawExchange(srv.url, 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
    + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  oneError(r, 400, 'bad_request', 'CL + TE');
  // the other order of the two headers, and a bare TE with CL 0
  oneError(await rawExchange(srv.url, `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
    + `Transfer-Encoding: chunked\r\n\r\n${body}`), 400, 'bad_request', 'TE + CL');
  const list = await agent.get('/api/v1/tickets');
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 0, 'no ticket was created by the smuggled request');
});

test('conflicting Content-Lengths: 400 and close; identical ones are one length', async () => {
  oneError(await rawExchange(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + 'Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'bad_request', 'two lengths');
  const same = await rawExchange(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + 'Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
  assert.match(statusLines(same.text)[0], / 422 /);
});

test('a transfer coding other than chunked: 501 at once, and close', async () => {
  for (const te of ['gzip', 'identity', 'chunked, identity', 'gzip, chunked', 'Chunked2']) {
    const t0 = Date.now();
    const r = await rawExchange(srv.url, `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${te}\r\n\r\n{}`);
    oneError(r, 501, 'not_implemented', `Transfer-Encoding: ${te}`);
    assert.ok(Date.now() - t0 < 4000, `${te}: answered without waiting for the body`);
  }
  // two Transfer-Encoding headers are a second coding too
  oneError(await rawExchange(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
    + 'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 501, 'not_implemented', 'two TE headers');
});

test('HTTP/1.1 without Host: 400; HTTP/1.0 without Host is fine', async () => {
  oneError(await rawExchange(srv.url, 'GET /healthz HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'bad_request', 'no Host');
  const old = await rawExchange(srv.url, 'GET /healthz HTTP/1.0\r\n\r\n');
  assert.match(statusLines(old.text)[0], /^HTTP\/1\.[01] 200/);
});

test('a NUL or a control character in a header value: 400 and close, never a cut-short value', async () => {
  const nul = await rawExchange(srv.url, Buffer.concat([
    Buffer.from(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${agent.token}`),
    Buffer.from([0]), Buffer.from('junk\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')]));
  oneError(nul, 400, 'bad_request', 'NUL in Authorization');
  for (const c of [1, 8, 0x0b, 0x1f, 0x7f]) {
    const r = await rawExchange(srv.url, Buffer.concat([Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a'),
      Buffer.from([c]), Buffer.from('b\r\n\r\n')]));
    oneError(r, 400, 'bad_request', `control character 0x${c.toString(16)}`);
  }
  // a folded header line is refused too (RFC 9112 obsoletes it)
  oneError(await rawExchange(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n b\r\n\r\n'), 400, 'bad_request', 'folded');
  // a tab inside a value is fine
  const tab = await rawExchange(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\tb\r\nConnection: close\r\n\r\n');
  assert.match(statusLines(tab.text)[0], / 200 /);
});

// Writes the whole request (head and body) in one go, then reads.
function writeFirst(method, path, body, headers = '') {
  return rawExchange(srv.url, Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: x\r\n${headers}`
    + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]), { timeout: 10000, piece: 65536 });
}

test('a body over the cap reaches a client that writes it all before reading: 413', async () => {
  const created = await agent.post('/api/v1/tickets', netTicket());
  assert.equal(created.status, 201);
  const number = created.body.number;
  const auth = `Authorization: Bearer ${agent.token}\r\n`;
  const big = Buffer.from(JSON.stringify({ username: 'agent1', password: 'x'.repeat(1100 * 1024) }));
  const keys = Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 100000 }, (_, i) => [`k${i}`, i]))));
  assert.ok(keys.length > 1024 * 1024);
  for (const [what, method, path, body, headers] of [
    ['login', 'POST', '/api/v1/session', big, ''],
    ['login with 100k keys', 'POST', '/api/v1/session', keys, ''],
    ['PATCH of a draft', 'PATCH', `/api/v1/tickets/${number}`, big, auth],
    ['an action', 'POST', `/api/v1/tickets/${number}/actions/comment`, big, auth],
  ]) {
    for (let i = 0; i < 3; i++) oneError(await writeFirst(method, path, body, headers), 413, 'payload_too_large', what);
  }
});

test('Python urllib, which writes the whole body before reading, gets the 413', { skip: spawnSync('python3', ['-c', '1']).status !== 0 && 'no python3' }, async () => {
  const script = `
import json, sys, urllib.request, urllib.error
url = sys.argv[1]
ok = 0
for i in range(10):
    body = json.dumps({"username": "agent1", "password": "x" * (1100 * 1024)}).encode()
    r = urllib.request.Request(url + "/api/v1/session", data=body, headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(r, timeout=10)
        print("no error")
    except urllib.error.HTTPError as e:
        if e.code == 413 and json.load(e)["error"]["code"] == "payload_too_large":
            ok += 1
        else:
            print("status", e.code)
    except Exception as e:
        print("failed:", e)
print("413s:", ok)
`;
  const r = spawnSync('python3', ['-c', script, srv.url], { encoding: 'utf8', timeout: 120000 });
  assert.match(r.stdout, /413s: 10\b/, r.stdout + r.stderr);
});

test('after all that the server still answers, and logs what it refused only a few times', async () => {
  assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200);
  const lines = srv.stderr().split('\n').filter((l) => / warn /.test(l));
  // thousands of refusals above; the log keeps one line per kind a minute
  assert.ok(lines.length < 40, `${lines.length} warning lines:\n${lines.slice(0, 50).join('\n')}`);
});
