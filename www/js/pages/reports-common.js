// pages/reports-common.js - what the report pages share: the tabs (each
// report its own URL), numbers in the UI's language, the change columns
// (arrows and signs, never colour alone), report tables (caption, scope=col;
// cards at phone width), the chart with its table, the filter fields and
// the CSV download.
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { t, currentLang, pick } from '../i18n.js';
import { states, categoryOptions, departments } from '../reference.js';
import { showErrors } from '../fields.js';

export const TABS = [
  ['category', '/reports', 'report.tab_category'],
  ['region', '/reports/region', 'report.tab_region'],
  ['department', '/reports/department', 'report.tab_department'],
  ['trend', '/reports/trend', 'report.tab_trend'],
  ['kpis', '/reports/kpis', 'report.tab_kpis'],
  ['monthly', '/reports/monthly', 'report.tab_monthly'],
];

export const pathOf = (report) => TABS.find((x) => x[0] === report)[1];

// What a tab carries over from the page's URL: the period and the filters
// that report takes too.
const CARRY = { kpis: ['from', 'to', 'department'], monthly: ['department'] };
const CARRY_COMPLAINTS = ['from', 'to', 'compare', 'state', 'category', 'department'];

export function tabs(current, q) {
  const href = (key, path) => path + api.query(Object.fromEntries((CARRY[key] || CARRY_COMPLAINTS).map((n) => [n, q.get(n)])));
  return h('nav', { class: 'report-tabs', 'aria-label': t('report.tabs') },
    h('ul', {}, TABS.map(([key, path, label]) => h('li', {},
      h('a', { href: href(key, path), 'aria-current': key === current ? 'page' : null }, t(label))))));
}

const none = (v) => v === null || v === undefined;

// 1,234 / 1,234.5
export const num = (v, digits = 2) => (none(v) ? '—' : Number(v).toLocaleString(currentLang(), { maximumFractionDigits: digits }));

// 0.1758 → 17.58%
export const pct = (r) => (none(r) ? '—' : Number(r).toLocaleString(currentLang(),
  { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }));

const sign = (v, text) => (v > 0 ? `+${text}` : v < 0 ? `−${text}` : text);

// +64 / −3 / 0
export const delta = (v, digits = 2) => (none(v) ? '—' : sign(v, num(Math.abs(v), digits)));

// ↑ +33.33% / ↓ −1.16% / → 0.00% ; — when there is nothing to compare with
export function rateText(r) {
  if (none(r)) return '—';
  return `${r > 0 ? '↑' : r < 0 ? '↓' : '→'} ${sign(r, pct(Math.abs(r)))}`;
}

// a change of a rate, in percentage points: ↑ +3.16 个百分点
export function pointsText(d) {
  if (none(d)) return '—';
  return `${d > 0 ? '↑' : d < 0 ? '↓' : '→'} ${t('report.points', { n: sign(d, num(Math.abs(d) * 100, 2)) })}`;
}

// The class of a change: better or worse (the colour, besides the arrow and
// sign); for complaints, and most figures, more is worse.
export const dirClass = (v, moreIsBetter = false) => (none(v) || v === 0 ? 'flat' : (v > 0) === moreIsBetter ? 'better' : 'worse');

// A report table: columns [{label, num: bool}], rows of cells (a cell is a
// value or {text, cls, head: true (a row header)}); foot: one more row.
export function reportTable({ caption, columns, rows, foot, cls = '' }) {
  const cell = (c, i) => {
    const o = c !== null && typeof c === 'object' && !(c instanceof Node) ? c : { text: c };
    const props = { class: [columns[i].num && 'n', o.cls].filter(Boolean).join(' ') || null, dataset: { label: columns[i].label } };
    if (o.head) return h('th', { ...props, scope: 'row' }, o.text);
    return h('td', props, o.text);
  };
  const tr = (r, extra) => h('tr', { class: extra || null }, r.map(cell));
  // a region the keyboard can scroll when the table is wider than the page
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: `report ${cls}` },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'n' : null }, c.label)))),
    h('tbody', {}, rows.map((r) => tr(r, r.cls))),
    foot ? h('tfoot', {}, tr(foot, 'total')) : null));
}

// A chart and, below it, the table with its numbers.
export function chartWithTable(svg, table, note) {
  return h('div', { class: 'chart-block' },
    h('figure', { class: 'chart' }, svg, note ? h('figcaption', { class: 'muted' }, note) : null), table);
}

// The width a chart gets: what its box has, within reason.
export function chartWidth(main) {
  return Math.max(300, Math.min(main.clientWidth, 820)); // the page container: inside main's padding
}

// A labelled field with its error line (fields.js showErrors finds it by data-for).
export function field(name, label, control) {
  return h('div', { class: 'field', dataset: { for: name } }, h('label', { for: control.id }, label), control,
    h('p', { class: 'error', hidden: true }));
}

export function dateInput(name, value) {
  return h('input', { id: `rp-${name}`, name, type: 'date', value: value || '' });
}

export function select(name, options, value, anyLabel = t('report.all')) {
  return h('select', { id: `rp-${name}`, name },
    anyLabel !== null ? h('option', { value: '' }, anyLabel) : null,
    options.map(([v, text]) => h('option', { value: v, selected: value === v }, text)));
}

export const stateOptions = () => states().map((s) => [s.code, pick(s, 'name')]);
export const categorySelectOptions = () => categoryOptions().map((c) => [c.code, `${'\u3000'.repeat(c.depth)}${c.name}`]);
export const departmentOptions = () => departments().map((d) => [d.code, d.name]);

// Whether the user picks a department (the centre's roles) or is held to its
// own (a handler: the server answers its department only).
export const picksDepartment = (user) => user.role !== 'handler';

// The report as CSV, the file the server names (Content-Disposition), saved
// through a blob link: api.request so that an ended session logs in again
// and an error is shown as the API's message, not saved as a file.
export async function downloadCsv(path, params, button, said) {
  button.disabled = true;
  said.textContent = t('report.csv_loading');
  try {
    const r = await api.request('GET', path + api.query({ ...params, format: 'csv' }), { bytes: true });
    const name = (/filename="([^"]+)"/.exec(r.headers.get('content-disposition') || '') || [])[1] || 'report.csv';
    const url = URL.createObjectURL(new Blob([r.bytes], { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    said.textContent = t('report.csv_saved', { name });
  } catch (e) {
    said.textContent = t('report.csv_failed', { message: e.message });
  } finally {
    button.disabled = false;
  }
}

export function csvButton(label, path, params) {
  const said = h('span', { class: 'muted', 'aria-live': 'polite' });
  const b = h('button', { type: 'button', on: { click: () => downloadCsv(path, params, b, said) } }, label);
  return h('span', { class: 'csv' }, b, said);
}

// The period line: 2026-11-01 至 2026-11-30 (对比 2026-10-01 至 2026-10-31)
export const rangeText = (r) => t('report.range', { from: r.from, to: r.to });

// A report that could not be drawn: a refused parameter (400, 422) marked
// at its field in form, and the reason in place of the report; a request
// given up because the page was left says nothing.
export function reportFailed(e, { status, form, out }) {
  if (e.name === 'AbortError') return;
  status.textContent = '';
  if (e.status === 422 || e.status === 400) showErrors(form, e.fields, e.message);
  replace(out, h('p', { class: 'form-error', role: 'alert' }, t('report.failed', { message: e.message })));
}
