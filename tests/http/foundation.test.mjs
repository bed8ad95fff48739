// foundation.test.mjs - the server itself: health, errors, routing, static
// files and their safety, body limits, bad input, graceful stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { symlinkSync, writeFileSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, req, errorOf, cli, ROOT } from './lib.mjs';

let srv, www;

// A raw HTTP exchange for what fetch refuses to send (bad paths, floods).
function raw(url, text, { timeout = 3000 } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => s.write(text));
    let out = '';
    s.on('data', (d) => { out += d; });
    s.on('error', () => resolve(out));
    s.on('close', () => resolve(out));
    s.setTimeout(timeout, () => { s.destroy(); resolve(out); });
  });
}

before(async () => {
  // a private copy of www/ with a symlink pointing out of it
  www = mkdtempSync(join(tmpdir(), 'gongdan-www-'));
  cpSync(join(ROOT, 'www'), www, { recursive: true });
  writeFileSync(join(www, 'secret-outside.txt'), 'x');
  symlinkSync('/etc/passwd', join(www, 'passwd-link.txt'));
  srv = await startServer({ www, demo: false });
});
after(async () => { await srv.stop(); rmSync(www, { recursive: true, force: true }); });

test('GET /healthz answers ok with security headers', async () => {
  const r = await req(srv.url, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'ok' });
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.ok(r.headers.get('referrer-policy'));
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('unknown route: 404 in the error shape', async () => {
  const r = await req(srv.url, 'GET', '/api/v1/nothing-here');
  assert.equal(r.status, 404);
  assert.equal(errorOf(r).code, 'not_found');
});

test('wrong method: 405 with Allow', async () => {
  const r = await req(srv.url, 'DELETE', '/healthz');
  assert.equal(r.status, 405);
  assert.equal(errorOf(r).code, 'method_not_allowed');
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
});

test('static file with MIME type, ETag and 304', async () => {
  const r = await req(srv.url, 'GET', '/index.html');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.text, /工单/);
  const etag = r.headers.get('etag');
  assert.ok(etag);
  const again = await req(srv.url, 'GET', '/index.html', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  const css = await req(srv.url, 'GET', '/style.css');
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const root = await req(srv.url, 'GET', '/');
  assert.equal(root.status, 200);
  assert.match(root.text, /工单/);
});

test('a changed static file is served fresh (the memory cache rechecks the disk)', async () => {
  writeFileSync(join(www, 'note.txt'), 'first');
  const a = await req(srv.url, 'GET', '/note.txt');
  assert.equal(a.text, 'first');
  assert.equal(a.headers.get('content-type'), 'text/plain; charset=utf-8');
  await new Promise((r) => setTimeout(r, 1100));
  writeFileSync(join(www, 'note.txt'), 'second, longer');
  await new Promise((r) => setTimeout(r, 1100));
  const b = await req(srv.url, 'GET', '/note.txt');
  assert.equal(b.text, 'second, longer');
  assert.notEqual(b.headers.get('etag'), a.headers.get('etag'));
  rmSync(join(www, 'note.txt'));
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await req(srv.url, 'GET', '/note.txt')).status, 404);
});

test('no way out of www/: .., encoded dots, symlinks, hidden files', async () => {
  for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E%2Fetc%2Fpasswd', '/passwd-link.txt', '/.hidden', '/..%5c..%5cetc%5cpasswd']) {
    const out = await raw(srv.url, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 (404|400)/, p);
    assert.doesNotMatch(out, /root:/, p);
  }
});

test('a path with NUL or invalid UTF-8: 400', async () => {
  for (const p of ['/a%00b', '/a%ffb', '/%c0%af', '/bad%zz']) {
    const out = await raw(srv.url, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 400/, p);
    assert.match(out, /"code":"bad_request"/, p);
  }
});

test('a body over the limit: 413 and the connection closes', async () => {
  const big = 'x'.repeat(1100 * 1024);
  const r = await fetch(srv.url + '/api/v1/anything', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } }).catch((e) => e);
  // the server may close before the client finishes sending; either way no crash
  if (!(r instanceof Error)) {
    assert.equal(r.status, 413);
    assert.equal((await r.json()).error.code, 'payload_too_large');
  }
  // chunked, so the size is unknown until it is too late
  const out = await raw(srv.url, 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n'
    + `100000\r\n${'y'.repeat(0x100000)}\r\n100\r\n${'y'.repeat(0x100)}\r\n0\r\n\r\n`);
  assert.match(out, /^HTTP\/1\.1 413/);
  assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200);
});

test('header floods, slow and half-closed clients do not take the server down', async () => {
  const flood = 'GET /healthz HTTP/1.1\r\nHost: x\r\n' + 'X-Flood: ' + 'a'.repeat(100) + '\r\n'.repeat(1) ;
  let headers = '';
  for (let i = 0; i < 2000; i++) headers += `X-H${i}: ${'a'.repeat(60)}\r\n`;
  const out = await raw(srv.url, flood + headers + '\r\n');
  assert.match(out, /^HTTP\/1\.1 (431|413|400)|^$/);
  // half-closed and never-finishing clients
  const { port } = new URL(srv.url);
  const socks = [];
  for (let i = 0; i < 20; i++) {
    const s = net.connect(Number(port), '127.0.0.1');
    s.on('error', () => {});
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    if (i % 2) s.end();
    socks.push(s);
  }
  const r = await req(srv.url, 'GET', '/healthz');
  assert.equal(r.status, 200);
  socks.forEach((s) => s.destroy());
});

test('keep-alive: consecutive requests reuse the connection', async () => {
  const out = await raw(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal((out.match(/HTTP\/1\.1 200/g) || []).length, 2);
});

test('GET /metrics is Prometheus text', async () => {
  const r = await req(srv.url, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.text, /^gongdan_http_requests_total\{route="[^"]+",method="[A-Z]+",status="\d+"\} \d+$/m);
});

test('SIGTERM stops gracefully with exit 0; the access log has one line per request', async () => {
  const s = await startServer({ demo: false, keep: true });
  await req(s.url, 'GET', '/healthz');
  const r = await s.stop('SIGTERM');
  assert.equal(r.code, 0);
  assert.match(s.stderr(), /access GET \/healthz 200 15 \d+us/);
  rmSync(s.dir, { recursive: true, force: true });
});

test('command line: unknown command and options fail with one line', () => {
  const r = cli(['frobnicate']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
  const o = cli(['init', '--nope']);
  assert.notEqual(o.status, 0);
  assert.match(o.stderr, /unknown option '--nope'/);
});

test('init is idempotent and backup makes a consistent copy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-init-'));
  const db = join(dir, 'a.db');
  assert.equal(cli(['init', '--db', db]).status, 0);
  assert.equal(cli(['init', '--db', db]).status, 0);
  const b = cli(['backup', '--db', db, '--to', join(dir, 'b.db')]);
  assert.equal(b.status, 0, b.stderr);
  assert.notEqual(cli(['backup', '--db', db, '--to', join(dir, 'b.db')]).status, 0);
  rmSync(dir, { recursive: true, force: true });
});
