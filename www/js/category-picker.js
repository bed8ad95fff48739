// category-picker.js - 投诉类型: a search box over the category tree (names
// of every level and the deck's definitions), arrow keys and Enter, the
// highlighted leaf's definition shown as you move; only leaves can be chosen.
// The ARIA combobox pattern: focus stays in the box, the list follows.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { leaves, category, categoryPath } from './reference.js';

const MAX_SHOWN = 60;

export function categoryPicker({ id, value = null, onChange }) {
  const listId = `${id}-list`, defId = `${id}-def`;
  let selected = value && category(value) && category(value).leaf ? value : null;
  let matches = [];
  let active = -1;
  const input = h('input', { id, role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, placeholder: t('picker.placeholder'),
    value: selected ? categoryPath(selected) : '' });
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true, 'aria-label': t('picker.list') });
  const def = h('div', { id: defId, class: 'definition', 'aria-live': 'polite' });

  const showDef = (code) => {
    const c = code && leaves().find((l) => l.code === code);
    if (!c) return replace(def, selected ? '' : h('span', { class: 'muted' }, t('picker.hint')));
    replace(def, h('strong', {}, c.pathText), h('span', {}, c.description || t('picker.no_definition')),
      h('span', { class: 'muted' }, t('picker.sla', { hours: c.sla_hours })));
  };

  const filter = (q) => {
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    return leaves().filter((l) => terms.every((w) => l.pathText.toLowerCase().includes(w) ||
      (l.description || '').toLowerCase().includes(w) || l.code.toLowerCase().includes(w)));
  };

  const setActive = (i) => {
    active = i;
    [...list.children].forEach((li, n) => li.setAttribute('aria-selected', n === i ? 'true' : 'false'));
    if (i >= 0 && list.children[i]) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
      showDef(matches[i].code);
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const open = () => {
    const q = selected && input.value === categoryPath(selected) ? '' : input.value;
    matches = filter(q);
    replace(list, matches.slice(0, MAX_SHOWN).map((l, i) => h('li', { id: `${id}-opt-${i}`, role: 'option',
      'aria-selected': 'false', dataset: { code: l.code },
      on: { mousedown: (e) => { e.preventDefault(); choose(i); } } },
    h('span', { class: 'path' }, l.path.slice(0, -1).map((p) => p.name).join(' › ')),
    h('span', { class: 'leaf' }, l.name))));
    if (!matches.length) list.append(h('li', { class: 'empty', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false' }, t('picker.none')));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    const cur = matches.findIndex((m) => m.code === selected);
    setActive(matches.length ? Math.max(cur, 0) : -1);
  };

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
    showDef(selected);
  };

  const choose = (i) => {
    const c = matches[i];
    if (!c) return;
    const changed = c.code !== selected;
    selected = c.code;
    input.value = c.pathText;
    close();
    if (changed && onChange) onChange(selected);
  };

  input.addEventListener('input', () => open());
  input.addEventListener('focus', () => { if (!selected) open(); });
  input.addEventListener('click', () => { if (list.hidden) open(); });
  input.addEventListener('blur', () => {
    close();
    input.value = selected ? categoryPath(selected) : '';
  });
  input.addEventListener('keydown', (e) => {
    const n = Math.min(matches.length, MAX_SHOWN);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) return open();
      if (n) setActive((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter') {
      if (!list.hidden && active >= 0) { e.preventDefault(); choose(active); }
    } else if (e.key === 'Escape') {
      if (!list.hidden) { e.preventDefault(); e.stopPropagation(); close(); input.value = selected ? categoryPath(selected) : ''; }
    } else if (e.key === 'Home' || e.key === 'End') {
      if (!list.hidden && n && !input.value) { e.preventDefault(); setActive(e.key === 'Home' ? 0 : n - 1); }
    }
  });
  showDef(selected);

  return {
    input,
    // the definition sits between the box and the list, so it stays in view as you move
    el: h('div', { class: 'picker' }, input, def, list),
    get value() { return selected; },
    focus: () => input.focus(),
  };
}
