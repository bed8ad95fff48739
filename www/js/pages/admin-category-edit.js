// pages/admin-category-edit.js - one category: /admin/categories/new
// (?parent=CODE for a child) and /admin/categories/edit?code=CODE. Name,
// description, SLA hours, default department, active, sort, and the extra
// fields with the form editor (admin-fields-editor.js). A new one's code is
// its parent's plus one segment; code and parent are fixed once created.
// Left empty on a new category, SLA hours and department are the parent's.
// The server checks everything; its 422 is shown beside each field, the
// schema's paths at their row. Saved, the change is live: an agent's next
// page load offers it.
import { h } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import { notify } from '../dialog.js';
import { clearErrors } from '../fields.js';
import * as formstore from '../formstore.js';
import * as router from '../router.js';
import { frame, input, textarea, select, checkbox, value, showFailure } from './admin-nav.js';
import { fieldsEditor } from './admin-fields-editor.js';

export async function render(ctx) {
  const editing = ctx.route.path.endsWith('/edit');
  const code = ctx.query.get(editing ? 'code' : 'parent') || '';
  let cat = null, parent = null, departments = [];
  try {
    const deps = api.get('/api/v1/admin/departments');
    if (code) {
      cat = (await api.get(`/api/v1/categories/${encodeURIComponent(code)}`)).body;
      if (!editing) { parent = cat; cat = null; }
    }
    departments = (await deps).body.items;
  } catch (e) {
    const body = frame(ctx, 'categories', t('admin.cat_not_found'));
    body.append(h('p', { class: 'form-error', role: 'alert' }, e.status === 404 ? t('admin.cat_missing', { code }) : e.message),
      h('p', {}, h('a', { href: '/admin/categories' }, t('admin.back_to_categories'))));
    return;
  }
  const title = editing ? t('admin.cat_edit', { name: cat.name }) : parent ? t('admin.cat_new_under_title', { name: parent.name }) : t('admin.cat_new_root');
  const body = frame(ctx, 'categories', title);
  // what was typed and not saved yet survives a reload (formstore.js)
  const storeKey = `admin-category:${editing ? 'edit' : 'new'}:${code}`;
  const kept = formstore.load(storeKey);
  const c = { ...(cat || {}), ...(kept ? kept.values : {}) };
  if (kept) c.fields_schema = kept.schema;
  const handling = departments.filter((d) => d.kind === 'handling' && (d.active || d.code === c.department));
  const prefix = parent ? `${parent.code}.` : '';
  const editor = fieldsEditor(c.fields_schema || []);
  const save = h('button', { type: 'submit', class: 'primary' }, editing ? t('admin.save') : t('admin.create'));
  const form = h('form', { class: 'admin-form category-form', novalidate: true },
    editing ? h('p', { class: 'muted' }, t('admin.cat_fixed', { code: c.code, parent: c.parent || t('admin.none') }))
      : input('code', t('admin.code_segment'), { value: c.code || '', required: true, max: 20, help: prefix ? t('admin.code_segment_help', { prefix }) : t('admin.code_root_help'),
        attrs: { autocomplete: 'off', spellcheck: 'false' } }),
    h('div', { class: 'admin-fields' },
      input('name', t('admin.cat_name'), { value: c.name, required: true, max: 40 }),
      input('sla_hours', t('admin.sla_hours'), { type: 'number', value: c.sla_hours ?? '', attrs: { min: 1, max: 360 },
        help: editing ? t('admin.sla_help') : t('admin.sla_help_new', { n: parent ? parent.sla_hours : 48 }) }),
      select('department', t('admin.default_department'), [['', t('admin.none')], ...handling.map((d) => [d.code, `${d.name} (${d.code})`])],
        c.department ?? (parent && parent.department) ?? '', { help: t('admin.default_department_help') }),
      input('sort', t('admin.sort'), { type: 'number', value: c.sort ?? 0, help: t('admin.sort_help') }),
      checkbox('active', t('admin.active'), c.active ?? true)),
    textarea('description', t('admin.description'), { value: c.description, rows: 3, max: 2000 }),
    editor.el,
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'buttons' }, save, h('a', { class: 'button', href: '/admin/categories',
      on: { click: () => formstore.clear(storeKey) } }, t('common.cancel'))));
  const keep = () => {
    const values = {};
    for (const n of ['code', 'name', 'sla_hours', 'department', 'sort', 'active', 'description']) {
      if (form.elements[n]) values[n] = value(form, n);
    }
    if (editing) delete values.code;
    formstore.save(storeKey, { values, schema: editor.schema() });
  };
  form.addEventListener('input', keep);
  form.addEventListener('change', keep);
  form.addEventListener('click', (e) => { if (e.target.closest('button[type=button]')) setTimeout(keep, 0); });
  const restored = kept && h('p', { class: 'restored', role: 'status' }, t('admin.cat_restored'), ' ',
    h('button', { type: 'button', class: 'link', on: { click: () => { formstore.clear(storeKey); router.go(); } } }, t('admin.cat_discard')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const b = { name: value(form, 'name'), description: value(form, 'description'), sort: value(form, 'sort') ?? 0,
      active: value(form, 'active'), fields_schema: editor.schema() };
    if (value(form, 'sla_hours') !== null) b.sla_hours = value(form, 'sla_hours');
    b.department = value(form, 'department') || null;
    save.disabled = true;
    try {
      let out;
      if (editing) {
        out = (await api.patch(`/api/v1/categories/${encodeURIComponent(c.code)}`, b)).body;
      } else {
        b.code = prefix + value(form, 'code').trim();
        if (parent) b.parent = parent.code;
        out = (await api.post('/api/v1/categories', b)).body;
      }
      formstore.clear(storeKey);
      await router.navigate('/admin/categories'); // (a new page clears the notices)
      notify(t(editing ? 'admin.cat_saved' : 'admin.cat_created', { name: out.name, code: out.code }));
    } catch (err) {
      // a code error names the whole code: it is shown at the segment box
      showFailure(form, err, (f) => editor.fixErrors(f));
    } finally {
      save.disabled = false;
    }
  });
  body.append(restored || '', form);
}
