// action-form.js - the small form of one workflow action, built from the
// inputs /api/v1/workflow lists for it (the UI holds no copy of the graph:
// an action added to the table appears with its inputs). Kinds: department
// (handling departments only, not the current one), satisfaction (1-5),
// text (with 常用语 and its character limit).
import { h, uid } from './dom.js';
import { t, pick } from './i18n.js';
import { handlingDepartments } from './reference.js';
import { field, limitedText, showErrors, clearErrors } from './fields.js';
import { phraseButton } from './phrases.js';

function control(inp, ticket, value, id) {
  if (inp.kind === 'department') {
    return { control: h('select', { id }, h('option', { value: '' }, t('common.choose')),
      handlingDepartments().filter((d) => d.code !== ticket.department)
        .map((d) => h('option', { value: d.code, selected: value === d.code }, d.name))) };
  }
  if (inp.kind === 'satisfaction') {
    return { control: h('select', { id }, h('option', { value: '' }, t('satisfaction.none')),
      [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n), selected: String(value) === String(n) }, t(`satisfaction.${n}`)))) };
  }
  return limitedText({ id, value: value || '', max: inp.max, area: true, rows: 3, long: true });
}

// actionForm({action, ticket, values, onSubmit(inputs), onCancel, onInput(values)})
export function actionForm({ action, ticket, values = {}, onSubmit, onCancel, onInput }) {
  const prefix = uid(`act-${action.code}`);
  const parts = action.inputs.map((inp) => {
    const id = `${prefix}-${inp.name}`;
    const { control: c, counter } = control(inp, ticket, values[inp.name], id);
    c.dataset.input = inp.name;
    const label = pick(inp, 'label');
    const extra = inp.kind === 'text'
      ? h('div', { class: 'under' }, counter, phraseButton(c, label, () => ({ category: ticket.category, state: ticket.state })))
      : null;
    return field({ label, control: c, required: inp.required, extra, name: inp.name, wide: inp.kind === 'text' });
  });
  const read = () => {
    const out = {};
    for (const inp of action.inputs) {
      const el = form.querySelector(`[data-input="${inp.name}"]`);
      const v = el ? el.value : '';
      if (v === '') continue;
      out[inp.name] = inp.kind === 'satisfaction' ? Number(v) : v;
    }
    return out;
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, pick(action, 'name'));
  const form = h('form', { class: 'action-form', novalidate: true, dataset: { action: action.code },
    'aria-label': pick(action, 'name'),
    on: {
      submit: (e) => { e.preventDefault(); onSubmit(read()); },
      input: () => onInput && onInput(read()),
      change: () => onInput && onInput(read()),
      keydown: (e) => {
        if (e.key === 'Escape' && onCancel) { e.preventDefault(); onCancel(); }
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.stopPropagation(); form.requestSubmit(); }
      },
    } },
  action.inputs.length ? parts : h('p', { class: 'muted' }, t('action.no_inputs')),
  h('p', { class: 'form-error', role: 'alert', hidden: true }),
  h('div', { class: 'buttons' }, submit,
    onCancel && h('button', { type: 'button', on: { click: () => onCancel() } }, t('common.cancel'))));
  return {
    el: form,
    values: read,
    showErrors: (fields, message) => showErrors(form, fields, message),
    clearErrors: () => clearErrors(form),
    busy: (on) => { submit.disabled = on; },
    focus: () => { const c = form.querySelector('select, textarea, input'); (c || submit).focus(); },
  };
}
