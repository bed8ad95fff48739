// auth_tls.test.mjs - HTTPS through libmicrohttpd's own TLS (GnuTLS): a
// throwaway certificate made with the openssl command, login over TLS with
// a Secure cookie, HSTS, and no plain HTTP on the TLS port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer } from './lib.mjs';
import { rawReq, login } from './auth-lib.mjs';

let srv, certDir, ca;

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'gongdan-tls-'));
  const cert = join(certDir, 'cert.pem'), key = join(certDir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  ca = readFileSync(cert);
  srv = await startServer({ args: ['--tls-cert', cert, '--tls-key', key] });
});
after(async () => { await srv.stop(); rmSync(certDir, { recursive: true, force: true }); });

test('the server announces an https URL', () => {
  assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
});

test('login over TLS: the cookie is Secure, HSTS is sent, the session works', async () => {
  const s = await login(srv.url, 'agent1', 'demo-agent1', { ca });
  assert.equal(s.status, 200);
  for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Secure']) assert.ok(s.setCookie.includes(attr), attr);
  assert.match(s.res.headers['strict-transport-security'], /max-age=\d+/);
  assert.equal(s.res.headers['x-frame-options'], 'DENY');
  const me = await rawReq(srv.url, 'GET', '/api/v1/me', { ca, headers: { cookie: s.cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.body.user.username, 'agent1');
  const out = await rawReq(srv.url, 'DELETE', '/api/v1/session', { ca, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  assert.equal(out.status, 204);
  assert.match(out.headers['set-cookie'][0], /Max-Age=0.*Secure/);
});

test('an untrusted certificate is refused by the client, plain HTTP by the server', async () => {
  await assert.rejects(rawReq(srv.url, 'GET', '/healthz'), /self.signed|certificate/i);
  const plain = srv.url.replace('https:', 'http:');
  await assert.rejects(rawReq(plain, 'GET', '/healthz'));
  // the server survives both
  assert.equal((await rawReq(srv.url, 'GET', '/healthz', { ca })).status, 200);
});
