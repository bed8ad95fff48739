// list-loader.js - what every ticket list does with GET /api/v1/tickets:
// a page of 50 rows by next_cursor (a bounded search goes on by itself for
// about a second, then says how far it got), the status line under it, the
// 加载更多 button, and 导出 CSV of the whole list (every page, one file).
// Used by pages/list.js, pages/queue.js and pages/search.js.
import { h } from './dom.js';
import * as api from './api.js';
import { t, fmtTime } from './i18n.js';

export const PAGE = 50;
const AUTO_MS = 1000;     // a bounded search goes on by itself for about this long
const AUTO_REQUESTS = 25; // and at most this many requests

// One page of the list from cursor (null: the first): {items, cursor,
// partial, searched_to}. The server bounds each request's work: a search
// with rare filters may answer a few rows or none, with a cursor. Go on by
// ourselves, request by request, until the page is full or for about a
// second; status says meanwhile how far the search got.
export async function fetchPage(params, cursor, status) {
  const started = performance.now();
  const items = [];
  let body;
  let requests = 0;
  do {
    body = (await api.get('/api/v1/tickets' + api.query({ ...params, limit: PAGE - items.length, cursor }))).body;
    items.push(...body.items);
    cursor = body.next_cursor;
    requests++;
    if (body.partial && !items.length && status) status.textContent = t('list.searching', { time: fmtTime(body.searched_to) });
  } while (body.partial && cursor && items.length < PAGE && requests < AUTO_REQUESTS &&
           performance.now() - started < AUTO_MS);
  return { items, cursor, partial: body.partial, searched_to: body.searched_to };
}

// The status line after a page: how many rows are shown, and how far a
// partial search got.
export function shownText(shown, page) {
  if (page.partial) return t('list.partial', { n: shown, time: fmtTime(page.searched_to) });
  return shown ? t('list.shown', { n: shown }) : '';
}

// 加载更多 (or nothing on the last page): loads the next page, then the
// keyboard carries on at the first new row of wrap.
export function moreButton(cursor, wrap, shown, load) {
  if (!cursor) return null;
  return h('button', { type: 'button', on: { click: async (e) => {
    e.target.disabled = true;
    await load(cursor);
    const links = wrap.querySelectorAll('a.row-link');
    if (links[shown]) links[shown].focus();
  } } }, t('list.more'));
}

// Every page of the list as CSV, one request after another (each bounded
// by the server), saved as one file: the first page brings the byte-order
// mark and the header row, the later ones only rows (README, Lists).
export async function exportCsv(params, button, said) {
  button.disabled = true;
  const parts = [];
  let cursor = null;
  let rows = -1; // the header row
  let name = 'tickets.csv';
  try {
    do {
      const r = await api.request('GET', '/api/v1/tickets' + api.query({ ...params, limit: PAGE, cursor, format: 'csv' }),
        { bytes: true });
      if (!parts.length) name = (/filename="([^"]+)"/.exec(r.headers.get('content-disposition') || '') || [])[1] || name;
      parts.push(r.bytes);
      rows += new Uint8Array(r.bytes).reduce((n, b) => n + (b === 10), 0);
      cursor = r.headers.get('x-next-cursor');
      said.textContent = t('list.exporting', { n: rows });
    } while (cursor);
    const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    said.textContent = t('list.exported', { n: rows });
  } catch (e) {
    said.textContent = t('list.export_failed', { message: e.message });
  } finally {
    button.disabled = false;
  }
}
