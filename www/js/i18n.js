// i18n.js - every string the UI shows comes from one dictionary per language
// (www/i18n/zh-CN.json, www/i18n/en.json), looked up by key. zh-CN is the
// default; the choice is kept in localStorage (the only thing the UI keeps
// there). Times are local ("2026-11-29 16:30"), durations in words
// ("剩余 3小时20分" / "3 h 20 min left"). Server reasons for field errors are
// translated where the dictionary knows them, else shown as sent.
import { staticJSON } from './api.js';

export const LANGS = ['zh-CN', 'en'];
const STORE_KEY = 'gongdan.lang';
let dict = {};
let lang = 'zh-CN';

export function savedLang() {
  const l = localStorage.getItem(STORE_KEY);
  return LANGS.includes(l) ? l : 'zh-CN';
}

// Loads a dictionary; remember: the user chose it (kept for the next visit).
export async function useLang(l, { remember = false } = {}) {
  dict = await staticJSON(`/i18n/${l}.json`);
  lang = l;
  if (remember) localStorage.setItem(STORE_KEY, l);
  document.documentElement.lang = l;
}

export const currentLang = () => lang;

export const has = (key) => dict[key] !== undefined;

// t('intake.saved', {number}) - the string with {name} replaced.
export function t(key, params) {
  let s = dict[key];
  if (s === undefined) {
    console.error(`i18n: no "${key}" in ${lang}`);
    return '';
  }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  return s;
}

// The English variant of a data field when the UI is English and the data
// has one (name_en, label_en), else the field itself.
export function pick(obj, field) {
  return (lang === 'en' && obj && obj[field + '_en']) || (obj && obj[field]) || '';
}

const pad = (n) => String(n).padStart(2, '0');

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fmtDate(iso) {
  return fmtTime(iso).slice(0, 10);
}

// 3小时20分 / 3 h 20 min
export function fmtSpan(ms) {
  const min = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(min / 1440), hr = Math.floor((min % 1440) / 60), m = min % 60;
  const parts = d ? [t('dur.days', { n: d }), hr && t('dur.hours', { n: hr })]
    : hr ? [t('dur.hours', { n: hr }), m && t('dur.minutes', { n: m })] : [t('dur.minutes', { n: m })];
  return parts.filter(Boolean).join(t('dur.sep'));
}

// {text, overdue} for a ticket's deadline, or null when there is none to show.
export function fmtDeadline(ticket, now = Date.now()) {
  if (!ticket.deadline || ticket.closed_at) return null;
  const left = new Date(ticket.deadline).getTime() - now;
  if (left >= 0 && !ticket.overdue) return { text: t('deadline.left', { span: fmtSpan(left) }), overdue: false };
  return { text: t('deadline.over', { span: fmtSpan(Math.min(left, 0)) }), overdue: true };
}

// The server's field reasons, in the UI's language where known.
const REASONS = [
  [/^required$/, 'reason.required'],
  [/^at most (\d+) characters$/, 'reason.max_chars'],
  [/^must be at least (.+)$/, 'reason.min_value'],
  [/^must be at most (.+)$/, 'reason.max_value'],
  [/^must be digits: /, 'reason.phone'],
  [/^digits only/, 'reason.digits'],
  [/^a mobile number has 11 digits/, 'reason.mobile'],
  [/^a fixed-line number is 0/, 'reason.fixed'],
  [/^an area code does not start with 0/, 'reason.double_zero'],
  [/^a fixed-line number needs its area code/, 'reason.no_area'],
  [/^unknown category/, 'reason.category'],
  [/^not a leaf/, 'reason.leaf'],
  [/^must be an integer from 1 to 5/, 'reason.satisfaction'],
  [/^the ticket is already with this department/, 'reason.same_department'],
  [/^must be a handling department/, 'reason.handling'],
  [/^must be one of: (.+)$/, 'reason.one_of'],
  [/^must be a number$/, 'reason.number'],
];

export function reason(text) {
  for (const [re, key] of REASONS) {
    const m = re.exec(text);
    if (m) return t(key, { n: m[1] });
  }
  return text;
}
