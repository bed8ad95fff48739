// pages/list.js - ticket lists. Each view is a line of the table below: the
// agent's 我的草稿 and 我的工单, the handler's 待接单 (its department's
// dispatched tickets) and 我处理中, the centre's 待派单 and 待归档, and
// 工单列表 with the filters state, category, region, overdue, q and the
// order in its URL. 50 rows a page, more by next_cursor (a bounded search
// goes on by itself for a second, then says how far it got); j/k or arrows
// move, Enter opens. 导出 CSV saves the whole list, every page. 待派单 has
// the bulk actions (bulk.js): tick rows, 派单 them at once.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { t, pick } from '../i18n.js';
import * as keyboard from '../keyboard.js';
import { states, categoryOptions, regions } from '../reference.js';
import { ticketTable, moveRow } from '../tickets-view.js';
import { showErrors } from '../fields.js';
import * as router from '../router.js';
import { fetchPage, shownText, moreButton, exportCsv } from '../list-loader.js';
import { followTable } from '../live.js';

const FILTERS = ['state', 'category', 'region', 'overdue', 'q', 'sort'];
const SORTS = ['created', 'deadline', 'priority'];

const VIEWS = {
  drafts: { title: 'nav.drafts', query: () => ({ created_by: 'me', state: 'draft' }) },
  mine: { title: 'nav.mine', query: () => ({ created_by: 'me' }) },
  todo: { title: 'nav.todo', query: (u) => ({ state: 'dispatched', department: u.department }) },
  working: { title: 'nav.working', query: () => ({ assignee: 'me', state: 'in_progress' }) },
  pending: { title: 'nav.pending', query: () => ({ state: 'pending_dispatch' }), bulk: true },
  replied: { title: 'nav.replied', query: () => ({ state: 'replied' }) },
  all: { title: 'nav.tickets', filters: true },
};

function filterForm(values) {
  const sel = (name, options) => h('select', { id: `flt-${name}`, name },
    h('option', { value: '' }, t('list.any')),
    options.map(([v, text]) => h('option', { value: v, selected: values.get(name) === v }, text)));
  const q = h('input', { id: 'flt-q', name: 'q', type: 'search', value: values.get('q') || '', placeholder: t('list.q_placeholder'),
    maxLength: 200 });
  const overdue = h('input', { id: 'flt-overdue', name: 'overdue', type: 'checkbox', checked: values.get('overdue') === 'true' });
  const form = h('form', { class: 'filters', role: 'search', novalidate: true,
    on: { submit: (e) => {
      e.preventDefault();
      const p = {};
      for (const n of ['state', 'category', 'region', 'q']) p[n] = form.elements[n].value.trim();
      if (overdue.checked) p.overdue = 'true';
      if (form.elements.sort.value !== 'created') p.sort = form.elements.sort.value;
      router.navigate('/tickets' + api.query(p));
    } } },
  h('div', { class: 'field', dataset: { for: 'q' } }, h('label', { for: 'flt-q' }, t('list.q')), q, h('p', { class: 'error', hidden: true })),
  h('div', { class: 'field', dataset: { for: 'state' } }, h('label', { for: 'flt-state' }, t('list.state')),
    sel('state', states().map((s) => [s.code, pick(s, 'name')])), h('p', { class: 'error', hidden: true })),
  h('div', { class: 'field', dataset: { for: 'category' } }, h('label', { for: 'flt-category' }, t('list.category')),
    sel('category', categoryOptions().map((c) => [c.code, `${'\u3000'.repeat(c.depth)}${c.name}`])), h('p', { class: 'error', hidden: true })),
  h('div', { class: 'field', dataset: { for: 'region' } }, h('label', { for: 'flt-region' }, t('list.region')),
    sel('region', regions().map((r) => [r.code, r.name])), h('p', { class: 'error', hidden: true })),
  h('div', { class: 'field', dataset: { for: 'sort' } }, h('label', { for: 'flt-sort' }, t('list.sort')),
    h('select', { id: 'flt-sort', name: 'sort' }, SORTS.map((v) => h('option', { value: v,
      selected: (values.get('sort') || 'created') === v }, t(`list.sort_${v}`)))), h('p', { class: 'error', hidden: true })),
  h('div', { class: 'field check' }, overdue, h('label', { for: 'flt-overdue' }, t('list.only_overdue'))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('list.search'))),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  return form;
}

export async function render(ctx) {
  const view = VIEWS[ctx.route.view];
  const params = view.filters
    ? Object.fromEntries(FILTERS.map((n) => [n, ctx.query.get(n) || '']))
    : view.query(ctx.user);
  const form = view.filters ? filterForm(ctx.query) : null;
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, t('common.loading'));
  const wrap = h('div', { class: 'table-wrap' });
  const more = h('div', { class: 'more' });
  const exported = h('span', { class: 'muted', 'aria-live': 'polite' });
  const tools = h('div', { class: 'list-tools' },
    h('button', { type: 'button', on: { click: (e) => exportCsv(params, e.target, exported) } }, t('list.export')), exported);
  let table = null;
  // 派单 many at once (bulk.js, loaded for the lists that have it)
  const bulk = view.bulk ? (await import('../bulk.js')).bulkBar({ wrap, table: () => table }) : null;
  append(ctx.main, [h('h1', {}, t(view.title)), form, tools, bulk && bulk.el, status, wrap, more]); // form may be null

  const unbind = [
    keyboard.bind('next', () => moveRow(wrap, 1)),
    keyboard.bind('prev', () => moveRow(wrap, -1)),
    keyboard.bind('search', () => { if (!form) return false; form.elements.q.focus(); return true; }),
    keyboard.bind('select', () => (bulk ? bulk.toggleFocused() : false)),
  ];
  let shown = 0;
  // live updates: rows redrawn in place, "N 张新工单 · 刷新" above the list
  const live = followTable(() => table, { params, user: ctx.user, reload: () => router.go() });
  wrap.before(live.notice);
  const load = async (cursor) => {
    try {
      const page = await fetchPage(params, cursor, status);
      const items = page.items;
      shown += items.length;
      if (items.length && !table) {
        table = ticketTable(items, t(view.title), { select: Boolean(bulk) });
        replace(wrap, table.el);
      } else if (items.length) {
        table.append(items);
      } else if (!table) {
        replace(wrap, page.partial ? null : h('p', { class: 'empty' }, t('list.empty')));
      }
      if (bulk) bulk.refresh();
      status.textContent = shownText(shown, page);
      replace(more, moreButton(page.cursor, wrap, shown, load));
    } catch (e) {
      status.textContent = '';
      if (form && (e.status === 400 || e.status === 422)) showErrors(form, e.fields, e.message);
      else replace(wrap, h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message })));
    }
  };
  await load(null);
  return () => {
    live.stop();
    if (bulk) bulk.destroy();
    unbind.forEach((u) => u());
  };
}
