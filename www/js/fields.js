// fields.js - form controls with their <label for>, help, limits as you type
// and the place for a server's reason beside them; the extra fields of a
// category generated from its schema (text, phone, yesno, choice, number);
// and 422 errors shown beside their fields with focus on the first.
import { h, uid, $$ } from './dom.js';
import { t, reason } from './i18n.js';

// the * of a required field sits beside its label (the label is the name alone)
const req = (required) => required && h('span', { class: 'req', 'aria-hidden': 'true' }, '*');

// A field: label, control (or a body holding it), optional help, counter and
// extra nodes, error line. The control gets aria-describedby for help and error.
export function field({ label, control, body, required, help, extra, wide, name }) {
  const id = control.id || (control.id = uid('f'));
  const errId = `${id}-err`;
  const helpId = help ? `${id}-help` : null;
  control.setAttribute('aria-describedby', [helpId, errId].filter(Boolean).join(' '));
  if (required) control.setAttribute('aria-required', 'true');
  if (name) control.dataset.field = name;
  return h('div', { class: ['field', wide && 'wide'], dataset: { for: name || '' } },
    h('div', { class: 'label-row' }, h('label', { for: id }, label), req(required)),
    body || control,
    extra,
    help && h('p', { class: 'help', id: helpId }, help),
    h('p', { class: 'error', id: errId, hidden: true }));
}

// A text box or area with a character limit (characters, as the server
// counts) and a live counter.
export function limitedText({ id, value = '', max, area = false, rows = 3, long = false, attrs = {} }) {
  const control = h(area ? 'textarea' : 'input', { id, value, rows: area ? rows : null, maxLength: max || null, ...attrs });
  if (long) control.dataset.long = '1';
  const counter = max ? h('span', { class: 'counter', 'aria-hidden': 'true' }) : null;
  if (counter) {
    const update = () => { counter.textContent = `${[...control.value].length}/${max}`; };
    control.addEventListener('input', update);
    update();
  }
  return { control, counter };
}

// Phone numbers as the server wants them: full-width digits become ASCII,
// spaces and dashes go, so an agent may type them either way.
export function phoneInput(attrs) {
  const el = h('input', { inputmode: 'numeric', autocomplete: 'off', maxLength: 20, ...attrs });
  el.addEventListener('input', () => {
    const v = el.value.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[\s\-－]/g, '');
    if (v !== el.value) el.value = v;
  });
  return el;
}

// The controls of a category's extra fields; values by field name. A long
// text field gets decorate(textarea, label) beside its counter (常用语).
export function schemaFields(schema, values = {}, prefix = 'x', decorate = null) {
  return (schema || []).map((f) => {
    const id = `${prefix}-${f.name}`;
    const v = values[f.name];
    if (f.type === 'yesno') {
      const opts = [['yes', t('common.yes')], ['no', t('common.no')]].map(([val, text]) => {
        const rid = `${id}-${val}`;
        return h('span', { class: 'choice' },
          h('input', { type: 'radio', id: rid, name: id, value: val, checked: v === val, dataset: { field: f.name } }),
          h('label', { for: rid }, text));
      });
      const errId = `${id}-err`;
      const helpId = f.help ? `${id}-help` : null;
      return h('fieldset', { class: 'field yesno', role: 'radiogroup', dataset: { for: f.name }, id,
        'aria-describedby': [helpId, errId].filter(Boolean).join(' '), 'aria-required': f.required ? 'true' : null },
      h('legend', {}, f.label, req(f.required)), h('div', { class: 'choices' }, opts),
      f.help && h('p', { class: 'help', id: helpId }, f.help),
      h('p', { class: 'error', id: errId, hidden: true }));
    }
    let control, counter = null, long = false;
    if (f.type === 'choice') {
      control = h('select', { id }, h('option', { value: '' }, t('common.choose')),
        (f.options || []).map((o) => h('option', { value: o, selected: v === o }, o)));
    } else if (f.type === 'number') {
      control = h('input', { id, type: 'number', step: 'any', value: v ?? '', min: f.min ?? null, max: f.max ?? null, inputmode: 'decimal' });
    } else if (f.type === 'phone') {
      control = phoneInput({ id, value: v || '' });
    } else {
      const max = f.max || 500;
      long = max > 200; // a line up to 200 characters; a box (with 常用语) beyond
      ({ control, counter } = limitedText({ id, value: v || '', max, area: long, rows: 2, long }));
    }
    const extra = long && decorate ? h('div', { class: 'under' }, counter, decorate(control, f.label)) : counter;
    const el = field({ label: f.label, control, required: f.required, help: f.help, extra, name: f.name, wide: long });
    if (f.type === 'number') control.addEventListener('input', () => rangeCheck(el, control, f));
    return el;
  });
}

// A number's limits, said beside it as it is typed.
function rangeCheck(box, control, f) {
  const err = box.querySelector('.error');
  const v = control.value === '' ? null : Number(control.value);
  const why = v === null ? '' : Number.isNaN(v) ? t('reason.number')
    : f.min !== undefined && v < f.min ? t('reason.min_value', { n: f.min })
      : f.max !== undefined && v > f.max ? t('reason.max_value', { n: f.max }) : '';
  err.textContent = why;
  err.hidden = !why;
  if (why) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

// The values of those controls (empty ones left out), typed as the schema says.
export function schemaValues(container, schema) {
  const out = {};
  for (const f of schema || []) {
    let v;
    if (f.type === 'yesno') {
      const c = container.querySelector(`input[type=radio][data-field="${f.name}"]:checked`);
      v = c ? c.value : '';
    } else {
      const el = container.querySelector(`[data-field="${f.name}"]:not(fieldset)`);
      v = el ? el.value : '';
    }
    if (v === '' || v === undefined) continue;
    out[f.name] = f.type === 'number' ? Number(v) : v;
  }
  return out;
}

export function clearErrors(form) {
  for (const el of $$('.error', form)) { el.hidden = true; el.textContent = ''; }
  for (const el of $$('[aria-invalid]', form)) el.removeAttribute('aria-invalid');
  const general = form.querySelector('.form-error');
  if (general) { general.hidden = true; general.textContent = ''; }
}

// Shows {name: reason} beside the fields (data-for=name; extra fields arrive
// as "fields.<name>"); reasons without a field go to the form's own line.
// Focus moves to the first field in the order of the form.
export function showErrors(form, fields, message) {
  clearErrors(form);
  const general = [];
  const marked = [];
  for (const [key, why] of Object.entries(fields || {})) {
    const name = key.startsWith('fields.') ? key.slice(7) : key;
    const box = form.querySelector(`[data-for="${CSS.escape(name)}"]`);
    if (!box) { general.push(`${key}: ${reason(why)}`); continue; }
    const err = box.querySelector('.error');
    err.textContent = reason(why);
    err.hidden = false;
    const control = box.matches('fieldset') ? box : box.querySelector('input, select, textarea, [role=combobox]');
    if (control) control.setAttribute('aria-invalid', 'true');
    marked.push(box);
  }
  const line = form.querySelector('.form-error');
  if (line && (general.length || (!marked.length && message))) {
    line.textContent = [message, ...general].filter(Boolean).join(' · ');
    line.hidden = false;
  }
  const first = marked.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1))[0];
  if (first) {
    const c = first.querySelector('input:not([type=hidden]), select, textarea');
    if (c) c.focus();
  } else if (line && !line.hidden) line.scrollIntoView({ block: 'nearest' });
}
