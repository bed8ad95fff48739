// keyboard.js - the shortcuts are a table (Miniflux's keyboard_handler):
// keys → an action name. Pages bind what an action does while they are
// shown; the help overlay (?) lists the table in the UI's language.
import { h } from './dom.js';
import { t, has } from './i18n.js';
import { openDialog } from './dialog.js';

// inInputs: also while typing in a field. keys with a space are sequences.
export const SHORTCUTS = [
  { keys: ['?'], action: 'help', desc: 'kbd.help' },
  { keys: ['Ctrl+s'], action: 'save', desc: 'kbd.save', inInputs: true },
  { keys: ['Ctrl+Enter'], action: 'submit', desc: 'kbd.submit', inInputs: true },
  { keys: ['Ctrl+.', 'Alt+p'], action: 'phrases', desc: 'kbd.phrases', inInputs: true },
  { keys: ['Alt+n'], action: 'fault', desc: 'kbd.fault', inInputs: true },
  { keys: ['Alt+c'], action: 'category', desc: 'kbd.category', inInputs: true },
  { keys: ['j', 'ArrowDown'], action: 'next', desc: 'kbd.next' },
  { keys: ['k', 'ArrowUp'], action: 'prev', desc: 'kbd.prev' },
  { keys: ['Enter'], action: null, desc: 'kbd.open' },
  { keys: ['x'], action: 'select', desc: 'kbd.select' },
  { keys: ['/'], action: 'search', desc: 'kbd.search' },
  { keys: ['g i'], action: 'go-intake', desc: 'kbd.go_intake' },
  { keys: ['g l'], action: 'go-list', desc: 'kbd.go_list' },
  { keys: ['g d'], action: 'go-drafts', desc: 'kbd.go_drafts' },
  { keys: ['Escape'], action: null, desc: 'kbd.escape' },
];

const bound = new Map(); // action → [fn, …] (the newest wins)
let pending = null; // first key of a sequence
let pendingTimer = 0;

// bind('save', fn) → unbind. fn(event) returns false to let the key through.
export function bind(action, fn) {
  if (!bound.has(action)) bound.set(action, []);
  bound.get(action).push(fn);
  return () => {
    const list = bound.get(action);
    const i = list.lastIndexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

export const isBound = (action) => (bound.get(action) || []).length > 0;

function keyName(e) {
  let k = e.key;
  if (e.altKey && /^Key[A-Z]$/.test(e.code)) k = e.code.slice(3); // macOS turns Alt+p into π
  if (k.length === 1) k = k.toLowerCase();
  return (e.ctrlKey || e.metaKey ? 'Ctrl+' : '') + (e.altKey ? 'Alt+' : '') + k;
}

function typing(el) {
  return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

function find(name) {
  return SHORTCUTS.find((s) => s.action && s.keys.includes(name));
}

function run(s, e) {
  const list = bound.get(s.action) || [];
  const fn = list[list.length - 1];
  if (!fn || fn(e) === false) return;
  e.preventDefault();
}

function onKey(e) {
  if (e.defaultPrevented || e.isComposing || e.key === 'Process') return; // an IME is composing
  if (document.querySelector('dialog[open]')) return; // a dialog handles its own keys
  const name = keyName(e);
  const inField = typing(e.target);
  if (pending && !inField) {
    const s = find(`${pending} ${name}`);
    pending = null;
    clearTimeout(pendingTimer);
    if (s) return run(s, e);
  }
  const s = find(name);
  if (s) {
    if (inField && !s.inInputs) return;
    return run(s, e);
  }
  if (!inField && SHORTCUTS.some((x) => x.keys.some((k) => k.startsWith(name + ' ')))) {
    pending = name;
    pendingTimer = setTimeout(() => { pending = null; }, 1500);
  }
}

// 'Ctrl+s' → [['Ctrl', 'S']]; 'g i' → [['g'], ['i']]; names from the dictionary
function keyLabel(k) {
  return k.split(' ').map((part) => part.split('+').map((x, i) =>
    (has(`key.${x}`) ? t(`key.${x}`) : i ? x.toUpperCase() : x)));
}

export function showHelp() {
  const rows = SHORTCUTS.map((s) => h('tr', {},
    h('td', {}, s.keys.map((k, i) => [i ? ' / ' : '', keyLabel(k).map((seq, j) => [j ? ' ' : '',
      seq.map((x, n) => [n ? '+' : '', h('kbd', {}, x)])])])),
    h('td', {}, t(s.desc))));
  openDialog({
    title: t('kbd.title'),
    content: h('table', { class: 'shortcuts' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('kbd.keys')), h('th', { scope: 'col' }, t('kbd.what')))),
      h('tbody', {}, rows)),
  });
}

export function install() {
  document.addEventListener('keydown', onKey);
  bind('help', () => showHelp());
}
