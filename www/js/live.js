// live.js - live updates: one EventSource on /api/v1/events per tab, shared
// by whatever the page shows (README, Live updates).
//
// subscribe({ticket, queues, reset}) → unsubscribe. ticket(data) is called
// for each change of a ticket the user may see ({number, state, department,
// version, action, at}), queues() when the queue counts may have changed,
// reset() when the server could not replay what was missed (reload what is
// shown). The stream opens with the first subscriber and closes a few
// seconds after the last one has gone, so moving from page to page keeps
// the one stream.
//
// Down and up again: a lost connection is retried by the browser itself,
// which sends Last-Event-ID, so nothing is missed. When the stream is closed
// for good (the server said `end` with reason stopping, or answered with an
// error such as 503), this module opens a new one after a growing pause
// (3 s … 60 s), naming the last event it saw (?last_event_id=). After
// `end` logged_out, a logout in this tab, or when the session is gone, it
// stops: no reconnecting until someone logs in again. While the stream has
// been down for more than DOWN_MS a status line says so (polite, both
// languages), and says so again briefly when it is back.
//
// followTable(table, {params, user, reload}) keeps a list's rows current:
// see below.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';
import * as session from './session.js';
import { category } from './reference.js';

const DOWN_MS = 10000;  // the status line appears when the stream is down this long
const LINGER_MS = 5000; // the stream outlives its last subscriber this long (page changes)
const BACKOFF_MS = [3000, 6000, 12000, 30000, 60000];

const subscribers = new Set();
let source = null;
let lastId = '';
let failures = 0;
let retryTimer = 0;
let lingerTimer = 0;
let downTimer = 0;
let upTimer = 0;
let isDown = false;
let stopped = false; // the session ended: nothing opens until the next login

function dispatch(kind, data) {
  for (const s of [...subscribers]) {
    if (!s[kind] || !subscribers.has(s)) continue;
    try { s[kind](data); } catch (e) { console.error(e); }
  }
}

function parse(text) {
  try { return JSON.parse(text); } catch { return {}; }
}

function open() {
  clearTimeout(retryTimer);
  retryTimer = 0;
  if (source || stopped || !subscribers.size || !session.currentUser()) return;
  const es = new EventSource('/api/v1/events' + api.query({ last_event_id: lastId }));
  source = es;
  const seen = (e) => { if (e.lastEventId) lastId = e.lastEventId; };
  es.addEventListener('open', () => {
    failures = 0;
    // back after a break without having seen any event: nothing to resume
    // from, so what is shown may have missed changes
    const missed = isDown && !lastId;
    up();
    if (missed) dispatch('reset', { reason: 'reconnected' });
  });
  es.addEventListener('ticket', (e) => { seen(e); dispatch('ticket', parse(e.data)); });
  es.addEventListener('queues', () => dispatch('queues'));
  es.addEventListener('reset', (e) => { seen(e); dispatch('reset', parse(e.data)); });
  es.addEventListener('end', (e) => {
    const { reason } = parse(e.data);
    close();
    if (reason === 'stopping') { down(); later(); } else ended();
  });
  es.addEventListener('error', () => {
    if (es !== source) return;
    down();
    // CONNECTING: the browser tries again by itself (with Last-Event-ID).
    // CLOSED: it gave up (an HTTP error such as 401 or 503): our turn.
    if (es.readyState === EventSource.CLOSED) { source = null; later(); }
  });
}

function close() {
  if (source) source.close();
  source = null;
}

// The next attempt after a pause, if someone is still logged in: the
// session is asked first, so a logged-out tab never knocks again.
function later() {
  if (retryTimer || stopped) return;
  if (!session.currentUser()) { ended(); return; }
  const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
  failures++;
  retryTimer = setTimeout(async () => {
    retryTimer = 0;
    if (!subscribers.size) return;
    try {
      const r = await api.get('/api/v1/session', { relogin: false, retry: false });
      if (!r.body.user) { ended(); return; }
    } catch {
      later();
      return;
    }
    open();
  }, wait);
}

// The session has ended (here, elsewhere, or it expired): stop until a login.
function ended() {
  close();
  clearTimeout(retryTimer);
  retryTimer = 0;
  stopped = true;
  clearTimeout(downTimer);
  downTimer = 0;
  isDown = false;
  status(session.currentUser() ? t('live.ended') : null);
}

function down() {
  if (isDown) return;
  isDown = true;
  clearTimeout(upTimer);
  downTimer = setTimeout(() => { downTimer = 0; if (isDown) status(t('live.down')); }, DOWN_MS);
}

function up() {
  clearTimeout(downTimer);
  downTimer = 0;
  const wasShown = isDown && statusEl && !statusEl.hidden;
  isDown = false;
  if (!wasShown) return;
  status(t('live.up'));
  upTimer = setTimeout(() => status(null), 4000);
}

let statusEl = null;

// One line under the header; role=status is announced politely.
function status(text) {
  if (!statusEl) {
    statusEl = h('div', { id: 'live-status', class: 'live-status', role: 'status', hidden: true });
    const banner = document.getElementById('banner');
    if (banner) banner.after(statusEl); else document.body.prepend(statusEl);
  }
  statusEl.hidden = !text;
  statusEl.textContent = text || '';
}

session.onChange((user) => {
  if (user) {
    stopped = false;
    failures = 0;
    status(null);
    open();
  } else {
    // logged out in this tab: the stream goes now, not after the linger
    clearTimeout(lingerTimer);
    ended();
  }
});

export function subscribe(handlers) {
  subscribers.add(handlers);
  clearTimeout(lingerTimer);
  open();
  return () => {
    subscribers.delete(handlers);
    if (subscribers.size) return;
    clearTimeout(lingerTimer);
    lingerTimer = setTimeout(() => { if (!subscribers.size) close(); }, LINGER_MS);
  };
}

// ---- lists -------------------------------------------------------------

const MAX_FETCHES = 4;  // tickets fetched at once for one list
const COALESCE_MS = 60; // events for one ticket within this time: one fetch
const FLASH_MS = 2500;  // how long a changed row stays highlighted

// Whether a ticket (as GET /api/v1/tickets/{number} shows it) still meets a
// list's filters. What cannot be checked here (q, the date range) counts as
// met: such a row is updated in place and stays.
export function matches(tk, params, user) {
  const p = params || {};
  const me = (v) => (v === 'me' && user ? user.username : v);
  if (p.state && !String(p.state).split(',').includes(tk.state)) return false;
  if (p.department && tk.department !== p.department) return false;
  if (p.created_by && tk.created_by !== me(p.created_by)) return false;
  if (p.assignee && tk.assignee !== me(p.assignee)) return false;
  if (p.region && tk.region !== p.region) return false;
  if (p.priority && tk.priority !== p.priority) return false;
  if (p.fault_number && tk.fault_number !== p.fault_number) return false;
  if (p.overdue === 'true' && !(tk.overdue && !tk.closed_at)) return false;
  if (p.overdue === 'false' && tk.overdue && !tk.closed_at) return false;
  if (p.category && tk.category !== p.category && !inSubtree(category(p.category), tk.category)) return false;
  return true;
}

function inSubtree(node, code) {
  if (!node) return true; // unknown here: assume it matches
  return (node.children || []).some((c) => c.code === code || inSubtree(c, code));
}

// What an event alone tells about a new ticket (its state and department).
function mayMatch(ev, p) {
  if (p.q) return false; // whether it matches the words only the server knows
  if (p.state && !String(p.state).split(',').includes(ev.state)) return false;
  if (p.department && ev.department !== p.department) return false;
  if (p.assignee || p.overdue === 'true') return false; // a new ticket has neither
  return true;
}

// followTable(table, {params, user, reload}) → {notice, stop}
//
// table: a ticketTable() handle or a function returning it (or null while
// the list has not come in yet). On a `ticket` event for a row shown with
// another version, the ticket is fetched (bursts for one ticket: one fetch;
// at most MAX_FETCHES at once) and its row redrawn in place and highlighted
// for a moment. A row whose ticket no longer meets the list's filters (its
// state left 待派单, say) stays where it is, greyed and marked "已变更，不在
// 此列表中", so nothing jumps under the user's pointer; the next load of the
// list leaves it out. A ticket created or submitted meanwhile that may
// belong to the list adds to "N 张新工单 · 刷新" in `notice` (put it above the
// list); its button calls reload(). After a `reset` the same line says the
// list may be out of date.
export function followTable(table, { params = {}, user = null, reload } = {}) {
  const handle = () => (typeof table === 'function' ? table() : table);
  const fresh = new Set(); // numbers of new tickets that may belong here
  let stale = false;
  let live = true;
  const wanted = new Map(); // number → {version, kind, busy, tries}
  let active = 0;
  let pumpTimer = 0;

  const text = h('span', {});
  const notice = h('div', { class: 'live-new', role: 'status', hidden: true }, text, ' ',
    h('button', { type: 'button', class: 'link', on: { click: () => { if (reload) reload(); } } }, t('live.refresh')));

  function paintNotice() {
    if (!fresh.size && !stale) { notice.hidden = true; return; }
    replace(text, fresh.size ? t('live.new', { n: fresh.size }) : t('live.stale'));
    notice.hidden = false;
  }

  function want(number, version, kind) {
    const w = wanted.get(number);
    if (w) { w.version = Math.max(w.version, version); return; }
    wanted.set(number, { version, kind, busy: false, tries: 0 });
    clearTimeout(pumpTimer);
    pumpTimer = setTimeout(pump, COALESCE_MS);
  }

  function pump() {
    for (const [number, w] of wanted) {
      if (active >= MAX_FETCHES) return;
      if (w.busy) continue;
      w.busy = true;
      active++;
      fetchOne(number, w).finally(() => { active--; if (live) pump(); });
    }
  }

  async function fetchOne(number, w) {
    w.tries++;
    let tk = null;
    try {
      tk = (await api.get(`/api/v1/tickets/${encodeURIComponent(number)}`, { relogin: false, retry: false })).body;
    } catch (e) {
      if (live && e.status === 404 && w.kind === 'row') markLeft(number); // no longer visible to this user
      wanted.delete(number);
      return;
    }
    if (!live) return;
    if (w.kind === 'row') showRow(tk);
    else if (matches(tk, params, user) && !(handle() && handle().rowOf(number))) { fresh.add(number); paintNotice(); }
    // another change came in while this one was asked for: once more
    if (w.version > tk.version && w.tries < 3) w.busy = false;
    else wanted.delete(number);
  }

  function showRow(tk) {
    const tb = handle();
    const old = tb && tb.rowOf(tk.number);
    if (!old || Number(old.dataset.version) >= tk.version) return;
    const focused = old.contains(document.activeElement);
    tb.update(tk);
    const tr = tb.rowOf(tk.number);
    if (!tr) return;
    if (!matches(tk, params, user)) markLeft(tk.number, tr);
    flash(tr);
    if (focused) { const a = tr.querySelector('a.row-link'); if (a) a.focus({ preventScroll: true }); }
  }

  function markLeft(number, tr) {
    const row = tr || (handle() && handle().rowOf(number));
    if (!row || row.classList.contains('left-list')) return;
    row.classList.add('left-list');
    const cell = row.querySelector('td.state') || row.lastElementChild;
    if (cell) cell.append(h('span', { class: 'left-note' }, t('live.left')));
  }

  function flash(tr) {
    tr.classList.add('live-changed');
    setTimeout(() => tr.classList.remove('live-changed'), FLASH_MS);
  }

  const unsubscribe = subscribe({
    ticket(ev) {
      if (!ev || !ev.number) return;
      const tb = handle();
      const tr = tb && tb.rowOf(ev.number);
      if (tr) {
        if (Number(tr.dataset.version) < ev.version) want(ev.number, ev.version, 'row');
      } else if ((ev.action === 'create' || ev.action === 'submit') && !fresh.has(ev.number) && mayMatch(ev, params)) {
        want(ev.number, ev.version, 'new');
      }
    },
    reset() {
      stale = true;
      paintNotice();
    },
  });

  return {
    notice,
    stop() {
      live = false;
      clearTimeout(pumpTimer);
      unsubscribe();
    },
  };
}
