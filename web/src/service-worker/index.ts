// The installable app's service worker: the app's own files are kept (cache first: their names
// change with every build), pages come from the network, and when a page cannot be reached the
// offline page (static/offline.html) is shown with the last known figures. API answers are never cached here: money
// figures on this device are only the few the offline page shows (lib/last-known.ts).
import { self as sw } from '$app/service-worker';
import { assets, immutable } from '$app/manifest';

const OFFLINE = '/offline.html';
/** the build's and static files, as the addresses they are fetched at (the lists are relative to the root) */
const ASSETS = new Set([...immutable, ...assets].map((f) => `/${String(f.path).replace(/^\/+/, '')}`));
/** one cache per build: the build's file names carry their content's hash, so they name it */
const CACHE = `finexia-${[...ASSETS]
  .sort()
  .reduce((h, p) => [...p].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, h), 7)
  .toString(36)}`;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([...ASSETS]);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith('/api/')) return;
  if (ASSETS.has(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
    return;
  }
  if (request.mode !== 'navigate') return;
  // a page that cannot be reached sends to the offline page (a static file, kept above): served
  // under the page's own address, the app would route it as that page and fail to load its data
  event.respondWith(fetch(request).catch(() => Response.redirect(OFFLINE, 302)));
});
