// pages/admin-fields-editor.js - the form editor of a category's extra
// fields (fields_schema, README "Categories and extra fields"): one row per
// field with name, label, type (text, phone, yesno, choice, number),
// required, help and what its type takes (text: max characters; number:
// min and max; choice: the options, one a line); add, remove, move up and
// down. The server checks the schema; its paths (fields_schema[1].type,
// fields_schema[0].options[2], fields_schema[1] for min > max) land on the
// row and control they name, because each row's boxes carry those paths.
import { h, replace } from '../dom.js';
import { t, reason } from '../i18n.js';
import { field } from '../fields.js';

export const TYPES = ['text', 'phone', 'yesno', 'choice', 'number'];

// fields_schema_check's reasons (src/core/fields.c) in the UI's language;
// anything else as the server said it.
const REASONS = [
  [/^must be one of text, phone/, 'admin.fs_type'],
  [/^required, must match \[a-z\]/, 'admin.fs_name'],
  [/^duplicate /, 'admin.fs_duplicate'],
  [/^required, a string of 1 to (\d+) characters/, 'admin.fs_label'],
  [/^min is greater than max/, 'admin.fs_min_max'],
  [/^required, an array of 1 to (\d+) strings/, 'admin.fs_options'],
  [/^duplicate option/, 'admin.fs_duplicate_option'],
  [/^must be a string of 1 to (\d+) characters/, 'admin.fs_option'],
  [/^must be an integer from 1 to (\d+)/, 'admin.fs_max_chars'],
  [/^must be a number/, 'reason.number'],
];
const schemaReason = (why) => {
  for (const [re, key] of REASONS) {
    const m = re.exec(why);
    if (m) return t(key, { n: m[1] });
  }
  return reason(why);
};

// {el, schema(), fixErrors(fields)}; rows from the schema given.
export function fieldsEditor(initial = []) {
  let rows = initial.map((f) => ({ ...f }));
  let seq = 0;
  const list = h('ol', { class: 'schema-rows' });
  const none = h('p', { class: 'muted schema-none' }, t('admin.fields_none'));
  const el = h('fieldset', { class: 'schema-editor', dataset: { for: 'fields_schema' } },
    h('legend', {}, t('admin.fields_legend')),
    h('p', { class: 'error', hidden: true }),
    h('p', { class: 'help' }, t('admin.fields_help')),
    none, list,
    h('div', { class: 'buttons' }, h('button', { type: 'button', on: { click: () => { read(); rows.push({ type: 'text' }); draw(rows.length - 1); } } },
      t('admin.field_add'))));

  // the rows as typed (before a redraw moves them)
  function read() {
    rows = [...list.children].map((li) => rowValue(li));
  }

  function rowValue(li) {
    const q = (n) => li.querySelector(`[data-prop="${n}"]`);
    const f = { name: q('name').value.trim(), label: q('label').value.trim(), type: q('type').value };
    if (q('required').checked) f.required = true;
    if (q('help').value.trim()) f.help = q('help').value.trim();
    const num = (n) => (q(n) && q(n).value !== '' ? Number(q(n).value) : undefined);
    if (f.type === 'text' && num('max') !== undefined) f.max = num('max');
    if (f.type === 'number') {
      if (num('min') !== undefined) f.min = num('min');
      if (num('max') !== undefined) f.max = num('max');
    }
    if (f.type === 'choice' && q('options')) f.options = q('options').value.split('\n').map((s) => s.trim()).filter(Boolean);
    return f;
  }

  function control(i, prop, tag, attrs, label, extra = {}) {
    const id = `fs-${++seq}-${prop}`;
    const c = h(tag, { id, ...attrs, dataset: { prop } });
    return field({ label, control: c, name: `fields_schema[${i}].${prop}`, ...extra });
  }

  function row(f, i) {
    const typeSel = control(i, 'type', 'select', {}, t('admin.field_type'));
    const sel = typeSel.querySelector('select');
    for (const ty of TYPES) sel.append(h('option', { value: ty, selected: (f.type || 'text') === ty }, t(`admin.type_${ty}`)));
    const reqId = `fs-${++seq}-required`;
    const limits = h('div', { class: 'schema-limits' });
    const drawLimits = () => {
      const ty = sel.value;
      const cur = rowLimits(limits);
      const v = { ...f, ...cur };
      replace(limits,
        ty === 'text' && control(i, 'max', 'input', { type: 'number', min: 1, step: 1, value: v.max ?? '' }, t('admin.field_max_chars'),
          { help: t('admin.field_max_chars_help') }),
        ty === 'number' && control(i, 'min', 'input', { type: 'number', step: 'any', value: v.min ?? '' }, t('admin.field_min')),
        ty === 'number' && control(i, 'max', 'input', { type: 'number', step: 'any', value: v.max ?? '' }, t('admin.field_max')),
        ty === 'choice' && control(i, 'options', 'textarea', { rows: 3, value: (v.options || []).join('\n') }, t('admin.field_options'),
          { help: t('admin.field_options_help'), required: true, wide: true }));
    };
    sel.addEventListener('change', drawLimits);
    const n = rows.length;
    const title = t('admin.field_n', { n: i + 1 });
    const btn = (text, label, fn, disabled) => h('button', { type: 'button', class: 'small', 'aria-label': label, disabled, on: { click: fn } }, text);
    const li = h('li', {},
      h('fieldset', { class: 'schema-row', dataset: { for: `fields_schema[${i}]` } },
        h('legend', {}, title, f.name ? ` · ${f.name}` : ''),
        h('p', { class: 'error', hidden: true }),
        h('div', { class: 'schema-grid' },
          control(i, 'name', 'input', { value: f.name || '', maxLength: 40, autocomplete: 'off', spellcheck: 'false' }, t('admin.field_name'),
            { required: true, help: t('admin.field_name_help') }),
          control(i, 'label', 'input', { value: f.label || '', maxLength: 40 }, t('admin.field_label'), { required: true }),
          typeSel,
          h('div', { class: 'field check', dataset: { for: `fields_schema[${i}].required` } },
            h('input', { id: reqId, type: 'checkbox', checked: !!f.required, dataset: { prop: 'required' } }),
            h('label', { for: reqId }, t('admin.field_required')), h('p', { class: 'error', hidden: true })),
          control(i, 'help', 'input', { value: f.help || '', maxLength: 200 }, t('admin.field_help')),
          limits),
        h('div', { class: 'buttons row-buttons' },
          btn('↑', t('admin.field_up', { n: i + 1 }), () => move(i, -1), i === 0),
          btn('↓', t('admin.field_down', { n: i + 1 }), () => move(i, 1), i === n - 1),
          btn(t('admin.field_remove'), t('admin.field_remove_n', { n: i + 1 }), () => { read(); rows.splice(i, 1); draw(Math.min(i, rows.length - 1)); }))));
    drawLimits();
    return li;
  }

  function move(i, by) {
    read();
    const [f] = rows.splice(i, 1);
    rows.splice(i + by, 0, f);
    draw(i + by, by < 0 ? 'up' : 'down');
  }

  // redraws; focus goes to row `focus` (its name, or the same move button)
  function draw(focus, button) {
    replace(list, rows.map((f, i) => row(f, i)));
    none.hidden = rows.length > 0;
    if (focus === undefined || focus < 0) return;
    const li = list.children[focus];
    if (!li) return;
    const target = button === 'up' ? li.querySelector('.row-buttons button:nth-child(1)') : button === 'down' ? li.querySelector('.row-buttons button:nth-child(2)') : null;
    (target && !target.disabled ? target : li.querySelector('[data-prop=name]')).focus();
  }
  draw();

  return {
    el,
    schema() { read(); return rows.map((f) => ({ ...f })); },
    // the server's paths → the boxes of this editor
    fixErrors(fields) {
      const out = {};
      for (const [k, v] of Object.entries(fields || {})) {
        out[k.replace(/^(fields_schema\[\d+\]\.options)\[\d+\]$/, '$1')] = k.startsWith('fields_schema') ? schemaReason(v) : v;
      }
      return out;
    },
  };
}

function rowLimits(box) {
  const out = {};
  for (const c of box.querySelectorAll('[data-prop]')) {
    if (c.dataset.prop === 'options') out.options = c.value.split('\n');
    else if (c.value !== '') out[c.dataset.prop] = Number(c.value);
  }
  return out;
}
