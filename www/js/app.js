// app.js - starts the UI: the language, who is logged in, the reference data,
// the header with the role's menu, and the route table (path → page module).
// A page module exports render(ctx) and may return a function that cleans up
// when the page is left.
import { h, replace, $ } from './dom.js';
import * as api from './api.js';
import { t, useLang, savedLang, currentLang } from './i18n.js';
import * as router from './router.js';
import * as keyboard from './keyboard.js';
import * as session from './session.js';
import { connectionTrouble, clearNotice } from './dialog.js';
import { loadReference, loaded, roleName } from './reference.js';
import * as loginPage from './pages/login.js';
import * as intakePage from './pages/intake.js';
import * as listPage from './pages/list.js';
import * as ticketPage from './pages/ticket.js';
import * as notFoundPage from './pages/notfound.js';

const AGENT = ['agent', 'admin'];
const CENTRE = ['dispatcher', 'supervisor', 'admin'];
const REPORTS = ['dispatcher', 'supervisor', 'admin', 'handler']; // a handler: its own department's
const ADMIN = ['admin'];

// A page module loaded when first opened (工单队列 with bulk.js, 查询,
// 统计报表 with chart.js, the 系统管理 pages): an agent's first page, intake,
// carries none of them.
const lazy = (load) => ({ render: async (ctx) => (await load()).render(ctx) });
const reportsPage = lazy(() => import('./pages/reports.js'));
const queuePage = lazy(() => import('./pages/queue.js'));
const searchPage = lazy(() => import('./pages/search.js'));
const adminNav = lazy(() => import('./pages/admin-nav.js'));
const adminUsers = lazy(() => import('./pages/admin-users.js'));
const adminTokens = lazy(() => import('./pages/admin-tokens.js'));
const adminDepartments = lazy(() => import('./pages/admin-departments.js'));
const adminCategories = lazy(() => import('./pages/admin-categories.js'));
const adminCategoryEdit = lazy(() => import('./pages/admin-category-edit.js'));
const adminPhrases = lazy(() => import('./pages/admin-phrases.js'));
const adminSegments = lazy(() => import('./pages/admin-segments.js'));
const adminAudit = lazy(() => import('./pages/admin-audit.js'));

// menu: the dictionary key of its menu item; roles: who may open it.
const ROUTES = [
  { path: '/login', page: loginPage, public: true },
  { path: '/', home: true },
  { path: '/queue', page: queuePage, roles: CENTRE, menu: 'nav.queue' },
  { path: '/intake', page: intakePage, roles: AGENT, menu: 'nav.intake' },
  { path: '/drafts', page: listPage, view: 'drafts', roles: AGENT, menu: 'nav.drafts' },
  { path: '/mine', page: listPage, view: 'mine', roles: AGENT, menu: 'nav.mine' },
  { path: '/todo', page: listPage, view: 'todo', roles: ['handler'], menu: 'nav.todo' },
  { path: '/working', page: listPage, view: 'working', roles: ['handler'], menu: 'nav.working' },
  { path: '/pending', page: listPage, view: 'pending', roles: CENTRE, menu: 'nav.pending' },
  { path: '/replied', page: listPage, view: 'replied', roles: CENTRE, menu: 'nav.replied' },
  { path: '/tickets', page: listPage, view: 'all', menu: 'nav.tickets' },
  { path: '/search', page: searchPage, menu: 'search.menu' },
  { path: '/tickets/:number', page: ticketPage },
  { path: '/reports', page: reportsPage, roles: REPORTS, menu: 'nav.reports', section: true },
  { path: '/reports/:report', page: reportsPage, roles: REPORTS },
  { path: '/admin', page: adminNav, roles: ADMIN, menu: 'admin.title', section: true },
  { path: '/admin/users', page: adminUsers, roles: ADMIN },
  { path: '/admin/tokens', page: adminTokens, roles: ADMIN },
  { path: '/admin/departments', page: adminDepartments, roles: ADMIN },
  { path: '/admin/categories', page: adminCategories, roles: ADMIN },
  { path: '/admin/categories/new', page: adminCategoryEdit, roles: ADMIN },
  { path: '/admin/categories/edit', page: adminCategoryEdit, roles: ADMIN },
  { path: '/admin/phrases', page: adminPhrases, roles: ADMIN },
  { path: '/admin/segments', page: adminSegments, roles: ADMIN },
  { path: '/admin/audit', page: adminAudit, roles: ADMIN },
];

const allowed = (route, user) => !route.roles || route.roles.includes(user.role);

// The first menu page of the role is its home.
export function homePath(user) {
  const r = ROUTES.find((x) => x.menu && allowed(x, user));
  return r ? r.path : '/tickets';
}

function renderHeader() {
  const top = $('#top');
  const user = session.currentUser();
  if (!user) { top.hidden = true; top.replaceChildren(); return; }
  const here = location.pathname;
  const items = ROUTES.filter((r) => r.menu && allowed(r, user)).map((r) => h('li', {},
    h('a', { href: r.path, 'aria-current': here === r.path || (r.section && here.startsWith(r.path + '/')) ? 'page' : null }, t(r.menu))));
  const other = currentLang() === 'en' ? 'zh-CN' : 'en';
  replace(top,
    h('a', { class: 'brand', href: homePath(user) }, t('app.name')),
    h('nav', { 'aria-label': t('nav.label') }, h('ul', {}, items)),
    h('div', { class: 'who' },
      h('span', { class: 'user-name' }, user.display_name || user.username),
      h('span', { class: 'user-role' }, [roleName(user.role), user.department_name].filter(Boolean).join(' · ')),
      h('button', { type: 'button', class: 'link', 'aria-label': t('kbd.title'), title: t('kbd.title'),
        on: { click: () => keyboard.showHelp() } }, '?'),
      h('button', { type: 'button', class: 'link lang', lang: other, on: { click: () => switchLang(other) } },
        t('lang.switch')),
      h('button', { type: 'button', class: 'link', on: { click: doLogout } }, t('nav.logout'))));
  top.hidden = false;
}

async function switchLang(l) {
  await useLang(l, { remember: true });
  router.go();
}

async function doLogout() {
  await session.logout();
  router.navigate('/login', { replace: true });
}

let leave = null;
let renderSeq = 0;

async function show(route, params, url) {
  const seq = ++renderSeq;
  if (leave) { try { leave(); } catch (e) { console.error(e); } leave = null; }
  clearNotice();
  const main = $('#main');
  const user = session.currentUser();
  $('.skip').textContent = t('nav.skip');
  if (route && route.home) return router.navigate(user ? homePath(user) : '/login', { replace: true });
  if (route && !route.public && !user) {
    return router.navigate('/login' + api.query({ next: url.pathname + url.search }), { replace: true });
  }
  if (user && !loaded()) await loadReference();
  if (seq !== renderSeq) return;
  renderHeader();
  // each page draws into a container of its own: a page still loading when
  // the user went on (two quick Backs) fills a container no longer shown
  const view = h('div', { class: 'page' });
  main.replaceChildren(view);
  const ctx = { main: view, params, query: url.searchParams, user, route, home: user ? homePath(user) : '/login', afterLogin };
  let page = notFoundPage;
  if (route && (route.public || allowed(route, user))) page = route.page;
  else if (route) ctx.forbidden = true;
  const focusBefore = document.activeElement;
  const cleanup = (await page.render(ctx)) || null;
  if (seq !== renderSeq) { // left before it was drawn: undo what it set up (streams, keys)
    if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } }
    return;
  }
  leave = cleanup;
  const h1 = view.querySelector('h1');
  document.title = `${h1 ? h1.textContent : ''} · ${t('app.name')}`;
  // focus the page (a screen reader hears its title) unless it chose a field
  if (document.activeElement === focusBefore || document.activeElement === document.body) {
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
  }
}

// After the login page: the reference data and the page asked for.
async function afterLogin(next) {
  if (!loaded()) await loadReference();
  router.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(session.currentUser()),
    { replace: true });
}

async function boot() {
  await useLang(savedLang());
  keyboard.install();
  session.install();
  api.setHooks({ trouble: connectionTrouble });
  keyboard.bind('go-intake', () => { router.navigate('/intake'); });
  keyboard.bind('go-list', () => { router.navigate('/tickets'); });
  keyboard.bind('go-drafts', () => { router.navigate('/drafts'); });
  await session.loadMe();
  if (session.currentUser()) await loadReference();
  const notice = h('div', { id: 'notice', class: 'notice', hidden: true });
  $('#banner').after(notice);
  router.start(ROUTES, show);
}

boot().catch((e) => {
  console.error(e);
  replace($('#main'), h('p', { class: 'form-error', role: 'alert' }, String(e.message || e)));
});
