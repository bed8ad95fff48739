// dom.js - the one way the UI builds DOM: elements from a tag, properties and
// children, where every string becomes a text node. Nothing here (or
// anywhere in www/) parses HTML: data reaches the page only as text.

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'readOnly', 'required', 'selected', 'tabIndex',
  'htmlFor', 'type', 'name', 'id', 'title', 'placeholder', 'maxLength', 'min', 'max', 'rows', 'multiple', 'open']);

// h('input', {id: 'x', class: 'wide', on: {input: fn}, 'aria-describedby': 'e'}, 'text', node, [more])
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'innerHTML' || k === 'outerHTML' || k.startsWith('on') && k !== 'on') throw new Error(`dom.h: ${k} is not allowed`);
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'for') el.htmlFor = v;
    else if (k === 'text') el.textContent = v;
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// Appends strings (as text), nodes and arrays of them; skips null/false.
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Replaces everything inside el.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// A unique id for label/for and aria references.
let seq = 0;
export const uid = (prefix = 'u') => `${prefix}-${++seq}`;
