// wal.test.mjs - the WAL stays bounded under sustained writes with readers
// busy at the same time (issue 9): checkpoints make progress and the log
// starts over, so its file never passes 64 MiB, and a clean stop empties it.
// Two sqlite3 processes keep overlapping read snapshots open the whole time:
// with PASSIVE checkpoints alone the log grew to 148 MiB in this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { startServer, as, stopClean } from './lib.mjs';

const LIMIT = 64 << 20;
const CREATES = Number(process.env.WAL_TEST_CREATES || 6000);
const READERS = Number(process.env.WAL_TEST_READERS || 4);
const WRITERS = Number(process.env.WAL_TEST_WRITERS || 32);

function walSize(db) {
  try { return statSync(`${db}-wal`).size; } catch { return 0; }
}

test(`${CREATES} creates from ${WRITERS} clients while ${READERS} clients read: the WAL never passes 64 MiB`, { timeout: 600000 }, async () => {
  const srv = await startServer({ args: ['--quiet'], keep: true });
  const agent = as(srv, 'agent1');
  const reader = as(srv, 'dispatcher1');
  let largest = 0, done = false, made = 0, reads = 0;
  const watch = setInterval(() => { largest = Math.max(largest, walSize(srv.db)); }, 5);
  const text = '用户反映手机停机后无法上网，要求尽快处理并回电。'.repeat(8);
  const writer = async (w) => {
    for (let i = w; i < CREATES; i += WRITERS) {
      const r = await agent.post('/api/v1/tickets', {
        category: 'BILL.SUSPEND', fault_number: `139${String(10000000 + i).slice(-8)}`, subject: `停机 ${i}`,
        description: text, submit: true,
      });
      assert.equal(r.status, 201, r.text);
      made++;
    }
  };
  const readerLoop = async () => {
    while (!done) {
      const r = await reader.get(reads % 2 ? '/api/v1/tickets?limit=5' : '/api/v1/tickets?limit=50&q=%E5%81%9C%E6%9C%BA');
      assert.equal(r.status, 200, r.text);
      if (r.body.items.length) assert.equal((await reader.get(`/api/v1/tickets/${r.body.items[0].number}`)).status, 200);
      reads++;
    }
  };
  const readers = Array.from({ length: READERS }, readerLoop);
  // and two readers from outside whose snapshots overlap, so some reader
  // is always on the WAL: a log that waits for a moment without readers to
  // start over never starts over
  const holdSnapshot = async () => {
    while (!done) {
      await new Promise((resolve) => {
        const p = spawn('sqlite3', [srv.db, 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000)'
          + ' SELECT count(*) FROM c, (SELECT 1 FROM tickets LIMIT 1);'], { stdio: 'ignore' });
        p.on('exit', resolve);
      });
    }
  };
  const outside = [holdSnapshot(), new Promise((r) => setTimeout(r, 40)).then(holdSnapshot)];
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  done = true;
  await Promise.all([...readers, ...outside]);
  clearInterval(watch);
  largest = Math.max(largest, walSize(srv.db));
  const written = Number((await reader.get('/api/v1/queues')).body.total);
  assert.equal(written, CREATES);
  assert.ok(reads > 50, `the readers were busy (${reads} reads)`);
  console.log(`# ${made} creates, ${reads} reads; largest WAL ${(largest / 1048576).toFixed(1)} MiB`);
  assert.ok(largest > 1 << 20, 'the load wrote a WAL worth bounding');
  assert.ok(largest <= LIMIT, `the WAL reached ${largest} bytes`);
  await stopClean(srv);
  assert.equal(walSize(srv.db), 0, 'a clean stop checkpoints and empties the WAL');
  rmSync(srv.dir, { recursive: true, force: true });
});
