// pages/admin-tokens.js - 系统管理 › API 令牌 (/admin/tokens): every token
// (name, the first characters, whose, created, last used, revoked); create
// one for a user, shown once with a copy button (the server keeps only its
// hash, so it can never be shown again); revoke after a confirmation.
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { t, fmtTime } from '../i18n.js';
import { notify } from '../dialog.js';
import { frame, table, input, select, formDialog, value, loadInto, confirm } from './admin-nav.js';

export async function render(ctx) {
  const body = frame(ctx, 'tokens');
  const fresh = h('div', { class: 'fresh-token-box' });
  const list = h('div', {});
  let users = [];
  const refresh = () => loadInto(list, async () => {
    const [tokens, us] = await Promise.all([api.get('/api/v1/tokens'), api.get('/api/v1/users')]);
    users = us.body.items;
    return tokens.body.items;
  }, draw);

  function showOnce(tok) {
    const box = h('input', { id: 'fresh-token', readOnly: true, value: tok.token, class: 'token-value', spellcheck: 'false' });
    const said = h('span', { class: 'copied', role: 'status' });
    replace(fresh, h('div', { class: 'fresh-token', role: 'region', 'aria-label': t('admin.token_new_title') },
      h('h2', {}, t('admin.token_new_title')),
      h('p', { class: 'warn-line' }, h('strong', {}, t('admin.token_once'))),
      h('div', { class: 'field' }, h('label', { for: 'fresh-token' }, t('admin.token_for', { name: tok.name || '—', user: tok.user.username })),
        h('div', { class: 'copy-row' }, box,
          h('button', { type: 'button', on: { click: async () => {
            box.select();
            try { await navigator.clipboard.writeText(tok.token); } catch { document.execCommand('copy'); }
            said.textContent = t('admin.copied');
          } } }, t('admin.copy')), said)),
      h('button', { type: 'button', class: 'small', on: { click: () => fresh.replaceChildren() } }, t('admin.token_done'))));
    box.focus();
    box.select();
  }

  function create() {
    formDialog({
      title: t('admin.token_new'), submit: t('admin.create'),
      content: [
        select('username', t('admin.token_user'), users.filter((u) => !u.disabled).map((u) => [u.username, `${u.username} · ${u.display_name}`]),
          ctx.user.username),
        input('name', t('admin.token_name'), { max: 100, help: t('admin.token_name_help') }),
      ],
      send: async (f) => (await api.post('/api/v1/tokens', { username: value(f, 'username'), name: value(f, 'name') })).body,
      onDone: (tok) => { refresh().then(() => showOnce(tok)); },
    });
  }

  async function revoke(tok) {
    if (!(await confirm(t('admin.revoke_title', { name: tok.name || tok.prefix }), t('admin.revoke_text', { user: tok.user.username }),
      t('admin.revoke')))) return;
    try {
      await api.del(`/api/v1/tokens/${tok.id}`);
      notify(t('admin.token_revoked', { name: tok.name || tok.prefix }));
      refresh();
    } catch (e) {
      notify(t('common.failed', { message: e.message }), 'error');
    }
  }

  function draw(tokens) {
    const cols = ['admin.token_name', 'admin.token_prefix', 'admin.token_user', 'admin.created_at', 'admin.last_used', 'admin.status', 'admin.actions']
      .map((k) => ({ label: t(k) }));
    cols[6].bare = true;
    cols[6].cls = 'acts';
    return table(t('admin.tokens_caption', { n: tokens.length }), cols, tokens, (k) => [
      h('strong', {}, k.name || '—'), h('code', {}, `${k.prefix}…`), k.user.username, fmtTime(k.created_at),
      k.last_used_at ? fmtTime(k.last_used_at) : t('admin.never'),
      h('span', { class: ['badge', k.revoked ? 'off' : 'on'] }, k.revoked ? t('admin.revoked_at', { at: fmtTime(k.revoked_at) }) : t('admin.valid')),
      k.revoked ? '' : h('button', { type: 'button', class: 'small', 'aria-label': t('admin.revoke_of', { name: k.name || k.prefix }),
        on: { click: () => revoke(k) } }, t('admin.revoke')),
    ], (k) => (k.revoked ? 'off' : null));
  }

  body.append(h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', on: { click: create } }, t('admin.token_new'))),
    fresh, list);
  await refresh();
}
