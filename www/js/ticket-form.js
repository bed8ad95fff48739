// ticket-form.js - the complaint form (投诉受理), for a new ticket at intake
// and for the creator's draft on its ticket page. The caller's side first
// (故障号码 → 用户归属地 and 历史故障 with the 重复投诉 warning), then the
// category, the core fields and the category's extra fields from its schema.
// 保存 makes or updates a draft, 提交 submits, 一次解决 resolves at intake
// with the inputs the workflow lists for it. Everything typed is kept in
// sessionStorage until it is saved.
import { h, replace } from './dom.js';
import * as api from './api.js';
import { t, pick } from './i18n.js';
import * as formstore from './formstore.js';
import * as keyboard from './keyboard.js';
import { openDialog, notify } from './dialog.js';
import { limits, regions, category, action } from './reference.js';
import { field, limitedText, phoneInput, schemaFields, schemaValues, showErrors, clearErrors } from './fields.js';
import { categoryPicker } from './category-picker.js';
import { openPhrases, phraseButton } from './phrases.js';
import { actionForm } from './action-form.js';
import { faultHistory, recentCount } from './tickets-view.js';

const CORE = ['fault_number', 'region', 'customer_name', 'contact_number', 'subject', 'description'];
const LOOKS_COMPLETE = /^(1\d{10}|0\d{9,11})$/; // worth a lookup; the server judges validity

// The stored form of a ticket, or a blank one.
function initialState(ticket) {
  if (!ticket) return { core: {}, category: null, fields: {}, regionTouched: false, draft: null };
  const core = {};
  for (const k of CORE) core[k] = ticket[k] || '';
  return { core, category: ticket.category, fields: { ...ticket.fields }, regionTouched: true,
    draft: { number: ticket.number, version: ticket.version } };
}

export const isBlank = (s) => !s || (!s.category && !Object.values(s.core || {}).some(Boolean) &&
  !Object.keys(s.fields || {}).length && !s.draft);

// ticketForm({storeKey, ticket, preset: {fault_number}, onDone(kind, ticket)})
// kind: 'saved' | 'submitted' | 'resolved'. Returns {el, focus(), bindKeys()}.
export function ticketForm({ storeKey, ticket = null, preset = {}, onDone }) {
  const L = limits();
  const st = formstore.load(storeKey) || initialState(ticket);
  Object.assign(st.core, Object.fromEntries(Object.entries(preset).filter(([, v]) => v)));
  let busy = false;

  // caller
  const fault = phoneInput({ id: 'f-fault_number', value: st.core.fault_number || '', autocomplete: 'off' });
  const region = h('select', { id: 'f-region' }, regions().map((r) => h('option', { value: r.code,
    selected: (st.core.region || 'PROV') === r.code }, r.area_code ? `${r.name} ${r.area_code}` : r.name)));
  const customer = limitedText({ id: 'f-customer_name', value: st.core.customer_name || '', max: L.customer_name });
  const salute = (value) => () => {
    customer.control.value = value;
    customer.control.dispatchEvent(new Event('input', { bubbles: true }));
    customer.control.focus();
  };
  const contact = phoneInput({ id: 'f-contact_number', value: st.core.contact_number || '' });
  const warning = h('p', { class: 'repeat-warning', hidden: true });
  const historyBox = h('div', { class: 'history-box' }, h('p', { class: 'muted' }, t('history.enter_number')));

  // complaint
  const picker = categoryPicker({ id: 'f-category', value: st.category, onChange: () => { renderExtra(); persist(); } });
  const subject = limitedText({ id: 'f-subject', value: st.core.subject || '', max: L.subject });
  const description = limitedText({ id: 'f-description', value: st.core.description || '', max: L.description,
    area: true, rows: 4, long: true });
  const phraseContext = () => ({ category: picker.value, state: 'draft' });
  const extraBox = h('div', { class: 'extra' });
  const resultLine = h('p', { class: 'form-error', role: 'alert', hidden: true });

  const submitAction = action('submit'), resolveAction = action('resolve');
  const button = (text, hint, on, cls) => h('button', { type: 'button', class: cls, on: { click: on } }, text,
    hint && h('kbd', { class: 'hint', 'aria-hidden': 'true' }, hint));
  const saveBtn = button(t('intake.save'), 'Ctrl+S', () => save(), null);
  const submitBtn = submitAction && button(pick(submitAction, 'name'), 'Ctrl+Enter', () => submit(), 'primary');
  const resolveBtn = resolveAction && button(pick(resolveAction, 'name'), null, () => resolve(), null);
  const draftLine = h('p', { class: 'draft-line muted', 'aria-live': 'polite' });

  const form = h('form', { class: 'ticket-form', novalidate: true, 'aria-label': t('intake.form'),
    on: { submit: (e) => e.preventDefault(), input: () => persist(), change: (e) => {
      if (e.target === region) st.regionTouched = true;
      persist();
    } } },
  h('div', { class: 'intake-grid' },
    h('section', { class: 'caller', 'aria-labelledby': 'h-caller' },
      h('h2', { id: 'h-caller' }, t('intake.caller')),
      field({ label: t('ticket.fault_number'), control: fault, required: true, name: 'fault_number', help: t('intake.fault_help') }),
      field({ label: t('ticket.region'), control: region, name: 'region', help: t('intake.region_help') }),
      field({ label: t('ticket.customer_name'), control: customer.control, name: 'customer_name',
        extra: h('div', { class: 'under' }, customer.counter,
          h('span', { class: 'salutes' },
            h('button', { type: 'button', class: 'small', on: { click: salute(t('intake.sir_value')) } }, t('intake.sir')),
            h('button', { type: 'button', class: 'small', on: { click: salute(t('intake.madam_value')) } }, t('intake.madam')))) }),
      field({ label: t('ticket.contact_number'), control: contact, name: 'contact_number' }),
      warning,
      h('section', { class: 'fault-history-panel', 'aria-labelledby': 'h-history' },
        h('h3', { id: 'h-history' }, t('history.title')), historyBox)),
    h('section', { class: 'complaint', 'aria-labelledby': 'h-complaint' },
      h('h2', { id: 'h-complaint' }, t('intake.complaint')),
      field({ label: t('ticket.category'), control: picker.input, body: picker.el, required: true, name: 'category' }),
      field({ label: t('ticket.subject'), control: subject.control, required: true, name: 'subject', extra: subject.counter }),
      field({ label: t('ticket.description'), control: description.control, name: 'description', wide: true,
        extra: h('div', { class: 'under' }, description.counter,
          phraseButton(description.control, t('ticket.description'), phraseContext)) }),
      extraBox,
      resultLine,
      h('div', { class: 'buttons' }, saveBtn, submitBtn, resolveBtn),
      draftLine)));

  let schema = [];
  function renderExtra() {
    const c = picker.value && category(picker.value);
    const keep = { ...st.fields, ...schemaValues(extraBox, schema) };
    schema = c ? c.fields : [];
    if (!schema.length) return replace(extraBox);
    const controls = schemaFields(schema, keep, 'x', (area, label) => phraseButton(area, label, phraseContext));
    replace(extraBox, h('fieldset', { class: 'extra-fields' },
      h('legend', {}, t('intake.extra', { category: c.name })), h('div', { class: 'extra-grid' }, controls)));
  }

  function snapshot() {
    const core = { fault_number: fault.value, region: region.value, customer_name: customer.control.value,
      contact_number: contact.value, subject: subject.control.value, description: description.control.value };
    return { core, category: picker.value, fields: schemaValues(extraBox, schema),
      regionTouched: st.regionTouched, draft: st.draft };
  }

  function persist() {
    const s = snapshot();
    st.fields = s.fields;
    formstore.save(storeKey, s);
  }

  function payload() {
    const s = snapshot();
    const body = { ...s.core, fields: s.fields };
    if (s.category) body.category = s.category;
    return body;
  }

  // 历史故障 and 用户归属地 for the number as soon as it looks complete.
  let looked = '';
  let lookup = null;
  let timer = 0;
  async function onFault() {
    const n = fault.value;
    if (!LOOKS_COMPLETE.test(n) || n === looked) {
      if (!n) { looked = ''; warning.hidden = true; replace(historyBox, h('p', { class: 'muted' }, t('history.enter_number'))); }
      return;
    }
    looked = n;
    if (lookup) lookup.abort();
    lookup = new AbortController();
    const signal = lookup.signal;
    replace(historyBox, h('p', { class: 'muted' }, t('common.loading')));
    try {
      const [lk, list] = await Promise.all([
        api.get('/api/v1/regions/lookup' + api.query({ number: n }), { signal }),
        api.get('/api/v1/tickets' + api.query({ fault_number: n, limit: 50 }), { signal })]);
      if (!st.regionTouched && lk.body.region) { region.value = lk.body.region; persist(); }
      const exclude = st.draft && st.draft.number;
      replace(historyBox, faultHistory(list.body.items, exclude));
      const count = recentCount(list.body.items, exclude, L.repeat_days);
      warning.hidden = !count;
      replace(warning, count ? t('intake.repeat', { days: L.repeat_days, count }) : '');
    } catch (e) {
      if (e.name === 'AbortError') return;
      looked = '';
      replace(historyBox, h('p', { class: 'muted' }, t('history.unavailable')));
    }
  }
  fault.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(onFault, 150); });

  function failed(e, target = form) {
    if (e.status === 422) return showErrors(target, e.fields, t('intake.invalid'));
    if (e.status === 412) return notify(t('intake.stale'), 'warn');
    notify(e.status ? t('common.failed', { message: e.message }) : t('login.network'), 'error');
  }

  async function run(fn) {
    if (busy) return;
    busy = true;
    for (const b of [saveBtn, submitBtn, resolveBtn]) if (b) b.disabled = true;
    clearErrors(form);
    try {
      await fn();
    } finally {
      busy = false;
      for (const b of [saveBtn, submitBtn, resolveBtn]) if (b && b.isConnected) b.disabled = false;
    }
  }

  // Creates the draft, or brings the existing one up to date; returns it.
  async function store(submitNow) {
    if (!st.draft) {
      const r = await api.post('/api/v1/tickets', submitNow ? { ...payload(), submit: true } : payload());
      st.draft = { number: r.body.number, version: r.body.version };
      return r.body;
    }
    const r = await api.patch(`/api/v1/tickets/${st.draft.number}`, payload(), { ifMatch: `"${st.draft.version}"` });
    st.draft.version = r.body.version;
    return r.body;
  }

  async function act(code, inputs) {
    const r = await api.post(`/api/v1/tickets/${st.draft.number}/actions/${code}`, inputs,
      { ifMatch: `"${st.draft.version}"` });
    st.draft.version = r.body.version;
    return r.body;
  }

  const finish = (kind, tk) => {
    formstore.clear(storeKey);
    onDone(kind, tk);
  };

  const save = () => run(async () => {
    try {
      const tk = await store(false);
      persist(); // now bound to the draft: a reload keeps editing it
      draftLine.textContent = t('intake.draft_saved', { number: tk.number });
      onDone('saved', tk);
    } catch (e) { failed(e); }
  });

  const submit = () => run(async () => {
    try {
      const fresh = !st.draft;
      let tk = await store(fresh); // a new ticket is created submitted at once
      if (!fresh) { persist(); tk = await act('submit', {}); }
      finish('submitted', tk);
    } catch (e) { persist(); failed(e); }
  });

  function resolve() {
    if (busy) return;
    let dlg = null;
    const af = actionForm({
      action: resolveAction,
      ticket: { category: picker.value, state: 'draft', department: null },
      onCancel: () => dlg.close(),
      onSubmit: (inputs) => run(async () => {
        af.busy(true);
        try {
          await store(false);
          persist();
        } catch (e) {
          dlg.close();
          return failed(e);
        }
        try {
          const tk = await act('resolve', inputs);
          dlg.close('done');
          finish('resolved', tk);
        } catch (e) {
          af.busy(false);
          if (e.status === 422) af.showErrors(e.fields, e.message);
          else { dlg.close(); failed(e); }
        }
      }),
    });
    dlg = openDialog({ title: pick(resolveAction, 'name'), content: af.el, className: 'resolve' });
    af.focus();
  }

  renderExtra();
  if (st.draft) draftLine.textContent = t('intake.draft_bound', { number: st.draft.number });
  if (fault.value) onFault();

  return {
    el: form,
    focus: () => fault.focus(),
    bindKeys() {
      const unbind = [
        keyboard.bind('save', () => { save(); }),
        keyboard.bind('submit', () => { if (submitBtn) submit(); }),
        keyboard.bind('fault', () => { fault.focus(); }),
        keyboard.bind('category', () => { picker.focus(); }),
        keyboard.bind('phrases', () => {
          const target = document.activeElement && document.activeElement.dataset.long ? document.activeElement : description.control;
          openPhrases({ target, ...phraseContext() });
        }),
      ];
      return () => unbind.forEach((u) => u());
    },
  };
}
