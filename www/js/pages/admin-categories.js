// pages/admin-categories.js - 系统管理 › 投诉类型 (/admin/categories): the
// whole tree, inactive branches too (GET /api/v1/admin/categories, linked
// by parent here), with SLA hours, default department and the number of
// extra fields; 编辑 opens /admin/categories/edit?code=…, 新建下级
// /admin/categories/new?parent=… (admin-category-edit.js).
import { h } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import { frame, table, loadInto } from './admin-nav.js';

// Flat items → depth-first order with depth, children after their parent.
export function treeOrder(items) {
  const kids = new Map();
  for (const c of items) {
    const p = c.parent || '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(c);
  }
  const out = [];
  const walk = (p, depth, off) => {
    for (const c of kids.get(p) || []) {
      out.push({ ...c, depth, offBranch: off || !c.active });
      walk(c.code, depth + 1, off || !c.active);
    }
  };
  walk('', 0, false);
  return out;
}

export async function render(ctx) {
  const body = frame(ctx, 'categories');
  const list = h('div', {});
  let departments = [];
  const deptName = (code) => (departments.find((d) => d.code === code) || { name: code }).name;
  body.append(h('p', { class: 'help' }, t('admin.categories_intro')),
    h('div', { class: 'buttons' }, h('a', { class: 'button primary', href: '/admin/categories/new' }, t('admin.cat_new_root'))), list);
  await loadInto(list, async () => {
    const [cats, deps] = await Promise.all([api.get('/api/v1/admin/categories'), api.get('/api/v1/admin/departments')]);
    departments = deps.body.items;
    return treeOrder(cats.body.items);
  }, (rows) => {
    const cols = ['admin.cat_name', 'admin.code', 'admin.sla_hours', 'admin.default_department', 'admin.fields_count', 'admin.active', 'admin.actions']
      .map((k) => ({ label: t(k) }));
    cols[0].cls = 'tree';
    cols[6].bare = true;
    cols[6].cls = 'acts';
    return table(t('admin.categories_caption', { n: rows.length }), cols, rows, (c) => [
      h('span', { class: `depth-${Math.min(c.depth, 3)}` }, h('strong', {}, c.name)),
      h('code', {}, c.code), t('admin.hours', { n: c.sla_hours }), c.department ? deptName(c.department) : '—',
      String(c.fields_schema.length),
      h('span', { class: ['badge', c.offBranch ? 'off' : 'on'] },
        c.active ? (c.offBranch ? t('admin.inactive_parent') : t('admin.enabled')) : t('admin.inactive')),
      h('div', { class: 'row-buttons' },
        h('a', { class: 'button small', href: `/admin/categories/edit${api.query({ code: c.code })}`, 'aria-label': t('admin.edit_of', { name: c.name }) }, t('admin.edit')),
        c.depth < 3 && h('a', { class: 'button small', href: `/admin/categories/new${api.query({ parent: c.code })}`,
          'aria-label': t('admin.cat_new_under_of', { name: c.name }) }, t('admin.cat_new_under'))),
    ], (c) => (c.offBranch ? 'off' : null));
  });
}
