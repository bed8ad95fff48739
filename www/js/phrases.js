// phrases.js - 常用语: the standard phrases for the ticket's category and
// state, in a picker opened by a button beside a long text field or by the
// shortcut; typing filters, arrow keys and Enter insert the phrase at the
// cursor of that field.
import { h, replace, uid } from './dom.js';
import { t } from './i18n.js';
import { openDialog } from './dialog.js';
import { phrasesFor } from './reference.js';

export function openPhrases({ target, category, state }) {
  const all = phrasesFor(category, state);
  const searchId = uid('ph-search'), listId = uid('ph-list');
  let shown = all;
  let active = 0;
  const list = h('ul', { id: listId, role: 'listbox', class: 'phrase-list', 'aria-label': t('phrases.list') });
  const search = h('input', { id: searchId, role: 'combobox', 'aria-expanded': 'true', 'aria-controls': listId,
    'aria-autocomplete': 'list', autocomplete: 'off', placeholder: t('phrases.filter') });
  let dlg = null;

  // where the cursor was before the picker took the focus
  const start = target.selectionStart ?? target.value.length, end = target.selectionEnd ?? start;
  const insert = (p) => {
    dlg.close('inserted');
    target.focus();
    target.setRangeText(p.text, start, end, 'end');
    target.dispatchEvent(new Event('input', { bubbles: true }));
  };

  const paint = () => {
    replace(list, shown.map((p, i) => h('li', { id: `${listId}-${i}`, role: 'option', 'aria-selected': i === active ? 'true' : 'false',
      on: { mousedown: (e) => { e.preventDefault(); insert(p); } } },
    h('span', { class: 'kind' }, t(`phrase.${p.kind}`)), h('span', {}, p.text))));
    if (!shown.length) list.append(h('li', { role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', class: 'empty' }, t('phrases.none')));
    if (shown[active]) {
      search.setAttribute('aria-activedescendant', `${listId}-${active}`);
      list.children[active].scrollIntoView({ block: 'nearest' });
    } else search.removeAttribute('aria-activedescendant');
  };

  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    shown = all.filter((p) => !q || p.text.toLowerCase().includes(q) || t(`phrase.${p.kind}`).toLowerCase().includes(q));
    active = 0;
    paint();
  });
  search.addEventListener('keydown', (e) => {
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && shown.length) {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      paint();
    } else if (e.key === 'Enter' && !e.isComposing) {
      e.preventDefault();
      if (shown[active]) insert(shown[active]);
    }
  });
  paint();
  const label = target.labels && target.labels[0] ? target.labels[0].textContent.replace(/\s*\*$/, '') : '';
  dlg = openDialog({
    title: t('phrases.title'),
    className: 'phrases',
    content: h('div', {},
      h('p', { class: 'muted' }, t('phrases.into', { field: label })),
      h('div', { class: 'field' }, h('label', { for: searchId }, t('phrases.filter_label')), search),
      list),
  });
}

// The 常用语 button under a long text field (its name says which field).
export function phraseButton(target, label, context) {
  return h('button', { type: 'button', class: 'small', title: t('phrases.shortcut'),
    'aria-label': t('phrases.button_for', { field: label }),
    on: { click: () => openPhrases({ target, ...context() }) } }, t('phrases.button'));
}
