// pages/reports-monthly.js - /reports/monthly?month=2026-11: the 月报 as
// GET /api/v1/reports/monthly gives it: totals, TOP10 (chart and table),
// the KPIs and the category tree, each against the month before (环比) and
// the same month a year earlier (同比). Without a month: last month, the
// one a 月报 is written for (due by the 5th of the next).
import { h, append, replace } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import * as router from '../router.js';
import { hbar } from '../chart.js';
import { BETTER } from './reports-kpis.js';
import {
  num, pct, delta, rateText, pointsText, dirClass, reportTable, chartWithTable, chartWidth, field, select,
  departmentOptions, picksDepartment, csvButton, rangeText, reportFailed,
} from './reports-common.js';

const pad = (n) => String(n).padStart(2, '0');

export function lastMonth(now = new Date()) {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

const COLUMNS = () => [t('report.col_this_month'), t('report.col_prev_month'), t('report.mom'), t('report.col_last_year_month'),
  t('report.yoy')].map((label) => ({ label, num: true }));

// The five cells of a figure: a count, a rate or a mean (README, the 月报).
function cells(kind, x, good = false) {
  if (kind === 'rate') {
    return [pct(x.rate), pct(x.previous.rate), { text: pointsText(x.change), cls: dirClass(x.change, good) }, pct(x.last_year.rate),
      { text: pointsText(x.yoy_change), cls: dirClass(x.yoy_change, good) }];
  }
  if (kind === 'mean') {
    return [num(x.value), num(x.previous), { text: delta(x.change), cls: dirClass(x.change, good) }, num(x.last_year),
      { text: delta(x.yoy_change), cls: dirClass(x.yoy_change, good) }];
  }
  return [num(x.value), num(x.previous), { text: `${delta(x.change)} (${rateText(x.change_rate)})`, cls: dirClass(x.change, good) },
    num(x.last_year), { text: `${delta(x.yoy_change)} (${rateText(x.yoy_change_rate)})`, cls: dirClass(x.yoy_change, good) }];
}

const KPIS = [
  ['closed', 'count'], ['on_time', 'rate'], ['first_contact', 'rate'], ['repeat', 'rate'], ['reopen', 'rate'],
  ['satisfaction', 'mean'], ['handling_hours', 'mean'], ['handling_p90_hours', 'mean'], ['closed_late', 'count'],
  ['overdue', 'count'], ['urges', 'count'], ['transfers', 'count'], ['returns', 'count'], ['reopens', 'count'],
];

function flat(items, out = []) {
  for (const n of items) {
    out.push(n);
    flat(n.children || [], out);
  }
  return out;
}

function body(b, width) {
  const range = rangeText(b.range);
  const totals = reportTable({
    caption: t('report.table_monthly_totals', { month: b.month }),
    columns: [{ label: t('report.col_figure') }, ...COLUMNS()],
    rows: [
      [{ text: t('report.m_complaints'), head: true }, ...cells('count', b.totals.complaints)],
      [{ text: t('report.m_repeats'), head: true }, ...cells('count', b.totals.repeats)],
      [{ text: t('report.kpi_repeat'), head: true }, ...cells('rate', b.totals.repeat_rate)],
    ],
  });
  const top = b.top10;
  const svg = hbar({ title: t('report.chart_top10', { month: b.month }), labels: top.map((x) => [...x.path.slice(-1), x.name].join('·')),
    series: [{ name: t('report.col_this_month'), values: top.map((x) => x.count.value) },
      { name: t('report.col_prev_month'), values: top.map((x) => x.count.previous) }], format: (v) => num(v), width });
  const topTable = reportTable({
    caption: t('report.table_top10', { month: b.month }),
    columns: [{ label: t('report.col_rank'), num: true }, { label: t('report.col_category') }, { label: t('report.col_share'), num: true },
      ...COLUMNS()],
    rows: top.map((x) => [x.rank, { text: [...x.path, x.name].join(' › '), head: true }, pct(x.share), ...cells('count', x.count)]),
  });
  const kpiTable = reportTable({
    caption: t('report.table_monthly_kpis', { month: b.month }),
    columns: [{ label: t('report.col_figure') }, ...COLUMNS()],
    rows: KPIS.map(([k, kind]) => [{ text: t(`report.kpi_${k}`), head: true }, ...cells(kind, b.kpis[k], BETTER.has(k))]),
  });
  const tree = reportTable({
    caption: t('report.table_monthly_categories', { month: b.month }),
    columns: [{ label: t('report.col_category') }, { label: t('report.col_share'), num: true }, ...COLUMNS()],
    rows: flat(b.categories).map((n) => Object.assign([
      { text: [h('span', { class: 'code' }, n.code), ' ', n.name], head: true, cls: `lvl lvl-${n.level}` }, pct(n.share),
      ...cells('count', n.count)], { cls: n.level === 1 ? 'root' : `lv${n.level}` })),
    cls: 'tree',
  });
  return [
    h('p', { class: 'muted' }, t('report.monthly_ranges', { range, previous: rangeText(b.previous_range), last_year: rangeText(b.last_year_range) })),
    h('h3', {}, t('report.m_totals')), totals,
    h('h3', {}, t('report.m_top10')),
    top.length ? chartWithTable(svg, topTable) : h('p', { class: 'empty' }, t('report.empty')),
    h('h3', {}, t('report.m_kpis')), kpiTable,
    h('h3', {}, t('report.m_categories')), tree,
  ];
}

export async function render(ctx, nav) {
  const q = ctx.query;
  const month = q.get('month') || lastMonth();
  const params = { month };
  if (q.get('department')) params.department = q.get('department');
  const monthInput = h('input', { id: 'rp-month', name: 'month', type: 'month', value: month, placeholder: 'YYYY-MM' });
  const form = h('form', { class: 'filters report-filters', novalidate: true, 'aria-label': t('report.filters'),
    on: { submit: (e) => {
      e.preventDefault();
      const p = { month: monthInput.value.trim() };
      if (form.elements.department) p.department = form.elements.department.value;
      router.navigate('/reports/monthly' + api.query(p));
    } } },
  field('month', t('report.month'), monthInput),
  picksDepartment(ctx.user) ? field('department', t('report.department'), select('department', departmentOptions(), q.get('department') || ''))
    : null,
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('report.show'))),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  const status = h('p', { class: 'muted status', 'aria-live': 'polite' }, t('common.loading'));
  const out = h('div', { class: 'report-body', 'aria-busy': 'true' });
  append(ctx.main, [h('h1', {}, t('nav.reports')), nav, h('h2', {}, t('report.title_monthly_of', { month })), form, status, out]);
  const ac = new AbortController();
  try {
    const path = '/api/v1/reports/monthly';
    const b = (await api.get(path + api.query(params), { signal: ac.signal })).body;
    status.textContent = '';
    const tools = h('div', { class: 'list-tools' }, csvButton(t('report.csv'), path, params));
    const c = b.totals.complaints;
    const empty = !c.value && !c.previous && !c.last_year && !b.kpis.closed.value;
    replace(out, tools, empty ? h('p', { class: 'empty' }, t('report.empty_month', { month })) : body(b, chartWidth(ctx.main)));
  } catch (e) {
    reportFailed(e, { status, form, out });
  } finally {
    out.removeAttribute('aria-busy');
  }
  return () => ac.abort();
}
