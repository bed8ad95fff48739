// pages/admin-segments.js - 系统管理 › 号段导入 (/admin/segments): mobile
// number segments (prefix,region: 1390871,KM) from a CSV file or pasted
// text, sent as text/csv exactly as `gongdan segments import` reads it. The
// answer says how many were added, replaced and unchanged, and lists each
// bad row with its line number and reason (also when no row was good: the
// server's 422 names each line, and nothing was imported).
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { t, reason } from '../i18n.js';
import { regions } from '../reference.js';
import { clearErrors } from '../fields.js';
import { frame, table, textarea, showFailure } from './admin-nav.js';

export async function render(ctx) {
  const body = frame(ctx, 'segments');
  const result = h('div', { class: 'segment-result', role: 'status' });
  const fileId = 'seg-file';
  const file = h('input', { id: fileId, type: 'file', accept: '.csv,text/csv,text/plain' });
  const text = textarea('csv', t('admin.segments_text'), { rows: 10, help: t('admin.segments_text_help') });
  const area = text.querySelector('textarea');
  area.placeholder = 'prefix,region\n1390871,KM';
  area.spellcheck = false;
  file.addEventListener('change', async () => {
    if (file.files[0]) area.value = await file.files[0].text();
  });
  const send = h('button', { type: 'submit', class: 'primary' }, t('admin.segments_import'));
  const form = h('form', { class: 'admin-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: fileId }, t('admin.segments_file')), file,
      h('p', { class: 'help' }, t('admin.segments_file_help'))),
    text,
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('div', { class: 'buttons' }, send));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    result.replaceChildren();
    send.disabled = true;
    try {
      const r = (await api.request('POST', '/api/v1/segments', { raw: area.value, type: 'text/csv; charset=utf-8' })).body;
      replace(result, h('h2', {}, t('admin.segments_done')),
        h('ul', { class: 'counts' },
          h('li', {}, t('admin.segments_added', { n: r.added })),
          h('li', {}, t('admin.segments_replaced', { n: r.replaced })),
          h('li', {}, t('admin.segments_unchanged', { n: r.unchanged })),
          h('li', { class: r.bad_rows.length ? 'bad' : null }, t('admin.segments_bad', { n: r.bad_rows.length }))),
        r.bad_rows.length ? badRows(r.bad_rows) : null);
    } catch (err) {
      const lines = Object.entries(err.fields || {}).filter(([k]) => /^line \d+$/.test(k));
      if (err.status === 422 && lines.length) {
        replace(result, h('h2', {}, t('admin.segments_none')),
          badRows(lines.map(([k, why]) => ({ line: Number(k.slice(5)), reason: why }))));
        const line = form.querySelector('.form-error');
        line.textContent = t('admin.segments_none');
        line.hidden = false;
      } else {
        showFailure(form, err, (f) => (f.body ? { csv: f.body } : f));
      }
    } finally {
      send.disabled = false;
    }
  });
  body.append(h('p', { class: 'help' }, t('admin.segments_intro', { regions: regions().map((r) => r.code).join(', ') })), form, result);
}

// the server's reasons for a bad row, in the UI's language (others as sent)
const REASONS = [
  [/^prefix must be the first 7 digits/, 'admin.seg_bad_prefix'],
  [/^unknown region code/, 'admin.seg_bad_region'],
  [/^expected prefix,region/, 'admin.seg_bad_columns'],
];
const rowReason = (why) => {
  const hit = REASONS.find(([re]) => re.test(why));
  return hit ? t(hit[1]) : reason(why);
};

function badRows(rows) {
  const cols = [{ label: t('admin.segments_line'), cls: 'num' }, { label: t('admin.segments_reason') }];
  return table(t('admin.segments_bad_caption', { n: rows.length }), cols, rows, (r) => [String(r.line), rowReason(r.reason)]);
}
