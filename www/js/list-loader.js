// list-loader.js - one page of a ticket list from GET /api/v1/tickets, for
// every page that shows one (the lists, 查询). The server bounds each
// request's work: a search with rare filters may answer a few rows or none,
// with a cursor (partial). loadPage goes on by itself, request by request,
// until the page is full or for about a second; then the caller says how far
// the search got and lets 加载更多 go on from the cursor (README, Lists and
// search).
import * as api from './api.js';

export const PAGE = 50;
const AUTO_MS = 1000;     // a bounded search goes on by itself for about this long
const AUTO_REQUESTS = 25; // and at most this many requests

// loadPage(params, cursor, {onSearching(searched_to)}) →
//   {items, cursor (next, or null), partial, searchedTo}
export async function loadPage(params, cursor, { onSearching } = {}) {
  const started = performance.now();
  const items = [];
  let body;
  let requests = 0;
  do {
    body = (await api.get('/api/v1/tickets' + api.query({ ...params, limit: PAGE - items.length, cursor }))).body;
    items.push(...body.items);
    cursor = body.next_cursor;
    requests++;
    if (body.partial && !items.length && onSearching) onSearching(body.searched_to);
  } while (body.partial && cursor && items.length < PAGE && requests < AUTO_REQUESTS &&
           performance.now() - started < AUTO_MS);
  return { items, cursor, partial: body.partial, searchedTo: body.searched_to };
}
