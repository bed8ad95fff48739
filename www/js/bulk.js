// bulk.js - bulk actions on the rows of a list (the queue page): a checkbox
// per row (ticketTable's select option), Shift-click for a range, the
// header's box for every row shown, x for the focused row; a toolbar with
// "已选 N 张" and 派单, 转派, 催单, 备注 - each a small form of exactly the
// inputs /api/v1/workflow lists for the action (action-form.js) - sent as
// POST /api/v1/tickets/actions/{action} with each ticket's version (200 a
// request at most). The result lists every ticket as done or skipped with
// its reason; the done rows are redrawn from the server's copy.
import { h, replace, $$ } from './dom.js';
import * as api from './api.js';
import { t, pick, reason } from './i18n.js';
import { action as actionOf, stateName } from './reference.js';
import { actionForm } from './action-form.js';
import { openDialog } from './dialog.js';

const ACTIONS = ['dispatch', 'transfer', 'urge', 'comment'];
const MAX = 200; // tickets per request (README, Bulk actions)
const REASONS = new Set(['not_found', 'stale_version', 'not_allowed', 'invalid']);

// bulkBar({wrap, table: () => handle}) → {el, refresh, toggleFocused, destroy}
// wrap holds the table (its boxes are read from the DOM: rows appended by
// 加载更多 or redrawn by an update take part at once).
export function bulkBar({ wrap, table }) {
  const typed = {}; // what was typed per action, kept while the page is open
  let last = null;  // the box clicked last (the start of a Shift range)
  const count = h('span', { class: 'bulk-count', 'aria-live': 'polite' });
  const buttons = ACTIONS.map(actionOf).filter(Boolean).map((a) => h('button', { type: 'button', dataset: { action: a.code },
    on: { click: () => open(a) } }, pick(a, 'name')));
  const clear = h('button', { type: 'button', class: 'link', on: { click: () => { boxes().forEach((b) => { b.checked = false; }); refresh(); } } },
    t('bulk.clear'));
  const result = h('section', { class: 'bulk-result', hidden: true, 'aria-labelledby': 'bulk-result-h' });
  const el = h('div', { class: 'bulk' },
    h('div', { class: 'bulk-bar', role: 'toolbar', 'aria-label': t('bulk.toolbar') }, count, buttons, clear),
    result);

  const boxes = () => $$('input.row-select', wrap);
  const chosen = () => boxes().filter((b) => b.checked);

  function refresh() {
    const all = boxes();
    const n = all.filter((b) => b.checked).length;
    count.textContent = t('bulk.selected', { n });
    buttons.forEach((b) => { b.disabled = n === 0; });
    clear.hidden = n === 0;
    const head = wrap.querySelector('input.select-all');
    if (head) {
      head.checked = n > 0 && n === all.length;
      head.indeterminate = n > 0 && n < all.length;
    }
    for (const b of all) b.closest('tr').classList.toggle('selected', b.checked);
  }

  // Shift-click: every box between the last one clicked and this one takes
  // this one's state; the header's box takes every row shown.
  function onClick(e) {
    const box = e.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.matches('input.select-all')) {
      boxes().forEach((b) => { b.checked = box.checked; });
      last = null;
    } else if (box.matches('input.row-select')) {
      const all = boxes();
      if (e.shiftKey && last && last.isConnected && last !== box) {
        const [a, b] = [all.indexOf(last), all.indexOf(box)].sort((x, y) => x - y);
        for (let i = a; i <= b; i++) all[i].checked = box.checked;
      }
      last = box;
    } else return;
    refresh();
  }
  wrap.addEventListener('click', onClick);

  // x: the box of the row whose link has the focus
  function toggleFocused() {
    const tr = document.activeElement && document.activeElement.closest && document.activeElement.closest('tr');
    const box = tr && wrap.contains(tr) && tr.querySelector('input.row-select');
    if (!box) return false;
    box.checked = !box.checked;
    last = box;
    refresh();
    return true;
  }

  function open(a) {
    // the version each row had when it was ticked (tickets-view.js)
    const picked = chosen().map((b) => ({ number: b.value, version: Number(b.dataset.version) }));
    if (!picked.length) return;
    const form = actionForm({
      action: a, ticket: {}, values: typed[a.code] || {},
      onInput: (v) => { typed[a.code] = v; },
      onCancel: () => dlg.close(),
      onSubmit: async (inputs) => {
        // a required input left empty would skip every ticket as invalid: say it here
        const missing = a.inputs.filter((x) => x.required && (inputs[x.name] === undefined || String(inputs[x.name]).trim() === ''));
        if (missing.length) return form.showErrors(Object.fromEntries(missing.map((x) => [x.name, 'required'])));
        form.busy(true);
        form.clearErrors();
        try {
          const results = [];
          for (let i = 0; i < picked.length; i += MAX) {
            const r = await api.post(`/api/v1/tickets/actions/${encodeURIComponent(a.code)}`,
              { tickets: picked.slice(i, i + MAX), inputs });
            results.push(...r.body.results);
          }
          delete typed[a.code];
          dlg.close();
          await show(a, results);
        } catch (e) {
          form.showErrors(e.fields, e.message);
        } finally {
          form.busy(false);
        }
      },
    });
    const dlg = openDialog({ title: t('bulk.dialog_title', { action: pick(a, 'name'), n: picked.length }),
      content: [h('p', { class: 'muted' }, t('bulk.dialog_help', { n: picked.length })), form.el], className: 'bulk-dialog' });
    form.focus();
  }

  function why(r) {
    if (r.reason === 'invalid' && r.fields) return Object.values(r.fields).map(reason).join('；');
    if (REASONS.has(r.reason)) return t(`bulk.reason_${r.reason}`);
    return r.message || r.reason || '';
  }

  // The result: a line per ticket, done or skipped and why; the done rows
  // redrawn (and unticked), the skipped ones left ticked to look at.
  async function show(a, results) {
    const done = results.filter((r) => r.status === 'done');
    const skipped = results.filter((r) => r.status !== 'done');
    replace(result,
      h('h2', { id: 'bulk-result-h', tabIndex: -1 }, t('bulk.result', { action: pick(a, 'name'), done: done.length, skipped: skipped.length })),
      h('button', { type: 'button', class: 'link close-result', on: { click: () => { result.hidden = true; } } }, t('common.close')),
      h('ul', { class: 'bulk-results' }, [...skipped, ...done].map((r) => h('li', { class: r.status === 'done' ? 'done' : 'skipped',
        dataset: { number: r.number, reason: r.reason || '' } },
      h('a', { href: `/tickets/${r.number}` }, r.number), ' ',
      h('strong', {}, r.status === 'done' ? t('bulk.done') : t('bulk.skipped')),
      r.status === 'done' ? ` ${stateName(r.state)}` : ` ${why(r)}`))));
    result.hidden = false;
    result.querySelector('h2').focus();
    // the stale ones too: redrawn as they are now and left ticked at that
    // version, so that sending again acts on what the row shows
    const handle = table();
    const redraw = [...done, ...skipped.filter((r) => r.reason === 'stale_version')];
    const fresh = await Promise.all(redraw.map((r) => api.get(`/api/v1/tickets/${r.number}`).then((x) => x.body, () => null)));
    fresh.forEach((tk, i) => {
      if (!tk || !handle) return;
      handle.update(tk);
      const row = handle.rowOf(tk.number);
      const box = row && row.querySelector('input.row-select');
      if (!box) return;
      if (redraw[i].status === 'done') box.checked = false;
      else box.dataset.version = String(tk.version);
    });
    refresh();
  }

  refresh();
  return {
    el,
    refresh,
    toggleFocused,
    destroy: () => wrap.removeEventListener('click', onClick),
  };
}
