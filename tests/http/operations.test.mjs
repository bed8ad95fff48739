// operations.test.mjs - what an operator does to a running gongdan (issue
// 12): `gongdan backup --to FILE` while the server serves and writes, the
// copy checked with `audit verify` and restored by starting a server on it;
// an upgrade, where a database of the previous release's schema (the newest
// migration taken back) is migrated by this binary at start; a database
// newer than the binary is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cli, startServer, clients, netTicket, req, sql, stopClean, takeBack, cliAsync } from './lib.mjs';
import { freshFault, act, inputsFor } from './workflow-lib.mjs';

test('backup under write load: a consistent copy that audit verify accepts and a server can serve', async () => {
  const srv = await startServer();
  const u = clients(srv, ['agent1', 'agent2', 'dispatcher1']);
  const out = join(srv.dir, 'copy.db');
  try {
    // some tickets first, so the copy has history chains to verify
    for (let i = 0; i < 30; i++)
      assert.equal((await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }))).status, 201);
    let stop = false, writes = 0, failures = 0;
    const writer = async (c) => {
      while (!stop) {
        const r = await c.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }));
        if (r.status !== 201) { failures++; continue; }
        writes++;
        // and a workflow action on it: history rows and queue counters move
        const d = await act(u.dispatcher1, r.body.number, 'dispatch', inputsFor('dispatch', 'NET'));
        if (d.status !== 200) failures++;
      }
    };
    const load = [writer(u.agent1), writer(u.agent2), writer(u.agent1)];
    await new Promise((r) => setTimeout(r, 300));
    const before = writes;
    const b = await cliAsync(['backup', '--db', srv.db, '--to', out]);
    const during = writes - before;
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(load);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /backed up .* to .*: \d+ bytes in [0-9.]+ s/);
    assert.equal(failures, 0, 'every write during the backup succeeded');
    assert.ok(writes > before, 'the server kept writing during the backup');
    console.log(`# backup: ${b.stdout.trim()}; ${during} creates+dispatches committed while it ran, ${writes} in all`);
    assert.ok(existsSync(out) && !existsSync(out + '.partial'));
    assert.ok(statSync(out).size > 0);
    // the copy: intact history chains, counters equal to a recount
    const v = cli(['audit', 'verify', '--db', out]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /audit ok/);
    assert.equal(sql(out, 'PRAGMA integrity_check'), 'ok');
    const copied = Number(sql(out, 'SELECT count(*) FROM tickets'));
    const live = Number(sql(srv.db, 'SELECT count(*) FROM tickets'));
    assert.ok(copied >= 30 + before && copied <= live, `copy ${copied}, live ${live}`);
    // a second backup to the same file is refused, the first left alone
    const again = cli(['backup', '--db', srv.db, '--to', out]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists; refusing to overwrite/);
    // a missing source is an error, not a new empty database
    const none = cli(['backup', '--db', join(srv.dir, 'nope.db'), '--to', join(srv.dir, 'x.db')]);
    assert.equal(none.status, 1);
    assert.ok(!existsSync(join(srv.dir, 'nope.db')) && !existsSync(join(srv.dir, 'x.db')));
  } finally {
    await stopClean(srv).catch(() => {});
  }
});

test('restore: the copy put in place of the database serves its tickets', async () => {
  const a = await startServer({ keep: true });
  const u = clients(a, ['agent1']);
  const made = await u.agent1.post('/api/v1/tickets', netTicket({ fault_number: freshFault(), submit: true }));
  assert.equal(made.status, 201);
  const backup = join(a.dir, 'backup.db');
  assert.equal(cli(['backup', '--db', a.db, '--to', backup]).status, 0);
  await a.stop();
  // the README's restore: stop gongdan, replace the file (and drop the old
  // -wal and -shm), start it again
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-restore-'));
  const db = join(dir, 'test.db');
  copyFileSync(backup, db);
  rmSync(a.dir, { recursive: true, force: true });
  const b = await startServer({ dir });
  try {
    const r = await clients(b, ['agent1']).agent1.get(`/api/v1/tickets/${made.body.number}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.subject, made.body.subject);
  } finally {
    await stopClean(b);
  }
});

test('upgrade: a database of the previous schema is migrated at start and keeps its tickets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gongdan-upgrade-'));
  const db = join(dir, 'test.db');
  const init = await cliAsync(['init', '--db', db, '--demo']);
  assert.equal(init.status, 0, init.stderr);
  const newest = Number(sql(db, 'PRAGMA user_version'));
  const previous = newest - 1;
  // the previous release's schema, with the demo tickets written under it
  takeBack(db, previous);
  assert.equal(Number(sql(db, 'PRAGMA user_version')), previous);
  const tickets = sql(db, 'SELECT number, subject FROM tickets ORDER BY id');
  assert.ok(tickets.split('\n').length >= 3);
  const srv = await startServer({ dir, keep: true });
  try {
    assert.match(srv.stderr(), new RegExp(`applied migration ${String(newest).padStart(4, '0')}_`));
    assert.equal(Number(sql(db, 'PRAGMA user_version')), newest);
    assert.equal(sql(db, 'SELECT number, subject FROM tickets ORDER BY id'), tickets);
    const u = clients(srv, ['agent1']);
    const first = tickets.split('\n')[0].split('|')[0];
    assert.equal((await u.agent1.get(`/api/v1/tickets/${first}`)).status, 200);
    // what the new schema adds works on the migrated database
    const body = netTicket({ fault_number: freshFault() });
    const k = `upgrade-${process.pid}`;
    const one = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
    const two = await u.agent1.post('/api/v1/tickets', body, { 'idempotency-key': k });
    assert.equal(one.status, 201);
    assert.equal(two.text, one.text);
    assert.equal((await req(srv.url, 'GET', '/healthz')).status, 200);
    // the reports' counters were filled for the tickets already there
    const rep = await clients(srv, ['supervisor1']).supervisor1.get('/api/v1/reports/complaints?group_by=region');
    assert.equal(rep.status, 200, rep.text);
    assert.equal(rep.body.totals.count, Number(sql(db, 'SELECT count(*) FROM tickets')));
  } finally {
    await srv.stop();
  }
  const v = cli(['audit', 'verify', '--db', db]);
  assert.equal(v.status, 0, v.stderr);
  // a database from a newer gongdan is refused, not half understood
  sql(db, `PRAGMA user_version = ${newest + 1}`);
  const r = cli(['serve', '--db', db, '--listen', '127.0.0.1:0']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`schema is version ${newest + 1}, newer than this gongdan's ${newest}`));
  rmSync(dir, { recursive: true, force: true });
});
