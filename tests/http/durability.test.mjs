// durability.test.mjs - what the server promises about stopping: SIGTERM lets
// in-flight writes finish and answers them; a ticket acknowledged with 201
// survives kill -9 of the server the next instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, tokenFor, netTicket } from './lib.mjs';

async function create(url, token, i) {
  const r = await fetch(url + '/api/v1/tickets', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(netTicket({ fault_number: `1390000${String(i).padStart(4, '0')}`, submit: true })),
  });
  return { status: r.status, body: await r.json() };
}

async function numbersIn(srv, token) {
  const seen = new Set();
  let cursor = '';
  for (;;) {
    const r = await fetch(`${srv.url}/api/v1/tickets?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      { headers: { authorization: `Bearer ${token}` } });
    const page = await r.json();
    page.items.forEach((t) => seen.add(t.number));
    if (!page.next_cursor) return seen;
    cursor = page.next_cursor;
  }
}

test('SIGTERM: in-flight creates are answered, every 201 is stored, exit status 0', async () => {
  const srv = await startServer({ keep: true });
  const token = tokenFor(srv, 'agent1');
  // stop as soon as the first answers come back, with the rest in flight
  let firstAnswer;
  const answered = new Promise((r) => { firstAnswer = r; });
  const pending = Array.from({ length: 40 }, (_, i) => create(srv.url, token, i)
    .then((r) => { firstAnswer(); return r; }, () => null));
  await answered;
  const stopped = srv.stop('SIGTERM');
  const results = await Promise.all(pending);
  assert.equal((await stopped).code, 0, srv.stderr().slice(-3000));
  const acknowledged = results.filter((r) => r && r.status === 201).map((r) => r.body.number);
  for (const r of results) if (r) assert.equal(r.status, 201, JSON.stringify(r.body)); // answered, never half-done
  const again = await startServer({ dir: srv.dir, keep: true });
  const stored = await numbersIn(again, tokenFor(again, 'admin'));
  for (const n of acknowledged) assert.ok(stored.has(n), `${n} was acknowledged but is missing`);
  await again.stop();
  rmSync(srv.dir, { recursive: true, force: true });
});

test('kill -9 right after 201s: every acknowledged ticket is there on restart', async () => {
  const srv = await startServer({ keep: true });
  const token = tokenFor(srv, 'agent1');
  const acknowledged = [];
  let killed = false;
  const work = Array.from({ length: 30 }, async (_, i) => {
    try {
      const r = await create(srv.url, token, 100 + i);
      if (r.status === 201) {
        acknowledged.push(r.body.number);
        if (acknowledged.length === 10 && !killed) { killed = true; srv.proc.kill('SIGKILL'); }
      }
    } catch { /* the connection died with the server */ }
  });
  await Promise.all(work);
  if (!killed) srv.proc.kill('SIGKILL');
  await srv.stop();
  const again = await startServer({ dir: srv.dir, keep: true });
  const stored = await numbersIn(again, tokenFor(again, 'admin'));
  assert.ok(acknowledged.length >= 10);
  for (const n of acknowledged) assert.ok(stored.has(n), `${n} was acknowledged but is missing after kill -9`);
  await again.stop();
  rmSync(srv.dir, { recursive: true, force: true });
});
