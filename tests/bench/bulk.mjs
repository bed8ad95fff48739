// bulk.mjs — owned by tests/bench: the "bulk dispatch of 200 tickets" row of
// `make bench` (issue 13). Against a running server: per round, an agent
// creates BENCH_BULK_TICKETS (default 200) tickets submitted at once, then a
// dispatcher dispatches them all with one POST /api/v1/tickets/actions/dispatch;
// the row is the time of that request (p50 and max over BENCH_BULK_ROUNDS
// rounds, default 5) and the commits it took, read from /metrics
// (gongdan_group_commit_batch_size_count before and after; nothing else
// writes meanwhile, so it must be 1 per round).
//
//   node tests/bench/bulk.mjs URL AGENT_TOKEN DISPATCHER_TOKEN
//
// Prints "bulk-dispatch TICKETS p50_ms max_ms commits_per_round done/round"
// and exits non-zero when a round was not all done in exactly one commit.
const [url, agentToken, dispatcherToken] = process.argv.slice(2);
if (!url || !agentToken || !dispatcherToken) {
  console.error('usage: node tests/bench/bulk.mjs URL AGENT_TOKEN DISPATCHER_TOKEN');
  process.exit(2);
}
const N = Number(process.env.BENCH_BULK_TICKETS || 200);
const ROUNDS = Number(process.env.BENCH_BULK_ROUNDS || 5);

async function call(token, method, path, body) {
  const r = await fetch(url + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text;
}

async function commits() {
  const m = (await call(agentToken, 'GET', '/metrics')).match(/^gongdan_group_commit_batch_size_count (\d+)$/m);
  return Number(m[1]);
}

let seq = 0;
const fault = () => `1390${String(process.pid % 1000).padStart(3, '0')}${String(++seq).padStart(4, '0')}`;
const ticket = () => ({
  category: 'VAS.MMS.FORCED', fault_number: fault(), subject: '用户反映手机被强行定制彩信业务',
  description: '用户称未定制移动多媒体邮箱却被扣费，要求退费并取消。', submit: true,
});

const times = [], used = [];
let failed = false;
// the tokens' once-a-minute last_used_at writes happen before the first count
await call(agentToken, 'GET', '/api/v1/me');
await call(dispatcherToken, 'GET', '/api/v1/me');
await new Promise((r) => setTimeout(r, 200));
for (let round = 0; round < ROUNDS; round++) {
  const tickets = [];
  for (let i = 0; i < N; i++) {
    const t = JSON.parse(await call(agentToken, 'POST', '/api/v1/tickets', ticket()));
    tickets.push({ number: t.number, version: t.version });
  }
  const before = await commits();
  const t0 = process.hrtime.bigint();
  const answer = JSON.parse(await call(dispatcherToken, 'POST', '/api/v1/tickets/actions/dispatch',
    { tickets, inputs: { department: 'NET', comment: '批量派单' } }));
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  used.push((await commits()) - before);
  if (answer.done !== N || used.at(-1) !== 1) {
    failed = true;
    console.error(`round ${round}: done ${answer.done} of ${N}, ${used.at(-1)} commits`);
  }
}
times.sort((a, b) => a - b);
const p50 = times[Math.floor((times.length - 1) / 2)];
console.log(`bulk-dispatch ${N} ${p50.toFixed(1)} ${times.at(-1).toFixed(1)} ${used.join(',')} ${failed ? 'FAILED' : 'all'}`);
process.exit(failed ? 1 : 0);
