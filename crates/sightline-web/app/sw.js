// Sightline's service worker caches the app shell, and only the shell: API
// responses and photos are never cached (the server marks them no-store
// too), so nothing of an investigation stays in the browser's caches.
const CACHE = 'sightline-shell-v1';
const SHELL = ['/', '/app.js', '/app.css', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const navigation = e.request.mode === 'navigate';
  const shellFile = SHELL.includes(url.pathname);
  if (!navigation && !shellFile) return; // API, photos, anything else: straight to the network
  // Network first, so a new release shows at once; the cached shell only when offline.
  e.respondWith(fetch(e.request)
    .then((resp) => {
      if (resp.ok && shellFile) {
        const copy = resp.clone();
        caches.open(CACHE).then((c) => c.put(url.pathname, copy));
      }
      return resp;
    })
    .catch(() => caches.match(navigation ? '/' : url.pathname)));
});
