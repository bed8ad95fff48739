// dialog.js - modal dialogs (the native <dialog>: focus stays inside, Escape
// closes unless the dialog must be answered) and notices: one line under the
// header that says what just happened or what went wrong.
import { h, replace, uid } from './dom.js';
import { t } from './i18n.js';

// openDialog({title, content, closable, onClose, className}) → {el, close}
export function openDialog({ title, content, closable = true, onClose, className }) {
  const titleId = uid('dlg');
  const before = document.activeElement;
  const dlg = h('dialog', { class: ['dialog', className], 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' },
      h('h2', { id: titleId }, title),
      closable && h('button', { type: 'button', class: 'close', 'aria-label': t('common.close'),
        on: { click: () => dlg.close() } }, '×')),
    content);
  dlg.addEventListener('cancel', (e) => { if (!closable) e.preventDefault(); });
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (before && before.isConnected && typeof before.focus === 'function') before.focus();
    if (onClose) onClose(dlg.returnValue);
  });
  document.body.append(dlg);
  dlg.showModal();
  const first = dlg.querySelector('[autofocus], input:not([type=hidden]):not([readonly]), select, textarea');
  if (first) first.focus();
  return { el: dlg, close: (v) => dlg.close(v) };
}

let noticeTimer = 0;

// notify(text, 'ok' | 'warn' | 'error'): errors and warnings stay until the
// next notice; confirmations fade after a while.
export function notify(text, kind = 'ok') {
  const el = document.getElementById('notice');
  if (!el) return;
  clearTimeout(noticeTimer);
  el.className = `notice ${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  replace(el, h('span', {}, text),
    h('button', { type: 'button', class: 'close', 'aria-label': t('common.close'), on: { click: () => clearNotice() } }, '×'));
  el.hidden = false;
  if (kind === 'ok') noticeTimer = setTimeout(clearNotice, 8000);
}

export function clearNotice() {
  const el = document.getElementById('notice');
  if (el) { el.hidden = true; el.replaceChildren(); }
}

// The connection line: shown while api.js retries, gone when it answers.
export function connectionTrouble(state, info) {
  const el = document.getElementById('banner');
  if (!el) return;
  if (state === 'ok') { el.hidden = true; el.replaceChildren(); return; }
  replace(el, t('conn.retrying', { seconds: Math.ceil(info.wait / 1000), attempt: info.attempt }));
  el.hidden = false;
}
