// pages/queue.js - 工单队列, the provincial centre's workspace (dispatchers,
// supervisors, admins): the counts of /api/v1/queues as a grid of state ×
// department with the overdue ones (a cell filters the list below; kept
// current by the live stream), the saved views (built-in ones first, then
// the user's own; 保存当前视图), every filter of /api/v1/tickets in the URL
// (most urgent first by default), the list with its time left, nearly
// overdue rows amber and overdue ones red, 50 rows a page to the very end,
// 导出 CSV of the whole list, and the bulk actions (bulk.js) on its rows.
import { h, replace, append, uid } from '../dom.js';
import * as api from '../api.js';
import { t, pick } from '../i18n.js';
import * as keyboard from '../keyboard.js';
import { states, stateName, categoryOptions, regions, departments, departmentName } from '../reference.js';
import { ticketTable, moveRow } from '../tickets-view.js';
import { showErrors, field, limitedText } from '../fields.js';
import { openDialog, notify } from '../dialog.js';
import * as router from '../router.js';
import { subscribe, followTable } from '../live.js';
import { fetchPage, shownText, moreButton, exportCsv } from '../list-loader.js';
import { bulkBar } from '../bulk.js';

const PATH = '/queue';
// The list's filters, as GET /api/v1/tickets names them, in the URL's order.
const FILTERS = ['state', 'department', 'category', 'region', 'assignee', 'created_by', 'overdue', 'from', 'to', 'q', 'sort'];
const SORTS = ['deadline', 'created', 'priority'];
const DEFAULT_SORT = 'deadline'; // the order a dispatcher works in (not with q: a search is newest first)

const pad = (n) => String(n).padStart(2, '0');
const isoZ = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
// Local midnight of a YYYY-MM-DD (or of today) as an ISO time: the list's
// days are the user's days, whatever the server's time zone.
function localMidnight(ymd, plusDays = 0) {
  const [y, m, d] = ymd ? ymd.split('-').map(Number) : [new Date().getFullYear(), new Date().getMonth() + 1, new Date().getDate()];
  return isoZ(new Date(y, m - 1, d + plusDays));
}
// The local date (YYYY-MM-DD) of a from/to value, for a date field; a `to`
// is exclusive, so its field shows the day before.
function localDate(v, isTo) {
  if (!v) return '';
  if (/^\d{4}-\d\d-\d\d$/.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  if (isTo) d.setTime(d.getTime() - 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// The filters of a query string, in FILTERS order, empty ones left out:
// the page's URL, a view's query and what the list asks.
function normalise(query) {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams(query);
  const out = new URLSearchParams();
  for (const n of FILTERS) if (q.get(n)) out.set(n, q.get(n));
  return out.toString();
}

// The built-in views (the UI's own, README "Saved views"); 我的部门 for a
// user with a department.
function builtIns(user) {
  const list = [
    { key: 'pending', name: t('queue.view_pending'), query: 'state=pending_dispatch' },
    { key: 'overdue', name: t('queue.view_overdue'), query: 'overdue=true' },
    { key: 'today', name: t('queue.view_today'), query: new URLSearchParams({ from: localMidnight() }).toString() },
  ];
  if (user.department) list.push({ key: 'dept', name: t('queue.view_dept'), query: `department=${encodeURIComponent(user.department)}` });
  return list;
}

// ---- the grid of /api/v1/queues ----------------------------------------

function cellLink(stateCode, dept, n, overdue) {
  const p = { state: stateCode, department: dept || '', overdue: overdue ? 'true' : '' };
  const where = [stateName(stateCode), dept ? departmentName(dept) : t('queue.no_department')].join(' · ');
  return h('a', { href: PATH + api.query(p), class: overdue ? 'cell-over' : 'cell-total', dataset: { state: stateCode, department: dept || '' },
    'aria-label': t(overdue ? 'queue.cell_overdue_label' : 'queue.cell_label', { where, n }) },
  overdue ? t('queue.cell_overdue', { n }) : String(n));
}

function cell(stateCode, dept, c, current) {
  if (!c || !c.total) return h('td', { class: 'zero' }, '0');
  const here = current.get('state') === stateCode && (current.get('department') || '') === (dept || '');
  return h('td', { class: ['count', here && 'current'], 'aria-current': here ? 'true' : null },
    cellLink(stateCode, dept, c.total, false), c.overdue ? [h('br'), cellLink(stateCode, dept, c.overdue, true)] : null);
}

// State columns (in the workflow's order, those with tickets) × department
// rows (in the reference order; tickets without a department first), the
// totals in the last column and row.
function grid(q, current) {
  const shown = states().filter((s) => q.by_state[s.code]);
  const byDept = new Map();
  for (const it of q.items) {
    const k = it.department || '';
    if (!byDept.has(k)) byDept.set(k, { name: it.department_name, cells: {}, total: 0, overdue: 0 });
    const r = byDept.get(k);
    r.cells[it.state] = it;
    r.total += it.total;
    r.overdue += it.overdue;
  }
  const order = ['', ...departments().map((d) => d.code)];
  const keys = [...byDept.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const sum = (n, o) => h('td', { class: 'sum' }, String(n), o ? h('span', { class: 'over-note' }, ` ${t('queue.cell_overdue', { n: o })}`) : null);
  return h('table', { class: 'queue-grid' },
    h('caption', {}, t('queue.grid_caption'), ' ', h('span', { class: 'muted' }, t('queue.grid_hint'))),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('list.department')),
      shown.map((s) => h('th', { scope: 'col' }, pick(s, 'name'))), h('th', { scope: 'col' }, t('queue.total')))),
    h('tbody', {}, keys.map((k) => {
      const r = byDept.get(k);
      return h('tr', {}, h('th', { scope: 'row' }, k ? (r.name || departmentName(k)) : t('queue.no_department')),
        shown.map((s) => cell(s.code, k, r.cells[s.code], current)), sum(r.total, r.overdue));
    })),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, t('queue.total')),
      shown.map((s) => sum(q.by_state[s.code].total, q.by_state[s.code].overdue)), sum(q.total, q.overdue))));
}

// ---- the filters -----------------------------------------------------------

function filterForm(values) {
  const box = (name, label, control) => h('div', { class: 'field', dataset: { for: name } },
    h('label', { for: control.id }, label), control, h('p', { class: 'error', hidden: true }));
  const sel = (name, options) => h('select', { id: `qf-${name}`, name },
    h('option', { value: '' }, t('list.any')),
    options.map(([v, text]) => h('option', { value: v, selected: values.get(name) === v }, text)));
  const text = (name, attrs = {}) => h('input', { id: `qf-${name}`, name, value: values.get(name) || '', ...attrs });
  const overdue = h('input', { id: 'qf-overdue', name: 'overdue', type: 'checkbox', checked: values.get('overdue') === 'true' });
  const sort = values.get('sort') || (values.get('q') ? 'created' : DEFAULT_SORT);
  const form = h('form', { class: 'filters queue-filters', role: 'search', novalidate: true,
    on: { submit: (e) => {
      e.preventDefault();
      const p = {};
      for (const n of ['state', 'department', 'category', 'region', 'assignee', 'created_by', 'q']) p[n] = form.elements[n].value.trim();
      if (overdue.checked) p.overdue = 'true';
      if (form.elements.from.value) p.from = localMidnight(form.elements.from.value);
      if (form.elements.to.value) p.to = localMidnight(form.elements.to.value, 1);
      const s = form.elements.sort.value;
      if (s !== (p.q ? 'created' : DEFAULT_SORT)) p.sort = s;
      router.navigate(PATH + api.query(p));
    } } },
  box('q', t('list.q'), text('q', { type: 'search', placeholder: t('list.q_placeholder'), maxLength: 200 })),
  box('state', t('list.state'), sel('state', states().map((s) => [s.code, pick(s, 'name')]))),
  box('department', t('list.department'), sel('department', departments().map((d) => [d.code, d.name]))),
  box('category', t('list.category'), sel('category', categoryOptions().map((c) => [c.code, `${'\u3000'.repeat(c.depth)}${c.name}`]))),
  box('region', t('list.region'), sel('region', regions().map((r) => [r.code, r.name]))),
  box('assignee', t('queue.assignee'), text('assignee', { maxLength: 64, placeholder: t('queue.user_placeholder'), autocomplete: 'off' })),
  box('created_by', t('queue.creator'), text('created_by', { maxLength: 64, placeholder: t('queue.user_placeholder'), autocomplete: 'off' })),
  box('from', t('queue.from'), text('from', { type: 'date', value: localDate(values.get('from'), false) })),
  box('to', t('queue.to'), text('to', { type: 'date', value: localDate(values.get('to'), true) })),
  box('sort', t('list.sort'), h('select', { id: 'qf-sort', name: 'sort' },
    SORTS.map((v) => h('option', { value: v, selected: sort === v }, t(`list.sort_${v}`))))),
  h('div', { class: 'field check' }, overdue, h('label', { for: 'qf-overdue' }, t('list.only_overdue'))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('list.search')),
    h('a', { href: PATH, class: 'reset' }, t('queue.reset'))),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  return form;
}

// ---- saved views -----------------------------------------------------------

function saveViewDialog(query, onSaved) {
  const { control } = limitedText({ id: uid('view-name'), max: 40, attrs: { autocomplete: 'off' } });
  const form = h('form', { class: 'view-form', novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    const name = control.value.trim();
    if (!name) return showErrors(form, { name: 'required' });
    submit.disabled = true;
    try {
      const r = await api.post('/api/v1/views', { name, query });
      dlg.close();
      onSaved(r.body);
    } catch (err) {
      if (err.status === 409) showErrors(form, { name: t('queue.view_exists') });
      else showErrors(form, err.fields, err.message);
    } finally {
      submit.disabled = false;
    }
  } } },
  field({ label: t('queue.view_name'), control, required: true, name: 'name',
    help: query ? t('queue.view_help', { query: decodeURIComponent(query.replace(/\+/g, ' ')) }) : t('queue.view_help_all') }),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('queue.save_view'));
  append(form, [h('div', { class: 'buttons' }, submit, h('button', { type: 'button', on: { click: () => dlg.close() } }, t('common.cancel')))]);
  const dlg = openDialog({ title: t('queue.save_view'), content: form });
}

function confirmDelete(view, onDeleted) {
  const said = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const yes = h('button', { type: 'button', class: 'primary danger', on: { click: async () => {
    yes.disabled = true;
    try {
      await api.del(`/api/v1/views/${view.id}`);
      dlg.close();
      onDeleted();
    } catch (e) {
      said.textContent = t('common.failed', { message: e.message });
      said.hidden = false;
      yes.disabled = false;
    }
  } } }, t('queue.delete_view'));
  const dlg = openDialog({ title: t('queue.delete_view_title'), content: h('div', {},
    h('p', {}, t('queue.delete_view_confirm', { name: view.name })), said,
    h('div', { class: 'buttons' }, yes, h('button', { type: 'button', autofocus: true, on: { click: () => dlg.close() } }, t('common.cancel')))) });
}

function viewsBar(user, current, mine, onChange) {
  const here = normalise(current);
  const button = (v, own) => {
    const on = normalise(v.query) === here;
    return h('li', { class: own ? 'own' : 'builtin' },
      h('a', { href: PATH + (v.query ? '?' + v.query : ''), class: ['view', on && 'current'], 'aria-current': on ? 'true' : null,
        dataset: { view: v.key || String(v.id) } }, v.name),
      own && h('button', { type: 'button', class: 'link del', 'aria-label': t('queue.delete_view_named', { name: v.name }),
        title: t('queue.delete_view_named', { name: v.name }), on: { click: () => confirmDelete(v, onChange) } }, '×'));
  };
  return h('nav', { class: 'views', 'aria-label': t('queue.views') },
    h('ul', {}, builtIns(user).map((v) => button(v, false)), mine.map((v) => button(v, true)),
      h('li', {}, h('button', { type: 'button', class: 'save-view', on: { click: () => saveViewDialog(here, (v) => {
        notify(t('queue.view_saved', { name: v.name }));
        onChange();
      }) } }, t('queue.save_view')))));
}

// ---- the page --------------------------------------------------------------

export async function render(ctx) {
  const current = new URLSearchParams(normalise(ctx.query));
  const params = Object.fromEntries(FILTERS.map((n) => [n, current.get(n) || '']));
  if (!params.sort && !params.q) params.sort = DEFAULT_SORT;
  const gridBox = h('section', { class: 'queue-counts', 'aria-labelledby': 'queue-counts-h' },
    h('h2', { id: 'queue-counts-h', class: 'sr-only' }, t('queue.grid_caption')),
    h('div', { class: 'grid-wrap' }, h('p', { class: 'muted' }, t('common.loading'))));
  const viewsBox = h('div', { class: 'views-box' });
  const form = filterForm(current);
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, t('common.loading'));
  const wrap = h('div', { class: 'table-wrap' });
  const more = h('div', { class: 'more' });
  const exported = h('span', { class: 'muted', 'aria-live': 'polite' });
  let table = null;
  const bulk = bulkBar({ wrap, table: () => table });
  const tools = h('div', { class: 'list-tools' },
    h('button', { type: 'button', on: { click: (e) => exportCsv(params, e.target, exported) } }, t('list.export')), exported);
  append(ctx.main, [h('h1', {}, t('nav.queue')), gridBox, h('h2', { class: 'list-h' }, t('queue.list')), viewsBox, form,
    tools, bulk.el, status, wrap, more]);

  let alive = true;
  const loadGrid = async () => {
    try {
      const q = (await api.get('/api/v1/queues')).body;
      if (alive) replace(gridBox.querySelector('.grid-wrap'), grid(q, current));
    } catch (e) {
      if (alive) replace(gridBox.querySelector('.grid-wrap'), h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message })));
    }
  };
  const loadViews = async () => {
    let mine = [];
    try {
      mine = (await api.get('/api/v1/views')).body.items;
    } catch (e) {
      notify(t('common.failed', { message: e.message }), 'error');
    }
    if (alive) replace(viewsBox, viewsBar(ctx.user, current, mine, loadViews));
  };
  // the counts change often under a busy centre: one refetch for a burst
  let gridTimer = 0;
  const gridSoon = () => { clearTimeout(gridTimer); gridTimer = setTimeout(loadGrid, 300); };
  const unsubscribe = subscribe({ queues: gridSoon, reset: gridSoon });
  // and the rows: redrawn in place, "N 张新工单 · 刷新" above the list
  const live = followTable(() => table, { params, user: ctx.user, reload: () => router.go() });
  wrap.before(live.notice);

  const unbind = [
    keyboard.bind('next', () => moveRow(wrap, 1)),
    keyboard.bind('prev', () => moveRow(wrap, -1)),
    keyboard.bind('search', () => { form.elements.q.focus(); return true; }),
    keyboard.bind('select', () => bulk.toggleFocused()),
  ];
  let shown = 0;
  const load = async (cursor) => {
    try {
      const page = await fetchPage(params, cursor, status);
      if (!alive) return;
      const items = page.items;
      shown += items.length;
      if (items.length && !table) {
        table = ticketTable(items, t('queue.list'), { select: true });
        replace(wrap, table.el);
      } else if (items.length) {
        table.append(items);
      } else if (!table) {
        replace(wrap, page.partial ? null : h('p', { class: 'empty' }, t('list.empty')));
      }
      bulk.refresh();
      status.textContent = shownText(shown, page);
      replace(more, moreButton(page.cursor, wrap, shown, load));
    } catch (e) {
      status.textContent = '';
      if (e.status === 400 || e.status === 422) showErrors(form, e.fields, e.message);
      else replace(wrap, h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message })));
    }
  };
  await Promise.all([loadGrid(), loadViews(), load(null)]);
  return () => {
    alive = false;
    clearTimeout(gridTimer);
    unsubscribe();
    live.stop();
    bulk.destroy();
    unbind.forEach((u) => u());
  };
}
