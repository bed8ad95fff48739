// intake-search.test.mjs - full text `q` over subject, description and the
// extra fields' values (SPEC §6): Chinese two-character words, longer
// phrases, digits and mixed words; no match across non-adjacent characters;
// words ANDed; FTS5 syntax typed by a user is plain text, never a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, netTicket } from './lib.mjs';
import { clients, freshMobile, vasTicket, create, listAll, numbers, invalid, stopClean } from './intake-lib.mjs';

let srv, u;
const T = {}; // name → ticket number
before(async () => {
  srv = await startServer();
  u = clients(srv);
  const make = async (name, who, body) => { T[name] = (await create(u[who], body)).number; };
  await make('stopSubject', 'agent1', vasTicket({ category: 'BILL.SUSPEND', subject: '用户反映手机停机', description: '昨天无故被扣费三十元，请回电13712345678。' }));
  await make('stopDesc', 'agent1', vasTicket({ category: 'BILL.SUSPEND', subject: '话费问题', description: '我昨天还能使用怎么今天就停机了' }));
  await make('chargeOnly', 'agent1', vasTicket({ category: 'BILL.DISPUTE', subject: '对账单有疑问', description: '每月扣费比套餐多' }));
  await make('apart', 'agent1', vasTicket({ subject: '停了一下机器', description: '扣了话费，费用不对' }));
  await make('wbb', 'agent2', vasTicket({ category: 'DATA.WBB.SLOW', subject: '3G无线宽带速率慢', description: '上网卡型号E1750，速率只有几十K' }));
  await make('field', 'agent1', netTicket({
    fault_number: freshMobile(), subject: '通话中断', description: '用户反映通话质量差',
    fields: { ...netTicket().fields, symptom: '通话时听到忙音后掉线', announcement: '您拨打的用户已关机', handset_model: 'Nokia N95' },
  }));
  await make('syntax', 'agent1', vasTicket({ subject: 'SP "梦网" OR NEAR(扣费 短信) AND (test*)', description: "a'b -c ^d col:e {x}: y" }));
  await make('phone', 'agent2', vasTicket({ subject: '联系电话', description: '用户留的电话是0871-65432100，另有手机13600001111' }));
  await make('latin', 'agent1', vasTicket({ subject: 'MMS彩信无法发送', description: 'Error CODE 503，iPhone升级后' }));
});
after(async () => { await stopClean(srv); });

// The numbers q finds, as the dispatcher (who sees everything).
async function find(q, extra = '') {
  const r = await u.dispatcher1.get(`/api/v1/tickets?limit=200&q=${encodeURIComponent(q)}${extra}`);
  assert.equal(r.status, 200, `q=${q}: ${r.text}`);
  return numbers(r.body.items);
}
// Asserts q finds exactly `names` among this file's tickets.
async function finds(q, names) {
  const got = new Set(await find(q));
  const mine = Object.keys(T).filter((n) => got.has(T[n])).sort();
  assert.deepEqual(mine, [...names].sort(), `q=${q}`);
}

test('two-character Chinese words: 停机 and 扣费, in subject and description', async () => {
  await finds('停机', ['stopSubject', 'stopDesc']);
  await finds('扣费', ['stopSubject', 'chargeOnly', 'syntax']);
  await finds('话费', ['stopDesc', 'apart']);
  await finds('彩信', ['latin']);
});

test('a two-character sequence that is not adjacent in the text is not found', async () => {
  // 'apart' holds 停 … 机 and 扣 … 费 but never 停机 or 扣费
  const got = await find('停机');
  assert.ok(!got.includes(T.apart));
  assert.ok(!(await find('扣费')).includes(T.apart));
  await finds('机器', ['apart']);
  await finds('费扣', []);
});

test('longer phrases, digits, mixed and Latin words', async () => {
  await finds('无线宽带', ['wbb']);
  await finds('3G无线宽带', ['wbb']);
  await finds('3G无线', ['wbb']);
  await finds('宽带速率', ['wbb']);
  await finds('宽带上网', []);
  await finds('用户反映手机停机', ['stopSubject']);
  await finds('13712345678', ['stopSubject']);
  await finds('13600001111', ['phone']);
  await finds('65432100', ['phone']);
  await finds('E1750', ['wbb']);
  await finds('e1750', ['wbb']);
  await finds('iphone', ['latin']);
  await finds('code', ['latin']);
  await finds('503', ['latin']);
  await finds('ＭＭＳ', ['latin']);
  await finds('停', ['stopSubject', 'stopDesc', 'apart']);
});

test('the values of extra fields are searched too', async () => {
  await finds('忙音', ['field']);
  await finds('已关机', ['field']);
  await finds('N95', ['field']);
  await finds('通话中断', ['field']);
  // the field names are not text
  assert.ok(!(await find('symptom')).includes(T.field));
});

test('several words are ANDed', async () => {
  await finds('停机 扣费', ['stopSubject']);
  await finds('扣费 停机', ['stopSubject']);
  await finds('扣费　套餐', ['chargeOnly']); // an ideographic space separates words too
  await finds('停机 套餐', []);
  await finds('无线 E1750 速率', ['wbb']);
});

test('FTS5 syntax typed by a user is text: quotes, *, NEAR, parentheses, AND/OR, a lone "', async () => {
  const queries = ['"', '""', '"停机', '停机"', '*', '停机*', '"梦网"', 'NEAR(扣费 短信)', 'NEAR', '(', ')', '(test*)', 'AND', 'OR', 'NOT',
    '扣费 OR 停机', 'a OR b', '-c', '^d', 'col:e', 'subject:停机', '{x}: y', "a'b", '\\', '\'', '+', ':', '%', '_',
    '😀', 'NEAR(a b, 3)', '停机 NOT 扣费', '" OR ""="', '*停机*', 'tickets_fts', ')(*&^%$#@!'];
  for (const q of queries) {
    const r = await u.dispatcher1.get(`/api/v1/tickets?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `q=${q}: ${r.text}`);
    assert.ok(Array.isArray(r.body.items));
  }
  // the words around the syntax still match as words
  await finds('"停机"', ['stopSubject', 'stopDesc']);
  await finds('停机*', ['stopSubject', 'stopDesc']);
  await finds('(扣费)', ['stopSubject', 'chargeOnly', 'syntax']);
  await finds('"梦网"', ['syntax']);
  await finds('NEAR(扣费', ['syntax']);
  await finds('OR', ['syntax']);
  await finds('AND', ['syntax']);
  await finds('NEAR', ['syntax']);
  await finds('col:e', ['syntax']);
  // an operator word is a word to find, not an operator
  await finds('扣费 OR 短信', ['syntax']);
  await finds('扣费 OR 停机', []);
  await finds('停机 NOT 扣费', []);
});

test('q combines with filters and visibility, and pages', async () => {
  assert.deepEqual(await find('停机', '&category=BILL.SUSPEND'), [T.stopDesc, T.stopSubject]);
  assert.deepEqual(await find('扣费', '&category=BILL.DISPUTE'), [T.chargeOnly]);
  assert.deepEqual(await find('扣费', '&created_by=agent2'), []);
  const mine = numbers((await u.agent2.get(`/api/v1/tickets?q=${encodeURIComponent('宽带')}`)).body.items);
  assert.deepEqual(mine, [T.wbb]);
  assert.deepEqual(numbers((await u.agent2.get(`/api/v1/tickets?q=${encodeURIComponent('停机')}`)).body.items), []);
  const p1 = await u.dispatcher1.get(`/api/v1/tickets?q=${encodeURIComponent('扣费')}&limit=2`);
  assert.equal(p1.body.items.length, 2);
  const p2 = await u.dispatcher1.get(`/api/v1/tickets?q=${encodeURIComponent('扣费')}&limit=2&cursor=${p1.body.next_cursor}`);
  const paged = numbers([...p1.body.items, ...p2.body.items]);
  assert.deepEqual(paged, await find('扣费'));
  assert.deepEqual(paged, paged.slice().sort().reverse(), 'newest first');
});

test('an edit is searchable at once, and the old words are gone', async () => {
  const t = await create(u.agent1, vasTicket({ subject: '彩铃被开通', description: '用户未定制彩铃' }));
  assert.deepEqual(await find('彩铃'), [t.number]);
  const r = await u.agent1.patch(`/api/v1/tickets/${t.number}`, { subject: '游戏点卡被扣', description: '误订游戏' });
  assert.equal(r.status, 200);
  assert.deepEqual(await find('彩铃'), []);
  assert.deepEqual(await find('点卡'), [t.number]);
});

test('an empty or over-long q is refused', async () => {
  invalid(await u.dispatcher1.get('/api/v1/tickets?q='), ['q']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?q=%20%20'), ['q']);
  invalid(await u.dispatcher1.get('/api/v1/tickets?q=%E3%80%80'), ['q']);
  // past the bounds on words and length: 400, before any work
  for (const q of ['停'.repeat(201), Array.from({ length: 11 }, (_, i) => `词${i}`).join(' ')]) {
    const r = await u.dispatcher1.get(`/api/v1/tickets?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, 'bad_request');
    assert.ok(r.body.error.fields.q, r.text);
  }
  assert.equal((await u.dispatcher1.get(`/api/v1/tickets?q=${encodeURIComponent(Array(10).fill('停机').join(' '))}`)).status, 200);
  assert.equal((await u.dispatcher1.get(`/api/v1/tickets?q=${encodeURIComponent('停'.repeat(200))}`)).status, 200);
  assert.equal((await listAll(u.dispatcher1, 'q=%E5%81%9C')).length, 3, 'a one-character query works');
});
