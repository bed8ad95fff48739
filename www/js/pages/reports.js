// pages/reports.js - 统计报表: the tabs (each its own URL: /reports is the
// complaints by category, then /reports/region, /reports/department,
// /reports/trend, /reports/kpis, /reports/monthly) and the complaint
// reports on GET /api/v1/reports/complaints: the period, 环比/同比 and the
// filters in the URL; a chart (chart.js) and the table of its numbers; the
// CSV as the server makes it. KPIs and the 月报 are reports-kpis.js and
// reports-monthly.js.
import { h, append, replace } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import * as router from '../router.js';
import { hbar, line } from '../chart.js';
import * as notFound from './notfound.js';
import {
  tabs, pathOf, num, pct, delta, rateText, dirClass, reportTable, chartWithTable, chartWidth, field, dateInput, select,
  stateOptions, categorySelectOptions, departmentOptions, picksDepartment, csvButton, rangeText, reportFailed,
} from './reports-common.js';
import * as kpis from './reports-kpis.js';
import * as monthly from './reports-monthly.js';

const COMPLAINTS = { category: 'category', region: 'region', department: 'department', trend: 'trend' };
const INTERVALS = ['day', 'week', 'month'];
const FILTERS = ['from', 'to', 'compare', 'state', 'category', 'department', 'interval'];

export async function render(ctx) {
  const report = ctx.params.report || 'category';
  if (report === 'kpis') return kpis.render(ctx, tabs('kpis', ctx.query));
  if (report === 'monthly') return monthly.render(ctx, tabs('monthly', ctx.query));
  if (!COMPLAINTS[report]) return notFound.render(ctx);
  return complaints(ctx, report);
}

// The parameters of the complaints API for this page's URL.
function apiParams(report, q) {
  const p = {};
  for (const n of ['from', 'to', 'compare', 'state', 'category', 'department']) if (q.get(n)) p[n] = q.get(n);
  if (report === 'trend') p.group_by = INTERVALS.includes(q.get('interval')) ? q.get('interval') : 'day';
  else p.group_by = report;
  return p;
}

function filterForm(report, q, user) {
  const compare = select('compare', [['previous', t('report.compare_previous')], ['last_year', t('report.compare_last_year')]],
    q.get('compare') || '', t('report.compare_none'));
  const form = h('form', { class: 'filters report-filters', novalidate: true, 'aria-label': t('report.filters'),
    on: { submit: (e) => {
      e.preventDefault();
      const p = {};
      for (const n of FILTERS) if (form.elements[n]) p[n] = form.elements[n].value.trim();
      if (p.interval === 'day') delete p.interval;
      router.navigate(pathOf(report) + api.query(p));
    } } },
  field('from', t('report.from'), dateInput('from', q.get('from'))),
  field('to', t('report.to'), dateInput('to', q.get('to'))),
  report === 'trend' ? field('group_by', t('report.interval'),
    select('interval', INTERVALS.map((i) => [i, t(`report.interval_${i}`)]), q.get('interval') || 'day', null)) : null,
  field('compare', t('report.compare'), compare),
  field('state', t('report.state'), select('state', stateOptions(), q.get('state') || '')),
  field('category', t('report.category'), select('category', categorySelectOptions(), q.get('category') || '')),
  picksDepartment(user) ? field('department', t('report.department'), select('department', departmentOptions(), q.get('department') || ''))
    : null,
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('report.show'))),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  return form;
}

// "上期" / "去年同期": the heading of the compared column
const compareLabel = (c) => t(c === 'last_year' ? 'report.col_last_year' : 'report.col_previous');

const changeCells = (x) => [
  { text: num(x.previous) },
  { text: delta(x.change), cls: dirClass(x.change) },
  { text: rateText(x.change_rate), cls: dirClass(x.change_rate) },
];

function changeColumns(compare) {
  return compare ? [{ label: compareLabel(compare), num: true }, { label: t('report.col_change'), num: true },
    { label: t('report.col_change_rate'), num: true }] : [];
}

async function complaints(ctx, report) {
  const q = ctx.query;
  const params = apiParams(report, q);
  const form = filterForm(report, q, ctx.user);
  const status = h('p', { class: 'muted status', 'aria-live': 'polite' }, t('common.loading'));
  const out = h('div', { class: 'report-body', 'aria-busy': 'true' });
  append(ctx.main, [h('h1', {}, t('nav.reports')), tabs(report, q), h('h2', {}, t(`report.title_${report}`)), form, status, out]);
  const ac = new AbortController();
  try {
    const body = (await api.get('/api/v1/reports/complaints' + api.query(params), { signal: ac.signal })).body;
    // the range the server used (this month when the URL names none)
    form.elements.from.value = body.range.from;
    form.elements.to.value = body.range.to;
    const cmp = body.compare || null;
    const tot = body.totals;
    status.textContent = [
      rangeText(body.range),
      cmp ? t(cmp === 'last_year' ? 'report.vs_last_year' : 'report.vs_previous', { range: rangeText(body.compare_range) }) : '',
    ].filter(Boolean).join(' · ');
    const summary = h('p', { class: 'report-total' }, t('report.total', { n: num(tot.count) }), ' · ',
      t('report.repeats', { n: num(tot.repeats) }),
      cmp ? [' · ', h('span', { class: dirClass(tot.change_rate) }, `${compareLabel(cmp)} ${num(tot.previous)}, ${rateText(tot.change_rate)}`)] : null);
    const tools = h('div', { class: 'list-tools' },
      csvButton(t('report.csv'), '/api/v1/reports/complaints', params));
    if (!tot.count && !(cmp && tot.previous)) {
      replace(out, summary, tools, h('p', { class: 'empty' }, t('report.empty')));
    } else {
      const width = chartWidth(ctx.main);
      const draw = report === 'category' ? byCategory : report === 'trend' ? overTime : byKey;
      replace(out, summary, tools, draw(body, report, cmp, width));
    }
  } catch (e) {
    reportFailed(e, { status, form, out });
  } finally {
    out.removeAttribute('aria-busy');
  }
  return () => ac.abort();
}

// The tree in order, every node with its level.
function flat(items, out = []) {
  for (const n of items) {
    out.push(n);
    flat(n.children || [], out);
  }
  return out;
}

function byCategory(body, report, cmp, width) {
  const roots = body.items;
  const series = [{ name: t('report.this_period'), values: roots.map((n) => n.subtotal) }];
  if (cmp) series.push({ name: compareLabel(cmp), values: roots.map((n) => n.previous) });
  const title = t('report.chart_category');
  const svg = hbar({ title, labels: roots.map((n) => n.name), series, format: (v) => num(v), width });
  const columns = [{ label: t('report.col_category') }, { label: t('report.col_own'), num: true },
    { label: t('report.col_subtotal'), num: true }, { label: t('report.col_share'), num: true },
    { label: t('report.col_repeats'), num: true }, ...changeColumns(cmp)];
  const rows = flat(roots).map((n) => Object.assign([
    { text: [h('span', { class: 'code' }, n.code), ' ', n.name], head: true, cls: `lvl lvl-${n.level}` },
    num(n.count), { text: num(n.subtotal), cls: n.leaf ? null : 'sub' }, pct(n.share), num(n.repeats),
    ...(cmp ? changeCells(n) : [])], { cls: n.level === 1 ? 'root' : `lv${n.level}` }));
  const tot = body.totals;
  const foot = [{ text: t('report.sum'), head: true }, num(tot.count), num(tot.count), pct(tot.count ? 1 : null), num(tot.repeats),
    ...(cmp ? changeCells(tot) : [])];
  return chartWithTable(svg, reportTable({ caption: t('report.table_category', { range: rangeText(body.range) }), columns, rows, foot,
    cls: 'tree' }), t('report.chart_note'));
}

const keyName = (x) => (x.key === null ? t('report.undispatched') : x.name);

function byKey(body, report, cmp, width) {
  const items = body.items;
  const series = [{ name: t('report.this_period'), values: items.map((x) => x.count) }];
  if (cmp) series.push({ name: compareLabel(cmp), values: items.map((x) => x.previous) });
  const title = t(`report.chart_${report}`);
  const svg = hbar({ title, labels: items.map(keyName), series, format: (v) => num(v), width });
  const columns = [{ label: t(report === 'region' ? 'report.col_region' : 'report.col_department') },
    { label: t('report.col_count'), num: true }, { label: t('report.col_share'), num: true },
    { label: t('report.col_repeats'), num: true }, ...changeColumns(cmp)];
  const rows = items.map((x) => [{ text: keyName(x), head: true }, num(x.count), pct(x.share), num(x.repeats),
    ...(cmp ? changeCells(x) : [])]);
  const tot = body.totals;
  const foot = [{ text: t('report.sum'), head: true }, num(tot.count), pct(tot.count ? 1 : null), num(tot.repeats),
    ...(cmp ? changeCells(tot) : [])];
  return chartWithTable(svg, reportTable({ caption: t(`report.table_${report}`, { range: rangeText(body.range) }), columns, rows, foot }));
}

// 2026-W45 (11-02 – 11-08) for a week cut or not; a day or month as it is.
function bucketName(x, group) {
  const [y, m] = x.key.split('-').map(Number);
  const cut = group === 'month' && (x.from.slice(8) !== '01' || Number(x.to.slice(8)) !== new Date(y, m, 0).getDate());
  return group === 'week' || cut ? `${x.key} (${x.from.slice(5)} – ${x.to.slice(5)})` : x.key;
}

const periodText = (p) => (!p ? '—' : p.from === p.to ? p.from : `${p.from} – ${p.to}`);

function overTime(body, report, cmp, width) {
  const group = body.group_by;
  const items = body.items;
  const series = [{ name: t('report.this_period'), values: items.map((x) => x.count) }];
  if (cmp) series.push({ name: compareLabel(cmp), values: items.map((x) => x.previous) });
  const short = (x) => (group === 'day' ? x.key.slice(5) : group === 'week' ? x.key.slice(5) : x.key);
  const svg = line({ title: t(`report.chart_trend_${group}`), labels: items.map(short), series, format: (v) => num(v), width });
  const columns = [{ label: t(`report.col_${group}`) }, { label: t('report.col_count'), num: true },
    { label: t('report.col_share'), num: true }, { label: t('report.col_repeats'), num: true },
    ...(cmp ? [{ label: t('report.col_compare_period') }] : []), ...changeColumns(cmp)];
  const rows = items.map((x) => [{ text: bucketName(x, group), head: true }, num(x.count), pct(x.share), num(x.repeats),
    ...(cmp ? [periodText(x.previous_period), ...changeCells(x)] : [])]);
  const tot = body.totals;
  const foot = [{ text: t('report.sum'), head: true }, num(tot.count), pct(tot.count ? 1 : null), num(tot.repeats),
    ...(cmp ? [rangeText(body.compare_range), ...changeCells(tot)] : [])];
  return chartWithTable(svg, reportTable({ caption: t(`report.table_trend_${group}`, { range: rangeText(body.range) }), columns, rows, foot }));
}
