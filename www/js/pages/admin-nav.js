// pages/admin-nav.js - what the 系统管理 pages share: the sub-menu (one link
// per page, each its own URL under /admin), the page frame, the admin
// tables (caption, scope=col headers; one card per row at phone width),
// the form controls with their labels, a form in a dialog that keeps what
// was typed when the server refuses it (its 422 beside the fields, any other
// error on the form's own line), and a confirmation dialog. /admin itself
// opens the first page.
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { field, clearErrors, showErrors } from '../fields.js';
import { openDialog } from '../dialog.js';
import { ApiError } from '../api.js';
import * as router from '../router.js';

export const SECTIONS = ['users', 'tokens', 'departments', 'categories', 'phrases', 'segments', 'audit'];

// /admin: the first page.
export function render() {
  router.navigate('/admin/users', { replace: true });
}

// The frame of an admin page: sub-menu, title, body; returns the body.
export function frame(ctx, section, title) {
  const here = `/admin/${section}`;
  const nav = h('nav', { class: 'admin-nav', 'aria-label': t('admin.nav_label') },
    h('ul', {}, SECTIONS.map((s) => h('li', {},
      h('a', { href: `/admin/${s}`, 'aria-current': s === section ? 'page' : null }, t(`admin.${s}`))))));
  const body = h('section', { class: 'admin-body' });
  ctx.main.append(h('div', { class: 'admin' }, nav,
    h('div', { class: 'admin-page' },
      h('p', { class: 'crumb muted' }, t('admin.title'), title && [' › ', h('a', { href: here }, t(`admin.${section}`))]),
      h('h1', {}, title || t(`admin.${section}`)), body)));
  return body;
}

// A table: cols [{label, cls}], rows, cells(row) → [cell content per col].
// Each cell carries its column's label (shown before it on a phone card).
export function table(caption, cols, rows, cells, rowClass) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'admin-table' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)))),
      h('tbody', {}, rows.map((r) => {
        const cs = cells(r);
        return h('tr', { class: rowClass ? rowClass(r) : null },
          cols.map((c, i) => h('td', { class: c.cls, dataset: c.bare ? {} : { label: c.label } }, cs[i])));
      }))));
}

let seq = 0;

// Form controls: each a .field with <label for>, an error line and
// data-for = its name (where a 422 of that member goes).
export function input(name, label, { value = '', type = 'text', required, help, max, attrs = {} } = {}) {
  const control = h('input', { id: `adm-${name}-${++seq}`, name, type, value: value ?? '', required: !!required,
    maxLength: max || null, ...attrs });
  if (type === 'number') control.step = '1';
  return field({ label, control, required, help, name });
}

export function textarea(name, label, { value = '', rows = 3, required, help, max } = {}) {
  const control = h('textarea', { id: `adm-${name}-${++seq}`, name, rows, value: value ?? '', maxLength: max || null });
  return field({ label, control, required, help, name, wide: true });
}

// options: [[value, text]]
export function select(name, label, options, value, { required, help } = {}) {
  const control = h('select', { id: `adm-${name}-${++seq}`, name },
    options.map(([v, text]) => h('option', { value: v, selected: (value ?? '') === v }, text)));
  return field({ label, control, required, help, name });
}

export function checkbox(name, label, checked) {
  const id = `adm-${name}-${++seq}`;
  const control = h('input', { id, name, type: 'checkbox', checked: !!checked });
  return h('div', { class: 'field check', dataset: { for: name } }, control, h('label', { for: id }, label),
    h('p', { class: 'error', hidden: true }));
}

// The value of a named control: checkboxes true/false, numbers a number
// (or null when empty), the rest as typed.
export function value(form, name) {
  const el = form.elements[name];
  if (!el) return undefined;
  if (el.type === 'checkbox') return el.checked;
  if (el.type === 'number') return el.value === '' ? null : Number(el.value);
  return el.value;
}

// Shows a failed request on a form: the fields beside them, the message on
// the form's line (a 409's reason, a connection error).
export function showFailure(form, e, fixFields = (f) => f) {
  if (e instanceof ApiError) showErrors(form, fixFields(e.fields), e.message);
  else showErrors(form, {}, t('common.failed', { message: e.message || String(e) }));
}

// A form in a dialog: submit runs send(form) (which throws on refusal); the
// dialog closes on success, and stays open with everything typed on failure.
export function formDialog({ title, content, submit, send, onDone, wide }) {
  const button = h('button', { type: 'submit', class: 'primary' }, submit);
  const form = h('form', { class: 'admin-form', novalidate: true },
    h('div', { class: 'admin-fields' }, content),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'buttons' }, button,
      h('button', { type: 'button', on: { click: () => dlg.close() } }, t('common.cancel'))));
  const dlg = openDialog({ title, content: form, className: wide ? 'wide' : null });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      const result = await send(form);
      dlg.close();
      if (onDone) onDone(result);
    } catch (err) {
      showFailure(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return { dlg, form };
}

// Asks before something that cannot be undone; resolves true to go ahead.
export function confirm(title, text, yes) {
  return new Promise((resolve) => {
    let answer = false;
    const d = openDialog({ title, onClose: () => resolve(answer),
      content: h('div', {}, h('p', {}, text),
        h('div', { class: 'buttons' },
          h('button', { type: 'button', class: 'primary danger', on: { click: () => { answer = true; d.close(); } } }, yes),
          h('button', { type: 'button', autofocus: true, on: { click: () => d.close() } }, t('common.cancel')))) });
  });
}

// A line that says the list is loading, then is replaced by the list (or
// the error).
export async function loadInto(box, load, draw) {
  replace(box, h('p', { class: 'muted' }, t('common.loading')));
  try {
    const data = await load();
    replace(box, draw(data));
  } catch (e) {
    replace(box, h('p', { class: 'form-error', role: 'alert' }, t('common.failed', { message: e.message || String(e) })));
  }
}

export const yesNo = (b) => (b ? t('common.yes') : t('common.no'));
