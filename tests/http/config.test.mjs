// config.test.mjs - `gongdan serve --config FILE` with the real binary
// (issue 12): the file's settings are used; GONGDAN_* variables override the
// file and flags override both; an unknown key, a duplicate key, a bad value
// or a missing file stops the start with exit status 2 naming the file, the
// line and the reason; --log-format json writes one JSON object per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli, startServer, req } from './lib.mjs';
import { spawnSync } from 'node:child_process';

function dir() {
  const d = mkdtempSync(join(tmpdir(), 'gongdan-config-'));
  assert.equal(cli(['init', '--db', join(d, 'test.db'), '--demo-users']).status, 0);
  return d;
}

// serve that must fail at once: {status, stderr}
function serveFails(args, env = {}) {
  const r = spawnSync(BIN, ['serve', ...args], { encoding: 'utf8', timeout: 10000, env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr };
}

test('the file is read; the environment overrides it and flags override both', async () => {
  const d = dir();
  const conf = join(d, 'gongdan.conf');
  writeFileSync(conf, [
    '# the test\'s settings',
    `db = ${join(d, 'from-file.db')}`,
    'listen = 127.0.0.1:1',           // overridden by --listen below
    'threads = 1',
    'log-format = text',              // overridden by GONGDAN_LOG_FORMAT
    'max-body = 2048',
    'quiet = false',
    '',
  ].join('\n'));
  // startServer passes --db, --listen and --www as flags: give the file's db
  // back through the environment to see the file's other keys at work
  const srv = await startServer({ dir: d, keep: true, args: ['--config', conf], env: { GONGDAN_LOG_FORMAT: 'json' } });
  try {
    assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200);
    // max-body from the file: 2 KiB
    const big = await req(srv.url, 'POST', '/api/v1/session', { raw: JSON.stringify({ username: 'x'.repeat(3000), password: 'y' }), headers: { 'content-type': 'application/json' } });
    assert.equal(big.status, 413);
    // the flag --db beat the file's db
    assert.ok(!existsSync(join(d, 'from-file.db')));
  } finally {
    await srv.stop();
  }
  // GONGDAN_LOG_FORMAT beat the file's text: every line is one JSON object
  const lines = srv.stderr().trim().split('\n');
  assert.ok(lines.length >= 3);
  for (const l of lines) {
    const o = JSON.parse(l);
    assert.ok(o.time && o.level && o.msg, l);
  }
  assert.ok(lines.some((l) => JSON.parse(l).msg === `configuration from ${conf}`));
  rmSync(d, { recursive: true, force: true });
});

test('the file alone starts a server on its database', async () => {
  const d = dir();
  const conf = join(d, 'only.conf');
  writeFileSync(conf, `db = ${join(d, 'only.db')}\nlisten = 127.0.0.1:0\nthreads = 1\nlog-format = json\nquiet = true\n`);
  const { spawn } = await import('node:child_process');
  const p = spawn(BIN, ['serve', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stderr.on('data', (x) => { err += x; });
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no start: ' + err)), 10000);
    p.stdout.on('data', (x) => { out += x; const m = out.match(/listening on (\S+)/); if (m) { clearTimeout(t); resolve(m[1]); } });
  });
  assert.equal((await req(url, 'GET', '/healthz')).status, 200);
  assert.ok(existsSync(join(d, 'only.db')), 'the database named by the file');
  p.kill('SIGTERM');
  const code = await new Promise((r) => p.on('exit', r));
  assert.equal(code, 0);
  // quiet = true: no access lines
  assert.doesNotMatch(err, /access/);
  rmSync(d, { recursive: true, force: true });
});

test('bad files stop the start with exit status 2, the file, the line and the reason', () => {
  const d = dir();
  const cases = [
    ['db = a.db\nthreds = 2\n', /bad\.conf:2: unknown key 'threds' \(the keys are: db, listen,/],
    ['db = a.db\n\n# c\ndb = b.db\n', /bad\.conf:4: duplicate key 'db' \(first set on line 1\)/],
    ['threads = 100\n', /bad\.conf:1: threads: '100' must be a whole number from 0 to 64/],
    ['listen = localhost\n', /bad\.conf:1: listen: .*HOST:PORT/],
    ['log-format = xml\n', /bad\.conf:1: log-format/],
    ['quiet = maybe\n', /bad\.conf:1: quiet/],
    ['max-body\n', /bad\.conf:1: /],
    ['tls-cert = /nonexistent.pem\n', /bad\.conf:1: tls-cert: tls-cert and tls-key go together/],
  ];
  for (const [text, why] of cases) {
    writeFileSync(join(d, 'bad.conf'), text);
    const r = serveFails(['--config', join(d, 'bad.conf'), '--listen', '127.0.0.1:0']);
    assert.equal(r.status, 2, `${JSON.stringify(text)}: ${r.stderr}`);
    assert.match(r.stderr, why, JSON.stringify(text));
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  const missing = serveFails(['--config', join(d, 'nope.conf')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.conf: cannot read the configuration file/);
  // a bad environment value names the variable
  const env = serveFails(['--listen', '127.0.0.1:0'], { GONGDAN_THREADS: 'many' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /GONGDAN_THREADS/);
  rmSync(d, { recursive: true, force: true });
});
