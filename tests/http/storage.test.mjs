// storage.test.mjs - a full disk (issue 10): writes answer 507 storage_full
// with a message a person understands, the log says so once a minute, not
// once a request, /healthz reports "degraded" with the reason until a write
// succeeds again, and reads keep working. The database lives on a small
// tmpfs, so this needs root (mount); elsewhere it is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, cli, tokenFor, netTicket, req } from './lib.mjs';

function mountTmpfs() {
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (${(r.stderr || r.error || '').toString().trim() || 'not root'})` };
  }
  return { dir };
}

// Fills the filesystem at dir with a file until no byte is left.
function fill(dir) {
  const file = join(dir, 'filler');
  const r = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=64k'], { encoding: 'utf8' });
  assert.match(r.stderr, /No space left/, 'the filler filled the disk');
  return file;
}

const mount = mountTmpfs();

test('a full disk: 507 storage_full, logged once a minute, /healthz degraded until writes work again; reads work',
  { skip: mount.skip }, async (t) => {
    const { dir } = mount;
    const db = join(dir, 'test.db'); // the name startServer({dir}) serves
    try {
      assert.equal(cli(['init', '--db', db, '--demo-users']).status, 0);
      const srv = await startServer({ dir, args: ['--quiet'], keep: true });
      const token = tokenFor(srv, 'agent1');
      const auth = { authorization: `Bearer ${token}` };
      const ok = await req(srv.url, 'POST', '/api/v1/tickets', { body: netTicket(), headers: auth });
      assert.equal(ok.status, 201);
      const filler = fill(dir);
      let full;
      const statuses = {};
      for (let i = 0; i < 300; i++) {
        const r = await req(srv.url, 'POST', '/api/v1/tickets', { body: netTicket({ description: `第${i}次 ${'满'.repeat(500)}` }), headers: auth });
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        if (r.status === 507) full = r;
      }
      t.diagnostic(`300 creates on a full disk: ${JSON.stringify(statuses)}`);
      assert.ok(full, 'writes were refused with 507');
      assert.equal(full.body.error.code, 'storage_full');
      assert.match(full.body.error.message, /disk is full/);
      assert.ok(!statuses[500], 'never 500 internal_error');
      const health = await req(srv.url, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'degraded');
      assert.match(health.body.reason, /writes are failing.*full/);
      // reads keep working
      const list = await req(srv.url, 'GET', '/api/v1/tickets', { headers: auth });
      assert.equal(list.status, 200);
      assert.equal(list.body.items[0].number, ok.body.number);
      const lines = srv.stderr().split('\n').filter((l) => /storage full|disk is full|database or disk/.test(l));
      t.diagnostic(`log lines about the full disk: ${lines.length}`);
      assert.ok(lines.length >= 1 && lines.length <= 3, lines.join('\n'));
      // room again: the probe notices within seconds, and writes work
      unlinkSync(filler);
      const t0 = Date.now();
      let status;
      do {
        await new Promise((r) => setTimeout(r, 500));
        status = (await req(srv.url, 'GET', '/healthz')).body.status;
      } while (status !== 'ok' && Date.now() - t0 < 20000);
      t.diagnostic(`/healthz ok again ${Date.now() - t0} ms after the space came back`);
      assert.equal(status, 'ok');
      assert.equal((await req(srv.url, 'POST', '/api/v1/tickets', { body: netTicket(), headers: auth })).status, 201);
      const stop = await srv.stop();
      assert.deepEqual(stop, { code: 0, signal: null });
    } finally {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
