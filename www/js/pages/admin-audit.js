// pages/admin-audit.js - 系统管理 › 操作日志 (/admin/audit): the admin audit
// log (GET /api/v1/audit), newest first: when, who, what was done to which
// object, and what changed (before → after). Filters (object kind, object,
// actor) live in the URL; 50 rows a page, 加载更多 follows next_cursor.
import { h, append, replace } from '../dom.js';
import * as api from '../api.js';
import { t, has, fmtTime } from '../i18n.js';
import { showErrors } from '../fields.js';
import * as router from '../router.js';
import { frame, table, input, select, showFailure } from './admin-nav.js';

const KINDS = ['user', 'token', 'department', 'category', 'phrase', 'segments'];
const PAGE = 50;

const show = (v) => {
  if (v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
};

// One line per member that changed: "name: 曲靖第二分公司 → 曲靖二分公司".
function changes(e) {
  const b = e.before || {}, a = e.after || {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  if (!keys.length) return '';
  return h('ul', { class: 'changes' }, keys.map((k) => h('li', {}, h('span', { class: 'key' }, k), ': ',
    e.before ? [h('del', {}, show(b[k])), ' → '] : null, h('ins', {}, show(a[k])))));
}

export async function render(ctx) {
  const body = frame(ctx, 'audit');
  const q = ctx.query;
  const filters = { object_kind: q.get('object_kind') || '', object: q.get('object') || '', actor: q.get('actor') || '' };
  const form = h('form', { class: 'filters admin-filters', role: 'search', novalidate: true },
    select('object_kind', t('admin.audit_kind'), [['', t('admin.any')], ...KINDS.map((k) => [k, t(`admin.kind_obj_${k}`)])], filters.object_kind),
    input('object', t('admin.audit_object'), { value: filters.object, max: 100, help: t('admin.audit_object_help') }),
    input('actor', t('admin.audit_actor'), { value: filters.actor, max: 64 }),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('admin.audit_search'))),
    h('p', { class: 'form-error', role: 'alert', hidden: true }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = {};
    for (const k of Object.keys(filters)) p[k] = form.elements[k].value.trim();
    if (p.object && !p.object_kind) {
      showErrors(form, { object_kind: t('admin.audit_kind_needed') });
      return;
    }
    router.navigate('/admin/audit' + api.query(p));
  });
  const rowsBox = h('div', {});
  const more = h('div', { class: 'more' });
  body.append(form, rowsBox, more);

  const cols = ['admin.audit_at', 'admin.audit_actor', 'admin.audit_action', 'admin.audit_kind', 'admin.audit_object', 'admin.audit_changes']
    .map((k) => ({ label: t(k) }));
  cols[5].cls = 'text';
  let tbody = null, shown = 0;
  // (a kind or action newer than this page shows as the server names it)
  const named = (prefix, code) => (has(prefix + code) ? t(prefix + code) : code);
  const cells = (e) => [fmtTime(e.at), e.actor, named('admin.action_', e.action), named('admin.kind_obj_', e.object_kind),
    h('code', {}, e.object), changes(e)];

  async function page(cursor) {
    let r;
    try {
      r = (await api.get('/api/v1/audit' + api.query({ ...filters, limit: PAGE, cursor }))).body;
    } catch (e) {
      showFailure(form, e);
      replace(more);
      return;
    }
    shown += r.items.length;
    if (!tbody) {
      const tbl = table(t('admin.audit_caption'), cols, r.items, cells);
      tbody = tbl.querySelector('tbody');
      replace(rowsBox, r.items.length ? tbl : h('p', { class: 'empty' }, t('admin.audit_empty')));
    } else {
      const tmp = table('', cols, r.items, cells);
      append(tbody, [...tmp.querySelectorAll('tbody tr')]);
      const first = tbody.children[shown - r.items.length];
      if (first) {
        const td = first.querySelector('td');
        td.tabIndex = -1;
        td.focus();
      }
    }
    tbody.closest('table').querySelector('caption').textContent = t('admin.audit_caption_n', { n: shown });
    replace(more, r.next_cursor
      ? h('button', { type: 'button', on: { click: () => page(r.next_cursor) } }, t('admin.audit_more'))
      : shown ? h('p', { class: 'muted' }, t('admin.audit_end', { n: shown })) : null);
  }
  await page(null);
}
