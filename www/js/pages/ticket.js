// pages/ticket.js - /tickets/{number} (工单详情): every field, extra fields
// under their schema labels; state, department, assignee, priority, urge and
// repeat counts, the deadline; a button for each allowed action opening the
// form of exactly its inputs (from the workflow data), sent with If-Match;
// 查看流程 and 历史故障 beside it. The creator edits a draft here. A 412
// (someone else changed the ticket) reloads it and keeps what was typed.
// Live: a change made elsewhere (live.js) redraws the ticket at once, unless
// an action form or the draft's form is open: then what was typed stays and
// a line says "此工单已被他人更新 · 重新加载" (the same reload as after a 412).
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { t, pick, fmtTime } from '../i18n.js';
import * as formstore from '../formstore.js';
import { notify } from '../dialog.js';
import { action, actionName, category, categoryPath, stateName } from '../reference.js';
import { actionForm } from '../action-form.js';
import { ticketForm } from '../ticket-form.js';
import { stateBadge, countdown, timeline, faultHistory } from '../tickets-view.js';
import { subscribe } from '../live.js';

function value(v) {
  return v === null || v === undefined || v === '' ? '—' : v;
}

function fieldValue(f, v) {
  if (f && f.type === 'yesno' && (v === 'yes' || v === 'no')) return t(v === 'yes' ? 'common.yes' : 'common.no');
  return value(v);
}

function details(tk) {
  const c = category(tk.category);
  const schema = (c && c.fields) || [];
  const row = (label, v, cls) => [h('dt', {}, label), h('dd', { class: cls }, value(v))];
  const extra = [...schema.map((f) => [f.label, fieldValue(f, tk.fields[f.name])]),
    ...Object.keys(tk.fields).filter((k) => !schema.some((f) => f.name === k)).map((k) => [k, tk.fields[k]])];
  return h('div', {},
    h('dl', { class: 'details' },
      row(t('ticket.category'), categoryPath(tk.category) || tk.category_name),
      row(t('ticket.fault_number'), tk.fault_number),
      row(t('ticket.customer_name'), tk.customer_name),
      row(t('ticket.region'), tk.region_name),
      row(t('ticket.contact_number'), tk.contact_number),
      row(t('ticket.subject'), tk.subject),
      row(t('ticket.description'), tk.description, 'text'),
      tk.resolution !== null && row(t('ticket.resolution'), tk.resolution, 'text'),
      tk.summary !== null && row(t('ticket.summary'), tk.summary, 'text'),
      tk.satisfaction !== null && row(t('ticket.satisfaction'), t(`satisfaction.${tk.satisfaction}`)),
      row(t('ticket.created_by'), tk.created_by),
      row(t('ticket.created_at'), fmtTime(tk.created_at)),
      tk.submitted_at && row(t('ticket.submitted_at'), fmtTime(tk.submitted_at)),
      tk.deadline && row(t('ticket.deadline_at'), fmtTime(tk.deadline)),
      tk.closed_at && row(t('ticket.closed_at'), fmtTime(tk.closed_at))),
    extra.length ? h('section', { class: 'extra-view', 'aria-labelledby': 'h-extra' },
      h('h3', { id: 'h-extra' }, t('ticket.extra')),
      h('dl', { class: 'details' }, extra.map(([l, v]) => row(l, v, 'text')))) : null);
}

function facts(tk) {
  const item = (label, node, cls) => h('li', { class: cls }, h('span', { class: 'muted' }, label), ' ', node);
  return h('ul', { class: 'facts' },
    item(t('ticket.state'), stateBadge(tk.state)),
    item(t('ticket.department'), value(tk.department_name)),
    item(t('ticket.assignee'), value(tk.assignee)),
    item(t('ticket.priority'), t(`priority.${tk.priority}`), tk.priority === 'urgent' ? 'urgent' : null),
    item(t('ticket.deadline'), countdown(tk)),
    item(t('ticket.urge_count'), String(tk.urge_count), tk.urge_count ? 'urgent' : null),
    item(t('ticket.repeat_count'), String(tk.repeat_count), tk.repeat_count ? 'urgent' : null));
}

export async function render(ctx) {
  const number = ctx.params.number;
  const base = `/api/v1/tickets/${encodeURIComponent(number)}`;
  const actionKey = `action.${number}`, editKey = `edit.${number}`;
  let tk = null, etag = null, hist = null, faultItems = [];
  let unbindKeys = null;
  // live updates: the newest version an event announced, and whether this
  // page is sending an action (its own change comes back as an event too)
  let heard = 0, sending = false, wasReset = false, ready = false;
  const behind = () => wasReset || tk.version < heard;
  const unsubscribe = subscribe({
    ticket: (ev) => { if (ev.number === number) { heard = Math.max(heard, ev.version); freshen(); } },
    reset: () => { wasReset = true; freshen(); },
  });

  const loadTicket = async () => {
    const [a, b] = await Promise.all([api.get(base), api.get(`${base}/history`)]);
    tk = a.body;
    etag = a.etag;
    hist = b.body;
  };
  const loadFault = async (fault) => {
    try {
      faultItems = (await api.get('/api/v1/tickets' + api.query({ fault_number: fault, limit: 50 }))).body.items;
    } catch {
      faultItems = [];
    }
  };

  try {
    await loadTicket();
    await loadFault(tk.fault_number);
  } catch (e) {
    if (e.status === 404) {
      ctx.main.append(h('section', { class: 'notfound' }, h('h1', {}, t('ticket.not_found_title')),
        h('p', {}, t('ticket.not_found', { number })), h('p', {}, h('a', { href: ctx.home }, t('notfound.home')))));
      return unsubscribe;
    }
    ctx.main.append(h('h1', {}, number), h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message })));
    return unsubscribe;
  }

  const headSlot = h('div'), infoSlot = h('div'), actionsSlot = h('div'), panel = h('div', { class: 'action-panel' });
  const flowSlot = h('div'), faultSlot = h('div');
  const liveSlot = h('div', { class: 'live-ticket', role: 'status' });
  ctx.main.append(liveSlot, headSlot, h('div', { class: 'ticket-grid' },
    h('div', { class: 'ticket-main' },
      // the actions first: what the handler came to do, above the fold
      h('section', { 'aria-labelledby': 'h-actions', class: 'actions' }, h('h2', { id: 'h-actions' }, t('ticket.actions')),
        actionsSlot, panel),
      h('section', { 'aria-labelledby': 'h-info' }, h('h2', { id: 'h-info' }, t('ticket.info')), infoSlot)),
    h('div', { class: 'ticket-side' },
      h('section', { 'aria-labelledby': 'h-flow' }, h('h2', { id: 'h-flow' }, t('flow.title')), flowSlot),
      h('section', { 'aria-labelledby': 'h-fault' }, h('h2', { id: 'h-fault' }, t('history.title')), faultSlot))));

  const mine = () => tk.state === 'draft' && tk.created_by === ctx.user.username;

  function paint() {
    replace(headSlot, h('header', { class: 'ticket-head' },
      h('h1', {}, tk.number, h('span', { class: 'head-state' }, ` · ${stateName(tk.state)}`)),
      h('p', { class: 'subject' }, tk.subject),
      facts(tk)));
    replace(infoSlot, details(tk));
    replace(flowSlot, timeline(hist, tk));
    replace(faultSlot, faultHistory(faultItems, tk.number));
    paintActions();
  }

  function paintActions(openCode) {
    const buttons = tk.allowed_actions.map(action).filter(Boolean).map((a) => h('button', {
      type: 'button', class: a.code === openCode ? 'active' : null, 'aria-expanded': a.code === openCode ? 'true' : 'false',
      dataset: { action: a.code }, on: { click: () => openAction(a.code) } }, pick(a, 'name')));
    if (mine()) buttons.unshift(h('button', { type: 'button', on: { click: () => openEdit() } }, t('ticket.edit')));
    replace(actionsSlot, buttons.length ? h('div', { class: 'buttons action-bar' }, buttons) : h('p', { class: 'muted' }, t('ticket.no_actions')));
  }

  function closePanel() {
    formstore.clear(actionKey);
    panel.replaceChildren();
    paintActions();
  }

  async function reload() {
    wasReset = false;
    await loadTicket();
    if (!behind()) liveSlot.replaceChildren();
    paint();
  }

  // An event said the ticket changed (or the stream was reset). Nothing to
  // do while this page's own action is under way (its answer brings the
  // ticket) or when the version shown is that one already.
  let refreshing = null, typingTimer = 0;
  const typing = () => panel.childElementCount > 0 || Boolean(infoSlot.querySelector('.edit-draft'));
  function freshen() {
    if (!ready || sending || refreshing || !behind()) return;
    if (typing()) {
      // the draft's form saves by itself (ticket-form.js): its own change
      // comes back as an event before onDone reloads, so look again shortly
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => {
        if (!ready || sending || !behind()) return;
        if (!typing()) { freshen(); return; }
        replace(liveSlot, h('p', { class: 'live-line warn' }, t('live.ticket_changed'), ' ',
          h('button', { type: 'button', class: 'link', on: { click: () => reloadKeeping() } }, t('live.reload'))));
      }, 800);
      return;
    }
    const before = document.activeElement;
    const focusAction = before && before.dataset ? before.dataset.action : null;
    const hadFocus = before && ctx.main.contains(before) && before !== document.body;
    refreshing = reload().then(() => {
      replace(liveSlot, h('p', { class: 'live-line' }, t('live.ticket_updated', { time: fmtTime(tk.updated_at) })));
      const head = headSlot.querySelector('.ticket-head');
      if (head) { head.classList.add('live-changed'); setTimeout(() => head.classList.remove('live-changed'), 2500); }
      // the focus stays where it was, or as near as the new page allows
      if (hadFocus && !before.isConnected) {
        const same = focusAction && actionsSlot.querySelector(`button[data-action="${CSS.escape(focusAction)}"]`);
        const h1 = headSlot.querySelector('h1');
        if (same) same.focus();
        else if (h1) { h1.tabIndex = -1; h1.focus(); }
      }
    }, (e) => console.error(e)).finally(() => { refreshing = null; freshen(); });
  }

  // 重新加载 on the line above: as after a 412, what is typed is kept.
  async function reloadKeeping() {
    const pending = formstore.load(actionKey);
    const editing = Boolean(infoSlot.querySelector('.edit-draft'));
    try {
      await reload();
    } catch (e) {
      notify(t('common.failed', { message: e.message }), 'error');
      return;
    }
    liveSlot.replaceChildren();
    if (editing && mine()) {
      // what was typed goes on from the version now shown (a save would
      // otherwise meet the 412 of the version it started from)
      const st = formstore.load(editKey);
      if (st && st.draft) { st.draft.version = tk.version; formstore.save(editKey, st); }
      openEdit();
    }
    else if (editing) { replace(infoSlot, details(tk)); notify(t('live.draft_gone'), 'warn'); }
    else if (pending && panel.childElementCount) {
      if (tk.allowed_actions.includes(pending.action)) openAction(pending.action, pending.values);
      else notify(t('live.action_gone', { action: actionName(pending.action) }), 'warn');
    }
  }

  function openAction(code, values = {}) {
    const a = action(code);
    if (!a || !tk.allowed_actions.includes(code)) return;
    formstore.save(actionKey, { action: code, values });
    paintActions(code);
    const af = actionForm({
      action: a, ticket: tk, values,
      onInput: (v) => formstore.save(actionKey, { action: code, values: v }),
      onCancel: () => closePanel(),
      onSubmit: async (inputs) => {
        af.busy(true);
        sending = true;
        try {
          const r = await api.post(`${base}/actions/${code}`, inputs, { ifMatch: etag });
          formstore.clear(actionKey);
          tk = r.body;
          etag = r.etag;
          hist = (await api.get(`${base}/history`)).body;
          panel.replaceChildren();
          paint();
          notify(t('ticket.done', { action: pick(a, 'name'), number: tk.number }));
          const h1 = headSlot.querySelector('h1');
          if (h1) { h1.tabIndex = -1; h1.focus(); }
        } catch (e) {
          af.busy(false);
          if (e.status === 422) return af.showErrors(e.fields, e.message);
          if (e.status === 412 || e.status === 409) {
            notify(t(e.status === 412 ? 'ticket.conflict' : 'ticket.not_now', { message: e.message }), 'warn');
            await reload();
            if (tk.allowed_actions.includes(code)) openAction(code, inputs);
            else formstore.save(actionKey, { action: code, values: inputs });
            return;
          }
          notify(t('common.failed', { message: e.message }), 'error');
        } finally {
          sending = false;
          freshen();
        }
      },
    });
    replace(panel, h('h3', {}, pick(a, 'name')), af.el);
    af.focus();
  }

  function openEdit() {
    panel.replaceChildren();
    actionsSlot.replaceChildren(); // the form has its own 保存, 提交, 一次解决
    const form = ticketForm({ storeKey: editKey, ticket: tk, onDone: async (kind, after) => {
      if (unbindKeys) { unbindKeys(); unbindKeys = null; }
      if (kind === 'saved') formstore.clear(editKey);
      await reload();
      notify(t(`ticket.edit_${kind}`, { number: after.number }));
    } });
    replace(infoSlot, h('div', { class: 'edit-draft' }, form.el,
      h('button', { type: 'button', on: { click: () => {
        formstore.clear(editKey);
        if (unbindKeys) { unbindKeys(); unbindKeys = null; }
        replace(infoSlot, details(tk));
        paintActions();
      } } }, t('ticket.edit_cancel'))));
    if (unbindKeys) unbindKeys();
    unbindKeys = form.bindKeys();
    form.focus();
  }

  paint();
  // what was being typed before a reload
  const pending = formstore.load(actionKey);
  if (formstore.load(editKey) && mine()) openEdit();
  else if (pending && tk.allowed_actions.includes(pending.action)) openAction(pending.action, pending.values);
  ready = true;
  freshen(); // a change heard while the page was loading
  return () => { unsubscribe(); clearTimeout(typingTimer); if (unbindKeys) unbindKeys(); };
}
