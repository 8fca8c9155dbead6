// History-API routing over the app's own paths. The server answers every
// such path with the shell, so a reload or a shared link lands here.

const routes = [];
let current = null;
let renderHook = () => {};

/** `route('/alerts/:id', screen)`; `screen(params)` draws the page. */
export function route(pattern, screen, opts = {}) {
  const names = [];
  const re = new RegExp(`^${pattern.replace(/:[a-z]+/g, (m) => { names.push(m.slice(1)); return '([^/]+)'; })}/?$`);
  routes.push({ pattern, re, names, screen, ...opts });
}

export function onRender(fn) { renderHook = fn; }

export function match(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) return { ...r, params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

export function currentPath() { return current; }

/** Goes to `path` (pushing history unless `replace`) and draws it. */
export async function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  await render();
  // A new page starts at its top; Back (popstate) keeps the browser's own restore.
  window.scrollTo(0, 0);
}

export async function render() {
  current = location.pathname;
  await renderHook(current, new URLSearchParams(location.search));
}

export function start() {
  window.addEventListener('popstate', () => render());
  document.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || a.hasAttribute('download')) return;
    if (url.hash && url.pathname === location.pathname) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
  return render();
}
