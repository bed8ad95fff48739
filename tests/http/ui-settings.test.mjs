// ui-settings.test.mjs - the UI's settings in GET /api/v1/reference (issue
// 13): `serve --nearly-overdue-hours` (the file's nearly-overdue-hours,
// GONGDAN_NEARLY_OVERDUE_HOURS) says how close to its deadline an open
// ticket is shown as nearly overdue; default 4, 0 turns it off, 0-720. The
// reference ETag is a hash of the body, so another setting is another tag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, cli, startServer, clients, stopClean } from './lib.mjs';

async function settingsOf(opts) {
  const srv = await startServer(opts);
  try {
    const { dispatcher1 } = clients(srv, ['dispatcher1']);
    const r = await dispatcher1.get('/api/v1/reference');
    assert.equal(r.status, 200, r.text);
    return { settings: r.body.settings, etag: r.headers.get('etag') };
  } finally {
    await stopClean(srv);
  }
}

test('nearly_overdue_hours: 4 by default, from the flag, the environment and the file; the ETag follows it', async () => {
  const def = await settingsOf({});
  assert.deepEqual(def.settings, { nearly_overdue_hours: 4 });
  const flag = await settingsOf({ args: ['--nearly-overdue-hours', '12'] });
  assert.deepEqual(flag.settings, { nearly_overdue_hours: 12 });
  assert.notEqual(flag.etag, def.etag, 'another setting, another tag');
  const off = await settingsOf({ env: { GONGDAN_NEARLY_OVERDUE_HOURS: '0' } });
  assert.deepEqual(off.settings, { nearly_overdue_hours: 0 });
  const d = mkdtempSync(join(tmpdir(), 'gongdan-settings-'));
  try {
    writeFileSync(join(d, 'g.conf'), 'nearly-overdue-hours = 720\n');
    const file = await settingsOf({ args: ['--config', join(d, 'g.conf')] });
    assert.deepEqual(file.settings, { nearly_overdue_hours: 720 });
    // the flag beats the file
    const both = await settingsOf({ args: ['--config', join(d, 'g.conf'), '--nearly-overdue-hours', '2'] });
    assert.deepEqual(both.settings, { nearly_overdue_hours: 2 });
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  // the same setting, the same tag (a restart does not invalidate caches)
  assert.equal((await settingsOf({})).etag, def.etag);
});

test('a bad nearly-overdue-hours stops the start with exit status 2 and the reason', () => {
  const d = mkdtempSync(join(tmpdir(), 'gongdan-settings-'));
  try {
    const db = join(d, 't.db');
    assert.equal(cli(['init', '--db', db, '--demo-users']).status, 0);
    for (const v of ['721', '-1', 'soon', '1.5']) {
      const r = spawnSync(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--nearly-overdue-hours', v],
        { encoding: 'utf8', timeout: 10000 });
      assert.equal(r.status, 2, `${v}: ${r.stderr}`);
      assert.match(r.stderr, /nearly-overdue-hours: .* must be a whole number from 0 to 720/, v);
    }
    const env = spawnSync(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'],
      { encoding: 'utf8', timeout: 10000, env: { ...process.env, GONGDAN_NEARLY_OVERDUE_HOURS: 'x' } });
    assert.equal(env.status, 2);
    assert.match(env.stderr, /GONGDAN_NEARLY_OVERDUE_HOURS/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
