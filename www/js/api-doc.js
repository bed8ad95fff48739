// api-doc.js - the API page (api.html): reads /api/v1/openapi.json and shows
// it as contents, one card per operation (parameters, request body,
// answers, examples) and the schemas. Everything from the document reaches
// the page as text through dom.js: nothing is parsed as HTML, so the strict
// CSP (no inline script, Trusted Types with no policy) holds.
import { get } from './api.js';
import { h, replace } from './dom.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let doc;

// Follows a local $ref ("#/components/schemas/Ticket") to what it names.
function deref(x) {
  let n = x;
  for (let i = 0; n && n.$ref && i < 20; i++) {
    n = n.$ref.slice(2).split('/').reduce((o, k) => (o ? o[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  }
  return n;
}
const refName = (x) => (x && x.$ref ? x.$ref.split('/').pop() : null);

// A one-line type: "string", "integer | null", "Ticket[]", "string (enum: a, b)".
function typeText(s) {
  if (!s) return '';
  if (s.$ref) return refName(s);
  if (s.oneOf || s.anyOf) return (s.oneOf || s.anyOf).map(typeText).join(' | ');
  if (s.allOf) return s.allOf.map(typeText).join(' & ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type || 'any';
  if (s.type === 'array') return `${typeText(s.items)}[]`;
  const extra = [];
  if (s.enum) extra.push(`${s.enum.join(', ')}`);
  if (s.pattern) extra.push(`pattern ${s.pattern}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) extra.push(`length ${s.minLength ?? 0}–${s.maxLength ?? '∞'}`);
  if (s.minimum !== undefined || s.maximum !== undefined) extra.push(`${s.minimum ?? '−∞'}–${s.maximum ?? '∞'}`);
  return extra.length ? `${t} (${extra.join('; ')})` : t;
}

const link = (name) => h('a', { href: `#schema-${name}` }, name);
function typeNode(s) {
  const name = refName(s) || (s && s.type === 'array' ? refName(s.items) : null);
  if (name) return s.type === 'array' ? [link(name), '[]'] : link(name);
  return h('code', {}, typeText(s));
}

// The members of an object schema as a table: name, type, required, notes.
function members(schema) {
  const s = deref(schema);
  if (!s || !s.properties) return h('p', {}, typeNode(schema));
  const req = new Set(s.required || []);
  return h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '成员 / member'), h('th', { scope: 'col' }, '类型 / type'),
      h('th', { scope: 'col' }, '说明 / notes'))),
    h('tbody', {}, Object.entries(s.properties).map(([name, p]) => h('tr', {},
      h('td', {}, h('code', {}, name), req.has(name) ? h('span', { class: 'badge' }, '必填 required') : null),
      h('td', {}, typeNode(p)), h('td', {}, deref(p)?.description || '')))));
}

// focusable: a long example scrolls, and the keyboard must reach it
const json = (v) => h('pre', { tabIndex: 0 }, JSON.stringify(v, null, 2));

function exampleOf(content) {
  if (!content) return null;
  if (content.example !== undefined) return content.example;
  const s = deref(content.schema);
  return s && s.examples ? s.examples[0] : undefined;
}

function parameters(op) {
  const ps = (op.parameters || []).map(deref);
  if (!ps.length) return null;
  return [h('h4', {}, '参数 / Parameters'), h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '名称 / name'), h('th', { scope: 'col' }, '位置 / in'),
      h('th', { scope: 'col' }, '类型 / type'), h('th', { scope: 'col' }, '说明 / notes'))),
    h('tbody', {}, ps.map((p) => h('tr', {},
      h('td', {}, h('code', {}, p.name), p.required ? h('span', { class: 'badge' }, '必填 required') : null),
      h('td', {}, p.in), h('td', {}, typeNode(p.schema)),
      h('td', {}, p.description || '', p.example !== undefined ? [' 例 e.g. ', h('code', {}, String(p.example))] : null)))))];
}

function requestBody(op) {
  if (!op.requestBody) return null;
  const b = deref(op.requestBody);
  const c = b.content['application/json'];
  const ex = exampleOf(c);
  return [h('h4', {}, `请求体 / Request body${b.required ? '' : ' (optional)'}`),
    refName(c.schema) ? h('p', {}, 'schema: ', typeNode(c.schema)) : null, members(c.schema),
    ex !== undefined ? h('details', {}, h('summary', {}, '示例 / Example'), json(ex)) : null];
}

function responses(op) {
  return [h('h4', {}, '应答 / Responses'), h('table', {},
    h('tbody', {}, Object.entries(op.responses).map(([code, r0]) => {
      const r = deref(r0);
      const [ctype, c] = Object.entries(r.content || {})[0] || [];
      const ex = exampleOf(c);
      return h('tr', {}, h('th', { scope: 'row' }, code),
        h('td', {}, r.description || '', c ? [' ', typeNode(c.schema), ctype === 'application/json' ? null : ` (${ctype})`] : null,
          r.headers ? h('div', { class: 'muted' }, 'headers: ', Object.keys(r.headers).join(', ')) : null,
          ex !== undefined && /^2/.test(code) ? h('details', {}, h('summary', {}, '示例 / Example'), json(ex)) : null));
    })))];
}

function security(op) {
  const sec = op.security ?? doc.security ?? [];
  if (!sec.length) return h('p', { class: 'muted' }, '无需登录 / public');
  return h('p', { class: 'muted' }, '认证 / auth: ', sec.map((s) => Object.keys(s).join(' + ')).join(' or '));
}

const opId = (method, path) => `op-${method}-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;

function operation(path, method, op) {
  return h('section', { class: 'op', id: opId(method, path), 'aria-labelledby': `${opId(method, path)}-h` },
    h('h3', { id: `${opId(method, path)}-h` }, h('span', { class: `method method-${method}` }, method.toUpperCase()), path),
    h('p', {}, h('strong', {}, op.summary || '')), op.description ? h('p', {}, op.description) : null,
    security(op), parameters(op), requestBody(op), responses(op));
}

function render() {
  const byTag = new Map((doc.tags || []).map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (!item[m]) continue;
      const tag = (item[m].tags || ['other'])[0];
      if (!byTag.has(tag)) byTag.set(tag, { tag: { name: tag }, ops: [] });
      byTag.get(tag).ops.push([path, m, item[m]]);
    }
  }
  const main = document.getElementById('main');
  const toc = document.getElementById('toc');
  const sections = [...byTag.values()].filter((g) => g.ops.length);
  replace(toc, sections.map((g) => [h('h2', {}, h('a', { href: `#tag-${g.tag.name}` }, g.tag.description || g.tag.name)),
    h('ul', {}, g.ops.map(([p, m, o]) => h('li', {}, h('a', { href: `#${opId(m, p)}` }, `${m.toUpperCase()} ${p}`))))]),
  h('h2', {}, h('a', { href: '#schemas' }, 'Schemas')));
  replace(main,
    h('h1', {}, doc.info.title, ' ', h('span', { class: 'muted' }, `v${doc.info.version} · OpenAPI ${doc.openapi}`)),
    h('p', {}, doc.info.description || ''),
    h('p', {}, '机器可读的文档 / machine-readable: ', h('a', { href: '/api/v1/openapi.json' }, '/api/v1/openapi.json')),
    sections.map((g) => h('section', { class: 'tag-section', id: `tag-${g.tag.name}` },
      h('h2', {}, g.tag.description || g.tag.name), g.ops.map(([p, m, o]) => operation(p, m, o)))),
    h('section', { id: 'schemas' }, h('h2', {}, 'Schemas'),
      Object.entries(doc.components.schemas).map(([name, s]) => h('div', { class: 'schema', id: `schema-${name}` },
        h('h3', {}, name), s.description ? h('p', {}, s.description) : null, members({ $ref: `#/components/schemas/${name}` }),
        s.examples ? h('details', {}, h('summary', {}, '示例 / Example'), json(s.examples[0])) : null))));
  document.title = `${doc.info.title} · gongdan`;
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

async function load() {
  const status = document.getElementById('status');
  try {
    // public: nobody needs to be logged in to read it
    doc = (await get('/api/v1/openapi.json', { relogin: false })).body;
    render();
  } catch (e) {
    replace(status, `无法读取 API 文档 / cannot load the API document: ${e.message}`);
  }
}

load();
