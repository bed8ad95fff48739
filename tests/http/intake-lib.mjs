// intake-lib.mjs - helpers shared by the intake tests (issue 4): a client per
// demo user, ticket factories with fresh fault numbers, paging through a
// whole list, the 422 shape, local dates, and the sqlite3 CLI on the
// server's database (categories and number segments only: writing tickets
// from the CLI would miss the 'cjk' tokenizer of the search triggers).
import assert from 'node:assert/strict';
import { errorOf, DEMO_USERS, clients, sql, stopClean } from './lib.mjs';

export { clients, sql, stopClean };
export const DEMO = DEMO_USERS;

// A fresh 11-digit mobile number per call (no two tests share a customer).
let seq = 0;
const base = String(Math.floor(Math.random() * 900) + 100);
export function freshMobile(prefix = '136') {
  seq += 1;
  return prefix + base + String(seq).padStart(5, '0');
}

// A VAS ticket body: no required extra fields.
export function vasTicket(overrides = {}) {
  return {
    category: 'VAS.MMS.FORCED', fault_number: freshMobile(), subject: '未定制彩信业务却被收费',
    description: '用户称从未定制该业务。', ...overrides,
  };
}

// POSTs a ticket and insists on 201; returns the ticket.
export async function create(client, body) {
  const r = await client.post('/api/v1/tickets', body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// Every item of a list, following next_cursor; the query without '?'.
export async function listAll(client, query = '') {
  const items = [];
  let cursor = null;
  for (let pages = 0; pages < 1000; pages++) {
    const q = [query, 'limit=200', cursor ? `cursor=${cursor}` : ''].filter(Boolean).join('&');
    const r = await client.get(`/api/v1/tickets?${q}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('next_cursor never ended');
}

export const numbers = (items) => items.map((t) => t.number);

// Asserts a 422 validation error naming exactly `names` (all of them, at
// once) unless `only` is false; returns the fields object.
export function invalid(res, names, { only = true } = {}) {
  assert.equal(res.status, 422, res.text);
  const e = errorOf(res);
  assert.equal(e.code, 'validation_failed');
  assert.ok(e.fields && typeof e.fields === 'object', `no fields in ${res.text}`);
  for (const n of names) assert.ok(typeof e.fields[n] === 'string' && e.fields[n].length > 0, `${n} not named in ${res.text}`);
  if (only) assert.deepEqual(Object.keys(e.fields).sort(), [...names].sort(), res.text);
  return e.fields;
}

// YYYYMMDD / YYYY-MM-DD of a Date in local time (the server's zone: same env).
export function localDay(d = new Date(), sep = '') {
  const p = (n) => String(n).padStart(2, '0');
  return [d.getFullYear(), p(d.getMonth() + 1), p(d.getDate())].join(sep);
}

