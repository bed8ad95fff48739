// pages/admin-departments.js - 系统管理 › 部门 (/admin/departments): every
// department, inactive ones too (GET /api/v1/admin/departments); create one
// (code and kind are fixed once created), change name, region, active and
// sort. A department that still holds open tickets cannot be switched off:
// the server's 409 and its reason stay in the form.
import { h } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import { regions } from '../reference.js';
import { notify } from '../dialog.js';
import { frame, table, input, select, checkbox, formDialog, value, loadInto } from './admin-nav.js';

// The server's two reasons for refusing to switch a department off, in
// the UI's language (anything else as it came).
function conflict(e) {
  if (e.status !== 409) return e;
  const open = /still holds (\d+) open ticket/.exec(e.message);
  if (open) e.message = t('admin.dept_still_open', { n: open[1] });
  else if (/last active centre/.test(e.message)) e.message = t('admin.dept_last_centre');
  return e;
}

export async function render(ctx) {
  const body = frame(ctx, 'departments');
  const list = h('div', {});
  const refresh = () => loadInto(list, async () => (await api.get('/api/v1/admin/departments')).body.items, draw);
  const regionOptions = () => [['', t('admin.none')], ...regions().map((r) => [r.code, `${r.name} (${r.code})`])];
  const regionName = (code) => (regions().find((r) => r.code === code) || { name: code || '—' }).name;
  const kindName = (k) => t(`admin.kind_${k}`);

  const common = (d = {}) => [
    input('name', t('admin.dept_name'), { value: d.name, required: true, max: 40 }),
    select('region', t('admin.region'), regionOptions(), d.region || ''),
    input('sort', t('admin.sort'), { type: 'number', value: d.sort ?? 0, help: t('admin.sort_help') }),
    checkbox('active', t('admin.active'), d.active ?? true),
  ];
  const members = (f) => ({ name: value(f, 'name'), region: value(f, 'region') || null, sort: value(f, 'sort') ?? 0, active: value(f, 'active') });

  function create() {
    formDialog({
      title: t('admin.dept_new'), submit: t('admin.create'),
      content: [
        input('code', t('admin.code'), { required: true, max: 16, help: t('admin.dept_code_help') }),
        select('kind', t('admin.kind'), [['handling', kindName('handling')], ['centre', kindName('centre')]], 'handling', { required: true }),
        ...common(),
      ],
      send: async (f) => (await api.post('/api/v1/departments', { code: value(f, 'code').trim(), kind: value(f, 'kind'), ...members(f) })).body,
      onDone: (d) => { notify(t('admin.dept_created', { name: d.name })); refresh(); },
    });
  }

  function edit(d) {
    formDialog({
      title: t('admin.dept_edit', { name: `${d.name} (${d.code})` }), submit: t('admin.save'),
      content: [h('p', { class: 'muted' }, t('admin.dept_fixed', { code: d.code, kind: kindName(d.kind) })), ...common(d)],
      send: async (f) => {
        const m = members(f);
        const b = {};
        for (const k of Object.keys(m)) if (m[k] !== d[k]) b[k] = m[k];
        try {
          return (await api.patch(`/api/v1/departments/${encodeURIComponent(d.code)}`, b)).body;
        } catch (e) {
          throw conflict(e);
        }
      },
      onDone: (x) => { notify(t('admin.saved', { name: x.name })); refresh(); },
    });
  }

  function draw(items) {
    const cols = ['admin.code', 'admin.dept_name', 'admin.kind', 'admin.region', 'admin.active', 'admin.sort', 'admin.actions'].map((k) => ({ label: t(k) }));
    cols[6].bare = true;
    cols[6].cls = 'acts';
    return table(t('admin.departments_caption', { n: items.length }), cols, items, (d) => [
      h('code', {}, d.code), h('strong', {}, d.name), kindName(d.kind), regionName(d.region),
      h('span', { class: ['badge', d.active ? 'on' : 'off'] }, d.active ? t('admin.enabled') : t('admin.inactive')), String(d.sort),
      h('button', { type: 'button', class: 'small', 'aria-label': t('admin.edit_of', { name: d.name }), on: { click: () => edit(d) } }, t('admin.edit')),
    ], (d) => (d.active ? null : 'off'));
  }

  body.append(h('p', { class: 'help' }, t('admin.departments_intro')),
    h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', on: { click: create } }, t('admin.dept_new'))), list);
  await refresh();
}
