// pages/intake.js - /intake (投诉受理), for an agent with a caller on the
// line. /intake?number=13812345678 (what a softphone opens when a call
// rings) starts with 故障号码 filled and its history loaded. After 提交 or
// 一次解决 the ticket number stays above a fresh form for the next call.
import { h, replace, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as formstore from '../formstore.js';
import { notify } from '../dialog.js';
import { ticketForm, isBlank } from '../ticket-form.js';

const KEY = 'intake';

function resultLine(kind, tk) {
  const id = uid('result-number');
  const box = h('input', { id, class: 'number-box', readOnly: true, value: tk.number, size: 18 });
  const copy = async () => {
    box.select();
    try {
      await navigator.clipboard.writeText(tk.number);
    } catch {
      document.execCommand('copy'); // plain http: no clipboard API, the selection is copied
    }
    notify(t('intake.copied', { number: tk.number }));
  };
  return h('div', { class: 'result', role: 'status' },
    h('label', { for: id }, t(kind === 'resolved' ? 'intake.resolved' : 'intake.submitted')), ' ', box, ' ',
    h('button', { type: 'button', class: 'small', on: { click: copy } }, t('intake.copy')), ' ',
    h('a', { href: `/tickets/${tk.number}` }, t('intake.open')));
}

export function render(ctx) {
  const number = ctx.query.get('number');
  const stored = formstore.load(KEY);
  const result = h('div', { class: 'result-slot' });
  const slot = h('div');
  let form = null;
  let unbind = null;

  const mount = (preset) => {
    if (unbind) unbind();
    form = ticketForm({ storeKey: KEY, preset, onDone });
    replace(slot, form.el);
    unbind = form.bindKeys();
  };

  function onDone(kind, tk) {
    if (kind === 'saved') return notify(t('intake.draft_saved', { number: tk.number }));
    replace(result, resultLine(kind, tk));
    if (location.search) history.replaceState(null, '', '/intake');
    mount({});
    form.focus();
  }

  ctx.main.append(h('h1', { class: 'page-title' }, t('nav.intake')), result, slot);
  const other = number && stored && !isBlank(stored) && stored.core.fault_number && stored.core.fault_number !== number;
  mount(number && !other ? { fault_number: number } : {});
  if (other) {
    // an unsaved form of an earlier call: kept until the agent says otherwise
    replace(result, h('div', { class: 'notice warn', role: 'status' },
      t('intake.unsaved_other', { number: stored.core.fault_number }), ' ',
      h('button', { type: 'button', class: 'small', on: { click: () => {
        formstore.clear(KEY);
        result.replaceChildren();
        mount({ fault_number: number });
        form.focus();
      } } }, t('intake.start_for', { number }))));
  }
  form.focus();
  return () => { if (unbind) unbind(); };
}
