// pages/admin-phrases.js - 系统管理 › 常用语 (/admin/phrases): every standard
// phrase with its kind, the category and state it is tied to (or none:
// offered everywhere) and its order; create, change, delete (after a
// confirmation). Agents see a change on their next page load.
import { h } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import { states, stateName } from '../reference.js';
import { notify } from '../dialog.js';
import { frame, table, input, textarea, select, formDialog, value, loadInto, confirm } from './admin-nav.js';
import { treeOrder } from './admin-categories.js';

const KINDS = ['greeting', 'hold', 'apology', 'closing', 'follow_up', 'resolution', 'summary'];

export async function render(ctx) {
  const body = frame(ctx, 'phrases');
  const list = h('div', {});
  let cats = [];
  const catName = (code) => (cats.find((c) => c.code === code) || { name: code }).name;
  const refresh = () => loadInto(list, async () => {
    const [ph, cs] = await Promise.all([api.get('/api/v1/phrases'), api.get('/api/v1/admin/categories')]);
    cats = treeOrder(cs.body.items);
    return ph.body.items;
  }, draw);

  const content = (p = {}) => [
    select('kind', t('admin.phrase_kind'), KINDS.map((k) => [k, t(`phrase.${k}`)]), p.kind || 'greeting', { required: true }),
    select('category', t('admin.phrase_category'), [['', t('admin.phrase_any_category')],
      ...cats.filter((c) => !c.offBranch || c.code === p.category).map((c) => [c.code, `${'\u3000'.repeat(c.depth)}${c.name}`])], p.category || ''),
    select('state', t('admin.phrase_state'), [['', t('admin.phrase_any_state')], ...states().map((s) => [s.code, stateName(s.code)])], p.state || ''),
    input('sort', t('admin.sort'), { type: 'number', value: p.sort ?? 0, help: t('admin.sort_help') }),
    textarea('text', t('admin.phrase_text'), { value: p.text, required: true, max: 500, rows: 4 }),
  ];
  const members = (f) => ({ kind: value(f, 'kind'), category: value(f, 'category') || null, state: value(f, 'state') || null,
    sort: value(f, 'sort') ?? 0, text: value(f, 'text') });

  function create() {
    formDialog({ title: t('admin.phrase_new'), submit: t('admin.create'), content: content(),
      send: async (f) => (await api.post('/api/v1/phrases', members(f))).body,
      onDone: () => { notify(t('admin.phrase_created')); refresh(); } });
  }

  function edit(p) {
    formDialog({ title: t('admin.phrase_edit', { id: p.id }), submit: t('admin.save'), content: content(p),
      send: async (f) => {
        const m = members(f);
        const b = {};
        for (const k of Object.keys(m)) if (m[k] !== p[k]) b[k] = m[k];
        return (await api.patch(`/api/v1/phrases/${p.id}`, b)).body;
      },
      onDone: () => { notify(t('admin.phrase_saved', { id: p.id })); refresh(); } });
  }

  async function remove(p) {
    if (!(await confirm(t('admin.phrase_delete_title', { id: p.id }), p.text, t('admin.delete')))) return;
    try {
      await api.del(`/api/v1/phrases/${p.id}`);
      notify(t('admin.phrase_deleted', { id: p.id }));
      refresh();
    } catch (e) {
      notify(t('common.failed', { message: e.message }), 'error');
    }
  }

  function draw(items) {
    const cols = ['admin.phrase_kind', 'admin.phrase_text', 'admin.phrase_category', 'admin.phrase_state', 'admin.sort', 'admin.actions']
      .map((k) => ({ label: t(k) }));
    cols[1].cls = 'text';
    cols[5].bare = true;
    cols[5].cls = 'acts';
    return table(t('admin.phrases_caption', { n: items.length }), cols, items, (p) => [
      t(`phrase.${p.kind}`), p.text, p.category ? catName(p.category) : t('admin.any'), p.state ? stateName(p.state) : t('admin.any'), String(p.sort),
      h('div', { class: 'row-buttons' },
        h('button', { type: 'button', class: 'small', 'aria-label': t('admin.phrase_edit', { id: p.id }), on: { click: () => edit(p) } }, t('admin.edit')),
        h('button', { type: 'button', class: 'small', 'aria-label': t('admin.phrase_delete_title', { id: p.id }), on: { click: () => remove(p) } },
          t('admin.delete'))),
    ]);
  }

  body.append(h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', on: { click: create } }, t('admin.phrase_new'))), list);
  await refresh();
}
