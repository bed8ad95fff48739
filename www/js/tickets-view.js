// tickets-view.js - how tickets are shown: state badges, the deadline
// countdown (kept current while the page is open), the list table with its
// overdue and nearly overdue rows (and a checkbox per row for bulk
// actions), the 查看流程 timeline and the 历史故障 panel.
import { h, $$ } from './dom.js';
import { t, fmtTime, fmtDate, fmtDeadline, pick } from './i18n.js';
import { stateName, actionName, action, departmentName, roleName, settings } from './reference.js';

export function stateBadge(code) {
  return h('span', { class: `badge state-${code}` }, stateName(code));
}

// 剩余 3小时20分 / 已超时 2小时 / — ; refreshed every 30 s on every page.
export function countdown(ticket) {
  const el = h('span', { class: 'countdown', dataset: { deadline: ticket.deadline || '', closed: ticket.closed_at ? '1' : '',
    overdue: ticket.overdue ? '1' : '' } });
  paintCountdown(el);
  return el;
}

// 'over', 'nearly' (open, within the server's nearly_overdue_hours of its
// deadline) or '' for a ticket (or a countdown's dataset).
function urgency(tk, now = Date.now()) {
  const d = fmtDeadline(tk, now);
  if (!d) return '';
  if (d.overdue) return 'over';
  const hours = Number(settings().nearly_overdue_hours) || 0;
  return hours > 0 && new Date(tk.deadline).getTime() - now <= hours * 3600000 ? 'nearly' : '';
}

function paintCountdown(el) {
  const tk = { deadline: el.dataset.deadline, closed_at: el.dataset.closed, overdue: el.dataset.overdue };
  const d = fmtDeadline(tk);
  const u = urgency(tk);
  el.textContent = d ? d.text : '—';
  el.classList.toggle('over', u === 'over');
  el.classList.toggle('nearly', u === 'nearly');
  // in a list row: the row's colour and its words for screen readers too
  const cue = el.parentElement && el.parentElement.querySelector('.cue');
  if (cue) {
    cue.textContent = u ? t(u === 'over' ? 'list.overdue_row' : 'queue.nearly_row') : '';
    const tr = el.closest('tr');
    tr.classList.toggle('overdue', u === 'over');
    tr.classList.toggle('nearly', u === 'nearly');
  }
}

setInterval(() => $$('.countdown').forEach(paintCountdown), 30000);

const COLUMNS = ['list.number', 'list.subject', 'list.category', 'list.state', 'list.department', 'list.deadline'];

// Plain and matched text alternately (the list's "highlight" arrays): the
// matched parts in <mark>, every part as text.
function marked(parts) {
  return parts.map((p, i) => (i % 2 ? h('mark', {}, p) : p));
}

// The subject, with the searched words marked and a snippet of where else
// they matched, when the list is a search.
function subjectCell(tk) {
  const hl = tk.highlight;
  if (!hl) return h('td', { class: 'subject' }, tk.subject);
  return h('td', { class: 'subject' }, ...(hl.subject ? marked(hl.subject) : [tk.subject]),
    hl.snippet && h('div', { class: 'snippet' }, ...marked(hl.snippet)));
}

const marks = new WeakMap(); // row → the highlight its ticket came with

// The checkbox of a row (bulk actions): labelled with the ticket number.
function selectCell(tk) {
  const id = `sel-${tk.number}`;
  return h('td', { class: 'select' },
    h('input', { type: 'checkbox', id, class: 'row-select', value: tk.number, dataset: { version: String(tk.version) } }),
    h('label', { for: id, class: 'sr-only' }, t('queue.select_row', { number: tk.number })));
}

function row(tk, opts) {
  const u = urgency(tk);
  // data-label names a cell where the table becomes cards (phone width)
  const tr = h('tr', { class: u === 'over' ? 'overdue' : u || null, dataset: { number: tk.number, version: String(tk.version) } },
    opts.select && selectCell(tk),
    h('td', { class: 'num' }, h('a', { class: 'row-link', href: `/tickets/${tk.number}` }, tk.number)),
    subjectCell(tk),
    h('td', { class: 'cat', dataset: { label: t('list.category') } }, tk.category_name),
    h('td', { class: 'state' }, stateBadge(tk.state)),
    h('td', { class: 'dept', dataset: { label: t('list.department') } }, tk.department_name || '—'),
    h('td', { class: 'deadline', dataset: { label: t('list.deadline') } },
      h('span', { class: 'sr-only cue' }, u ? t(u === 'over' ? 'list.overdue_row' : 'queue.nearly_row') : ''), countdown(tk)));
  if (tk.highlight) marks.set(tr, tk.highlight);
  return tr;
}

// The list table; more rows can be appended (next page), and a row shown
// can be found by number (rowOf) and redrawn from a fresh copy of its ticket
// (update: live updates, bulk actions). opts.select: a first column of
// checkboxes with a select-all-on-the-page one in its header (bulk.js
// reads and drives them).
export function ticketTable(items, caption, opts = {}) {
  const tbody = h('tbody', {}, items.map((tk) => row(tk, opts)));
  const all = opts.select && h('th', { scope: 'col', class: 'select' },
    h('input', { type: 'checkbox', id: 'sel-all', class: 'select-all' }),
    h('label', { for: 'sel-all', class: 'sr-only' }, t('queue.select_all')));
  const table = h('table', { class: ['tickets', opts.select && 'selectable'] },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, all, COLUMNS.map((k) => h('th', { scope: 'col' }, t(k))))),
    tbody);
  const rowOf = (number) => [...tbody.rows].find((tr) => tr.dataset.number === number) || null;
  return {
    el: table,
    append: (more) => tbody.append(...more.map((tk) => row(tk, opts))),
    rowOf,
    update(tk) {
      const old = rowOf(tk.number);
      if (!old) return;
      // a fresh copy of a ticket has no highlight: keep the search's marks
      // while the subject they mark is the same; and keep the row's tick
      const hl = marks.get(old);
      const keep = !tk.highlight && hl && (!hl.subject || hl.subject.join('') === tk.subject);
      const fresh = row(keep ? { ...tk, highlight: hl } : tk, opts);
      // a ticked row stays ticked at the version it was ticked at: a bulk
      // action then reports the ticket as changed meanwhile (stale_version)
      const box = old.querySelector('input.row-select');
      const now = fresh.querySelector('input.row-select');
      if (box && box.checked) {
        now.checked = true;
        now.dataset.version = box.dataset.version;
      }
      old.replaceWith(fresh);
    },
  };
}

// Moves focus to the next/previous row link of a table (keyboard j/k).
export function moveRow(container, step) {
  const links = $$('a.row-link', container);
  if (!links.length) return false;
  const i = links.indexOf(document.activeElement);
  const next = links[i < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(i + step, 0), links.length - 1)];
  next.focus();
  next.closest('tr').scrollIntoView({ block: 'nearest' });
  return true;
}

// Inputs of a history row besides its text and department: "满意度: 5".
function extraInputs(item) {
  const a = action(item.action);
  if (!item.inputs || !a) return [];
  return Object.entries(item.inputs).filter(([k, v]) => k !== 'department' && v !== item.text && v !== '' && v !== null)
    .map(([k, v]) => {
      const inp = a.inputs.find((x) => x.name === k);
      return `${inp ? pick(inp, 'label') : k}: ${v}`;
    });
}

// 查看流程: every step, who, in which role and department, from → to, with
// its text; above it the departments the ticket passed through and where it
// is now.
export function timeline(history, ticket) {
  const passed = [];
  for (const it of history.items) {
    if (it.department && passed[passed.length - 1] !== it.department) passed.push(it.department);
  }
  const now = [stateName(ticket.state), ticket.department ? departmentName(ticket.department) : null].filter(Boolean).join(' · ');
  return h('div', { class: 'timeline-wrap' },
    h('p', { class: 'route' }, h('strong', {}, t('flow.passed')), ' ',
      passed.length ? passed.map(departmentName).join(' → ') : t('flow.none')),
    h('p', { class: 'route' }, h('strong', {}, t('flow.now')), ' ', now),
    h('ol', { class: 'timeline' }, history.items.map((it) => h('li', { class: `step action-${it.action}` },
      h('div', { class: 'step-head' },
        h('time', { datetime: it.at }, fmtTime(it.at)), ' ',
        h('span', { class: 'actor' }, it.actor_name || it.actor || t('flow.system')),
        it.role && h('span', { class: 'muted' }, ` (${roleName(it.role)})`), ' ',
        h('strong', { class: 'act' }, actionName(it.action))),
      h('div', { class: 'step-move' },
        it.from_state && it.from_state !== it.to_state ? `${stateName(it.from_state)} → ${stateName(it.to_state)}` : stateName(it.to_state),
        it.department && h('span', {}, ` · ${departmentName(it.department)}`)),
      it.text && h('p', { class: 'step-text' }, it.text),
      extraInputs(it).map((x) => h('p', { class: 'step-extra' }, x))))));
}

// 历史故障: this customer's other tickets, open ones first, newest first.
export function faultHistory(items, exclude) {
  const open = (x) => x.state !== 'closed';
  const list = items.filter((x) => x.number !== exclude)
    .sort((a, b) => (open(b) - open(a)) || (a.created_at < b.created_at ? 1 : -1));
  if (!list.length) return h('p', { class: 'muted' }, t('history.none'));
  return h('ul', { class: 'fault-history' }, list.map((x) => h('li', { class: open(x) ? 'open' : null },
    h('a', { href: `/tickets/${x.number}` }, x.number), ' ',
    stateBadge(x.state), ' ',
    h('span', {}, x.category_name), ' ',
    h('time', { datetime: x.created_at, class: 'muted' }, fmtDate(x.created_at)),
    h('span', { class: 'subject' }, x.subject))));
}

// How many of those were created in the last `days` days (重复投诉).
export function recentCount(items, exclude, days) {
  const since = Date.now() - days * 86400000;
  return items.filter((x) => x.number !== exclude && new Date(x.created_at).getTime() >= since).length;
}
