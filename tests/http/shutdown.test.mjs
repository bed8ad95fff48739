// shutdown.test.mjs - SIGTERM on a bad day (issue 10): while another process
// holds the database's write lock (an sqlite3 shell in BEGIN EXCLUSIVE) and
// clients keep writing, the server still answers or closes every connection
// and exits 0 within its grace; reads keep working meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, tokenFor, netTicket } from './lib.mjs';

// An sqlite3 shell holding the write lock until killed.
function holdWriteLock(db) {
  const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
  p.stdin.write('BEGIN EXCLUSIVE;\nSELECT \'locked\';\n');
  return new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => { if (String(d).includes('locked')) resolve(p); });
    p.on('exit', (code) => reject(new Error(`sqlite3 exited ${code}`)));
  });
}

test('SIGTERM while the database is locked from outside: every client answered or closed, exit 0', async (t) => {
  const srv = await startServer();
  const token = tokenFor(srv, 'agent1');
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const draft = await (await fetch(`${srv.url}/api/v1/tickets`, { method: 'POST', headers: auth, body: JSON.stringify(netTicket()) })).json();
  const lock = await holdWriteLock(srv.db);
  // reads go on while the lock is held
  const read = await fetch(`${srv.url}/api/v1/tickets/${draft.number}`, { headers: auth });
  assert.equal(read.status, 200);
  // 20 clients writing back to back until the server goes away
  const statuses = {};
  let inFlight = 0;
  const clients = Array.from({ length: 20 }, async (_, c) => {
    for (let i = 0; ; i++) {
      inFlight++;
      try {
        const r = await fetch(`${srv.url}/api/v1/tickets`, { method: 'POST', headers: auth,
          body: JSON.stringify(netTicket({ fault_number: `1390${String(c).padStart(3, '0')}${String(i).padStart(4, '0')}` })) });
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        await r.arrayBuffer();
      } catch {
        statuses.closed = (statuses.closed || 0) + 1;
        return;
      } finally {
        inFlight--;
      }
    }
  });
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  const stopped = srv.stop('SIGTERM');
  const exit = await stopped;
  const exitMs = Date.now() - t0;
  const settled = await Promise.race([Promise.all(clients).then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
  lock.kill();
  t.diagnostic(`exit ${JSON.stringify(exit)} ${exitMs} ms after SIGTERM; answers ${JSON.stringify(statuses)}; `
    + `${inFlight} requests left without an answer or a close`);
  assert.deepEqual(exit, { code: 0, signal: null }, srv.stderr().slice(-2000));
  assert.ok(settled && inFlight === 0, 'every client got an answer or a closed connection');
  assert.ok(statuses[503] > 0, 'writes that could not get the lock were answered 503');
  assert.ok(!statuses[500], 'no 500s');
  assert.doesNotMatch(srv.stderr(), /suspended connections|AddressSanitizer|LeakSanitizer/);
});
