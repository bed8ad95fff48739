// pages/reports-kpis.js - /reports/kpis: the KPIs of GET /api/v1/reports/kpis
// for a period (default: this month), each a card with its value, 环比 and
// 同比 (two requests, compare=previous and compare=last_year, sent
// together), the change as arrow, sign and number; then the KPIs per
// department as a table, with the 及时率 of each department as a chart.
import { h, append, replace } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import * as router from '../router.js';
import { hbar } from '../chart.js';
import {
  num, pct, delta, rateText, pointsText, dirClass, reportTable, chartWithTable, chartWidth, field, dateInput, select,
  departmentOptions, picksDepartment, csvButton, rangeText, reportFailed,
} from './reports-common.js';

// [key, kind, value(kpis), detail(kpis)]: count, rate (a ratio) or mean;
// BETTER: the figures where more is better (the colour of a change).
export const BETTER = new Set(['closed', 'on_time', 'first_contact', 'satisfaction']);
const FIGURES = [
  ['closed', 'count', (k) => k.closed],
  ['on_time', 'rate', (k) => k.on_time],
  ['first_contact', 'rate', (k) => k.first_contact],
  ['reopen', 'rate', (k) => k.reopen],
  ['repeat', 'rate', (k) => k.repeat],
  ['satisfaction', 'mean', (k) => k.satisfaction.mean, (k) => t('report.rated', { n: num(k.satisfaction.rated) })],
  ['handling_hours', 'mean', (k) => k.handling.mean_hours, (k) => t('report.episodes', { n: num(k.handling.episodes) })],
  ['handling_p90_hours', 'mean', (k) => k.handling.p90_hours],
  ['closed_late', 'count', (k) => k.closed_late],
  ['overdue', 'count', (k) => k.overdue],
  ['urges', 'count', (k) => k.urges],
  ['transfers', 'count', (k) => k.transfers],
  ['returns', 'count', (k) => k.returns],
  ['reopens', 'count', (k) => k.reopens],
];

const value = (kind, v) => (kind === 'rate' ? pct(v ? v.rate : null) : num(v));

// The comparison line of a card: 环比 ↑ +3.2%（上期 245）
function compareLine(label, kind, now, before, good, wasKey) {
  let text, dir;
  if (kind === 'rate') {
    const d = now.rate === null || before.rate === null ? null : now.rate - before.rate;
    text = pointsText(d);
    dir = dirClass(d, good);
  } else if (kind === 'mean') {
    const d = now === null || before === null ? null : now - before;
    text = d === null ? '—' : `${d > 0 ? '↑' : d < 0 ? '↓' : '→'} ${delta(d)}`;
    dir = dirClass(d, good);
  } else {
    const r = before ? (now - before) / before : null;
    const d = now - before;
    text = r === null ? `${d > 0 ? '↑' : d < 0 ? '↓' : '→'} ${delta(d)}` : rateText(r);
    dir = dirClass(now - before, good);
  }
  return h('p', { class: `cmp ${dir}` }, h('span', { class: 'cmp-label' }, label), ' ', h('span', { class: 'cmp-value' }, text), ' ',
    h('span', { class: 'muted' }, t(wasKey, { v: value(kind, before) })));
}

function cards(now, prev, last) {
  return h('ul', { class: 'kpi-cards', 'aria-label': t('report.kpi_cards') }, FIGURES.map(([key, kind, get, detail]) => {
    const v = get(now);
    return h('li', { class: 'kpi', dataset: { kpi: key } },
      h('h3', {}, t(`report.kpi_${key}`)),
      h('p', { class: 'kpi-value' }, value(kind, v)),
      kind === 'rate' && v.denominator ? h('p', { class: 'muted' }, `${num(v.numerator)} / ${num(v.denominator)}`) : null,
      detail ? h('p', { class: 'muted' }, detail(now)) : null,
      compareLine(t('report.mom'), kind, v, get(prev), BETTER.has(key), 'report.was_previous'),
      compareLine(t('report.yoy'), kind, v, get(last), BETTER.has(key), 'report.was_last_year'));
  }));
}

const DEPT_COLUMNS = [
  ['closed', (k) => num(k.closed)],
  ['on_time', (k) => pct(k.on_time.rate)],
  ['first_contact', (k) => pct(k.first_contact.rate)],
  ['reopen', (k) => pct(k.reopen.rate)],
  ['satisfaction', (k) => num(k.satisfaction.mean)],
  ['handling_hours', (k) => num(k.handling.mean_hours)],
  ['handling_p90_hours', (k) => num(k.handling.p90_hours)],
  ['closed_late', (k) => num(k.closed_late)],
  ['overdue', (k) => num(k.overdue)],
  ['urges', (k) => num(k.urges)],
  ['transfers', (k) => num(k.transfers)],
  ['returns', (k) => num(k.returns)],
];

const deptName = (d) => (d.department === null ? t('report.centre') : d.department_name);

function departmentsBlock(body, width) {
  const depts = body.kpis.departments || [];
  const rated = depts.filter((d) => d.on_time.denominator > 0);
  const svg = hbar({ title: t('report.chart_on_time'), labels: rated.map(deptName),
    series: [{ name: t('report.kpi_on_time'), values: rated.map((d) => d.on_time.rate) }], format: (v) => pct(v), width,
    integer: false });
  const table = reportTable({
    caption: t('report.table_kpis', { range: rangeText(body.range) }),
    columns: [{ label: t('report.col_department') }, ...DEPT_COLUMNS.map(([k]) => ({ label: t(`report.kpi_${k}`), num: true }))],
    rows: depts.map((d) => [{ text: deptName(d), head: true }, ...DEPT_COLUMNS.map(([, f]) => f(d))]),
  });
  return chartWithTable(rated.length ? svg : h('p', { class: 'empty' }, t('report.no_closed')), table, rated.length ? t('report.chart_on_time_note') : null);
}

export async function render(ctx, nav) {
  const q = ctx.query;
  const params = {};
  for (const n of ['from', 'to', 'department']) if (q.get(n)) params[n] = q.get(n);
  const form = h('form', { class: 'filters report-filters', novalidate: true, 'aria-label': t('report.filters'),
    on: { submit: (e) => {
      e.preventDefault();
      const p = {};
      for (const n of ['from', 'to', 'department']) if (form.elements[n]) p[n] = form.elements[n].value.trim();
      router.navigate('/reports/kpis' + api.query(p));
    } } },
  field('from', t('report.from'), dateInput('from', q.get('from'))),
  field('to', t('report.to'), dateInput('to', q.get('to'))),
  picksDepartment(ctx.user) ? field('department', t('report.department'), select('department', departmentOptions(), q.get('department') || ''))
    : null,
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('report.show'))),
  h('p', { class: 'form-error', role: 'alert', hidden: true }));
  const status = h('p', { class: 'muted status', 'aria-live': 'polite' }, t('common.loading'));
  const out = h('div', { class: 'report-body', 'aria-busy': 'true' });
  append(ctx.main, [h('h1', {}, t('nav.reports')), nav, h('h2', {}, t('report.title_kpis')), form, status, out]);
  const ac = new AbortController();
  try {
    const path = '/api/v1/reports/kpis';
    const [mom, yoy] = await Promise.all(['previous', 'last_year'].map((compare) =>
      api.get(path + api.query({ ...params, compare }), { signal: ac.signal }).then((r) => r.body)));
    form.elements.from.value = mom.range.from;
    form.elements.to.value = mom.range.to;
    status.textContent = [rangeText(mom.range), t('report.vs_previous', { range: rangeText(mom.compare_range) }),
      t('report.vs_last_year', { range: rangeText(yoy.compare_range) })].join(' · ');
    const tools = h('div', { class: 'list-tools' },
      csvButton(t('report.csv_mom'), path, { ...params, compare: 'previous' }),
      csvButton(t('report.csv_yoy'), path, { ...params, compare: 'last_year' }));
    const k = mom.kpis;
    const nothing = !k.closed && !k.repeat.denominator && !k.handling.episodes && !k.urges && !k.overdue && !k.transfers && !k.returns && !k.reopens;
    replace(out, tools,
      nothing ? h('p', { class: 'empty' }, t('report.empty_kpis')) : null,
      cards(k, mom.previous, yoy.previous),
      h('h3', {}, t('report.by_department')),
      departmentsBlock(mom, chartWidth(ctx.main)));
  } catch (e) {
    reportFailed(e, { status, form, out });
  } finally {
    out.removeAttribute('aria-busy');
  }
  return () => ac.abort();
}
