// reference.js - the reference data (categories, departments, regions, the
// workflow, phrases), fetched once per page load from /api/v1/reference; the
// server's ETag lets the browser revalidate it with a 304 on the next load.
// The UI holds no copy of any of it: forms, labels and buttons come from here.
import { get } from './api.js';
import { t, pick } from './i18n.js';

let ref = null;
let leafList = [];
const byCode = new Map(); // category code → {node, path: [nodes]}

export async function loadReference() {
  ref = (await get('/api/v1/reference')).body;
  byCode.clear();
  leafList = [];
  const walk = (nodes, path) => {
    for (const n of nodes) {
      const p = [...path, n];
      byCode.set(n.code, { node: n, path: p });
      if (n.leaf) leafList.push({ ...n, path: p, pathText: p.map((x) => x.name).join(' › ') });
      walk(n.children || [], p);
    }
  };
  walk(ref.categories, []);
  return ref;
}

export const loaded = () => ref !== null;
export const limits = () => ref.ticket_limits;
// The UI's settings from the server's options: {nearly_overdue_hours}.
export const settings = () => ref.settings || {};

// Every selectable category: [{code, name, description, fields, path, pathText}]
export const leaves = () => leafList;
export const category = (code) => (byCode.get(code) || {}).node || null;
export const categoryPath = (code) => ((byCode.get(code) || {}).path || []).map((n) => n.name).join(' › ');

// Every node, depth-first, with its depth (for the list filter).
export function categoryOptions() {
  return [...byCode.values()].map(({ node, path }) => ({ code: node.code, name: node.name, depth: path.length - 1 }));
}

export const states = () => ref.workflow.states;
export const state = (code) => ref.workflow.states.find((s) => s.code === code) || null;
export const stateName = (code) => (state(code) ? pick(state(code), 'name') : code || '');
export const action = (code) => ref.workflow.actions.find((a) => a.code === code) || null;

// History rows also hold the engine's own events (create, overdue), which are
// not actions anyone can take: the dictionary names those.
export function actionName(code) {
  const a = action(code);
  if (a) return pick(a, 'name');
  return t(`event.${code === 'create' || code === 'overdue' ? code : 'other'}`);
}

export const departments = () => ref.departments;
export const handlingDepartments = () => ref.departments.filter((d) => d.kind === 'handling');
export function departmentName(code) {
  const d = ref.departments.find((x) => x.code === code);
  return d ? d.name : code || '';
}

export const regions = () => ref.regions;

export const roleName = (role) => t(`role.${role}`);

// Phrases for a category (or any of its parents, or none) and a state (or none).
export function phrasesFor(categoryCode, stateCode) {
  const path = ((byCode.get(categoryCode) || {}).path || []).map((n) => n.code);
  return ref.phrases.filter((p) => (!p.category || path.includes(p.category)) && (!p.state || p.state === stateCode));
}
