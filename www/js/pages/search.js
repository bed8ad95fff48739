// pages/search.js - /search (查询), for everyone logged in: the words (q,
// full text over subject, description and the extra fields) and the filters
// of GET /api/v1/tickets on one page - fault number, state, category,
// region, department, the creation dates, overdue - all in the URL. A
// ticket number typed as the words opens straight as the one result. The
// results are the list's table with the matched words in <mark>, bounded
// like every list (list-loader.js: a partial answer says how far it got,
// 加载更多 goes on to the very end), and they follow live updates.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { t, pick, fmtTime } from '../i18n.js';
import * as keyboard from '../keyboard.js';
import { states, categoryOptions, regions, departments } from '../reference.js';
import { ticketTable, moveRow } from '../tickets-view.js';
import { showErrors } from '../fields.js';
import * as router from '../router.js';
import { fetchPage, moreButton } from '../list-loader.js';
import { followTable } from '../live.js';

const FILTERS = ['q', 'fault_number', 'state', 'category', 'region', 'department', 'from', 'to', 'overdue'];
const NUMBER = /^TS\d{14}$/i; // a ticket number, e.g. TS20261129000042

function searchForm(values) {
  const field = (name, label, control, cls, hint) => h('div', { class: ['field', cls], dataset: { for: name } },
    h('label', { for: `s-${name}` }, label), control, hint, h('p', { class: 'error', hidden: true }));
  const sel = (name, options) => h('select', { id: `s-${name}`, name },
    h('option', { value: '' }, t('list.any')),
    options.map(([v, text]) => h('option', { value: v, selected: values.get(name) === v }, text)));
  const input = (name, props) => h('input', { id: `s-${name}`, name, value: values.get(name) || '', ...props });
  const overdue = h('input', { id: 's-overdue', name: 'overdue', type: 'checkbox', checked: values.get('overdue') === 'true' });
  const form = h('form', { class: 'search-form', role: 'search', novalidate: true, 'aria-label': t('search.title'),
    on: { submit: (e) => {
      e.preventDefault();
      const p = {};
      for (const n of FILTERS) if (n !== 'overdue') p[n] = form.elements[n].value.trim();
      if (overdue.checked) p.overdue = 'true';
      router.navigate('/search' + api.query(p));
    } } },
  field('q', t('search.q'), input('q', { type: 'search', placeholder: t('search.q_placeholder'), maxLength: 200,
    'aria-describedby': 's-q-hint' }), 'wide', h('p', { id: 's-q-hint', class: 'hint' }, t('search.q_hint'))),
  field('fault_number', t('search.fault_number'), input('fault_number', { type: 'text', inputmode: 'numeric', maxLength: 20,
    autocomplete: 'off' })),
  field('state', t('list.state'), sel('state', states().map((s) => [s.code, pick(s, 'name')]))),
  field('category', t('list.category'),
    sel('category', categoryOptions().map((c) => [c.code, `${'\u3000'.repeat(c.depth)}${c.name}`]))),
  field('region', t('list.region'), sel('region', regions().map((r) => [r.code, r.name]))),
  field('department', t('list.department'), sel('department', departments().map((d) => [d.code, d.name]))),
  field('from', t('search.from'), input('from', { type: 'date' })),
  field('to', t('search.to'), input('to', { type: 'date' })),
  h('div', { class: 'field check' }, overdue, h('label', { for: 's-overdue' }, t('list.only_overdue'))),
  h('div', { class: 'buttons' },
    h('button', { type: 'submit', class: 'primary' }, t('list.search')),
    h('button', { type: 'button', on: { click: () => router.navigate('/search') } }, t('search.clear'))),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  return form;
}

export async function render(ctx) {
  const params = Object.fromEntries(FILTERS.map((n) => [n, ctx.query.get(n) || '']));
  const asked = FILTERS.some((n) => params[n]);
  const form = searchForm(ctx.query);
  const status = h('p', { class: 'muted search-status', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'table-wrap' });
  const more = h('div', { class: 'more' });
  append(ctx.main, [h('h1', {}, t('search.title')), form, status, wrap, more]);

  const unbind = [
    keyboard.bind('next', () => moveRow(wrap, 1)),
    keyboard.bind('prev', () => moveRow(wrap, -1)),
    keyboard.bind('search', () => { form.elements.q.focus(); form.elements.q.select(); return true; }),
  ];
  let shown = 0;
  let table = null;
  const live = followTable(() => table, { params, user: ctx.user, reload: () => router.go() });
  wrap.before(live.notice);
  const cleanup = () => { live.stop(); unbind.forEach((u) => u()); };

  const caption = () => (params.q ? t('search.caption_q', { q: params.q }) : t('search.caption'));
  const show = (items) => {
    shown += items.length;
    if (items.length && !table) {
      table = ticketTable(items, caption());
      replace(wrap, table.el);
    } else if (items.length) {
      table.append(items);
    }
  };

  if (!asked) {
    replace(wrap, h('p', { class: 'empty' }, t('search.intro')));
    form.elements.q.focus();
    return cleanup;
  }

  // a ticket number: that ticket, if this user may see it
  if (NUMBER.test(params.q) && FILTERS.every((n) => n === 'q' || !params[n])) {
    try {
      show([(await api.get(`/api/v1/tickets/${encodeURIComponent(params.q.toUpperCase())}`)).body]);
      status.textContent = t('search.by_number');
      return cleanup;
    } catch (e) {
      if (e.status !== 404) {
        replace(wrap, h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message })));
        return cleanup;
      }
      // not a number after all: search the words
    }
  }

  const load = async (cursor) => {
    status.textContent = t('common.loading');
    try {
      const r = await fetchPage(params, cursor, status);
      show(r.items);
      if (!table) replace(wrap, r.partial ? null : h('p', { class: 'empty' }, t('search.none')));
      if (r.partial) status.textContent = t('list.partial', { n: shown, time: fmtTime(r.searched_to) });
      else if (r.cursor) status.textContent = t('list.shown', { n: shown });
      else status.textContent = shown ? t('search.count', { n: shown }) : '';
      replace(more, moreButton(r.cursor, wrap, shown, load));
    } catch (e) {
      status.textContent = '';
      if (e.status === 400 || e.status === 422) showErrors(form, e.fields, e.message);
      else replace(wrap, h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message })));
    }
  };
  await load(null);
  return cleanup;
}
