// pages/admin-users.js - 系统管理 › 用户 (/admin/users): every user with role,
// department and whether disabled; create one (username, display name,
// role, department, initial password), change role, department or display
// name, disable or enable, reset the password. The server's rules decide
// (an admin cannot disable or demote itself: its answer is shown).
import { h } from '../dom.js';
import * as api from '../api.js';
import { t, fmtTime } from '../i18n.js';
import { roleName } from '../reference.js';
import { notify } from '../dialog.js';
import { frame, table, input, select, formDialog, value, loadInto, confirm } from './admin-nav.js';

const ROLES = ['agent', 'dispatcher', 'handler', 'supervisor', 'admin'];

export async function render(ctx) {
  const body = frame(ctx, 'users');
  const list = h('div', {});
  let departments = [];
  const refresh = () => loadInto(list, async () => {
    const [users, deps] = await Promise.all([api.get('/api/v1/users'), api.get('/api/v1/admin/departments')]);
    departments = deps.body.items;
    return users.body.items;
  }, draw);

  const deptOptions = (current) => [['', t('admin.none')],
    ...departments.filter((d) => d.active || d.code === current).map((d) => [d.code, `${d.name} (${d.code})`])];

  function create() {
    formDialog({
      title: t('admin.user_new'), submit: t('admin.create'),
      content: [
        input('username', t('admin.username'), { required: true, max: 64, attrs: { autocomplete: 'off' } }),
        input('display_name', t('admin.display_name'), { max: 50 }),
        select('role', t('admin.role'), ROLES.map((r) => [r, roleName(r)]), 'agent', { required: true }),
        select('department', t('admin.department'), deptOptions(''), '', { help: t('admin.department_help') }),
        input('password', t('admin.initial_password'), { type: 'password', help: t('admin.password_help'),
          attrs: { autocomplete: 'new-password' } }),
      ],
      send: async (f) => {
        const b = { username: value(f, 'username').trim(), role: value(f, 'role') };
        for (const k of ['display_name', 'department', 'password']) if (value(f, k)) b[k] = value(f, k);
        return (await api.post('/api/v1/users', b)).body;
      },
      onDone: (u) => { notify(t('admin.user_created', { name: u.username })); refresh(); },
    });
  }

  function edit(u) {
    formDialog({
      title: t('admin.user_edit', { name: u.username }), submit: t('admin.save'),
      content: [
        input('display_name', t('admin.display_name'), { value: u.display_name, max: 50 }),
        select('role', t('admin.role'), ROLES.map((r) => [r, roleName(r)]), u.role),
        select('department', t('admin.department'), deptOptions(u.department), u.department || ''),
      ],
      send: async (f) => {
        const b = {};
        if (value(f, 'display_name') !== u.display_name) b.display_name = value(f, 'display_name');
        if (value(f, 'role') !== u.role) b.role = value(f, 'role');
        if (value(f, 'department') !== (u.department || '')) b.department = value(f, 'department') || null;
        return (await api.patch(`/api/v1/users/${u.id}`, b)).body;
      },
      onDone: (x) => { notify(t('admin.saved', { name: x.username })); refresh(); },
    });
  }

  function resetPassword(u) {
    formDialog({
      title: t('admin.reset_password_for', { name: u.username }), submit: t('admin.reset_password'),
      content: [input('password', t('admin.new_password'), { type: 'password', required: true, help: t('admin.password_help'),
        attrs: { autocomplete: 'new-password' } })],
      send: async (f) => (await api.patch(`/api/v1/users/${u.id}`, { password: value(f, 'password') })).body,
      onDone: (x) => notify(t('admin.password_reset', { name: x.username })),
    });
  }

  async function toggle(u) {
    if (!u.disabled && !(await confirm(t('admin.disable_title', { name: u.username }), t('admin.disable_text'), t('admin.disable')))) return;
    try {
      const x = (await api.patch(`/api/v1/users/${u.id}`, { disabled: !u.disabled })).body;
      notify(t(x.disabled ? 'admin.user_disabled' : 'admin.user_enabled', { name: x.username }));
      refresh();
    } catch (e) {
      notify(t('common.failed', { message: e.message }), 'error');
    }
  }

  function draw(users) {
    const cols = [t('admin.username'), t('admin.display_name'), t('admin.role'), t('admin.department'), t('admin.status'),
      t('admin.created_at'), t('admin.actions')].map((label) => ({ label }));
    cols[6].bare = true;
    cols[6].cls = 'acts';
    return table(t('admin.users_caption', { n: users.length }), cols, users, (u) => [
      h('strong', {}, u.username), u.display_name, roleName(u.role), u.department_name || u.department || '—',
      h('span', { class: ['badge', u.disabled ? 'off' : 'on'] }, u.disabled ? t('admin.disabled') : t('admin.enabled')),
      fmtTime(u.created_at),
      h('div', { class: 'row-buttons' },
        h('button', { type: 'button', class: 'small', 'aria-label': t('admin.edit_of', { name: u.username }), on: { click: () => edit(u) } }, t('admin.edit')),
        h('button', { type: 'button', class: 'small', 'aria-label': t('admin.reset_password_of', { name: u.username }),
          on: { click: () => resetPassword(u) } }, t('admin.reset_password')),
        h('button', { type: 'button', class: 'small', 'aria-label': t(u.disabled ? 'admin.enable_of' : 'admin.disable_of', { name: u.username }),
          on: { click: () => toggle(u) } }, u.disabled ? t('admin.enable') : t('admin.disable'))),
    ], (u) => (u.disabled ? 'off' : null));
  }

  body.append(h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', on: { click: create } }, t('admin.user_new'))), list);
  await refresh();
}
