// router.js - a table of path patterns ('/tickets/:number') → routes, like
// the server's route table. Every page has its own URL: links inside the
// app and navigate() use the History API, Back and Forward re-render, and a
// reload asks the server, which answers index.html for these paths.

let table = [];
let onRoute = null;

function compile(pattern) {
  const names = [];
  const re = pattern.replace(/:(\w+)/g, (m, n) => { names.push(n); return '([^/]+)'; });
  return { re: new RegExp(`^${re}/?$`), names };
}

// routes: [{path, ...}]; handler(route|null, params, url) renders.
export function start(routes, handler) {
  table = routes.map((r) => ({ ...r, ...compile(r.path) }));
  onRoute = handler;
  window.addEventListener('popstate', () => go());
  document.addEventListener('click', follow);
  return go();
}

export function match(pathname) {
  for (const r of table) {
    const m = r.re.exec(pathname);
    if (m) return { route: r, params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return { route: null, params: {} };
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  return go();
}

// Re-renders the current URL (after a language switch, a login).
export function go() {
  const { route, params } = match(location.pathname);
  return onRoute(route, params, new URL(location.href));
}

// A plain click on a same-origin link stays in the app.
function follow(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}
