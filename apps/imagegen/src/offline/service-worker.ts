/**
 * The service worker (`/sw.js`): precaches the app shell of this build so the app opens while
 * the server is down (showing "Reconnecting…"), and can be installed as an app. Stale data is
 * never cached (see cache-policy.ts). A new build has a new manifest version, hence a new cache;
 * activation deletes the old ones.
 */
import { type CachePolicy, cacheName, cachePolicy, type OfflineManifest } from './cache-policy.ts';

/** The parts of the service-worker global this file uses (the DOM lib lacks the worker types). */
interface ExtendableEventLike {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEventLike {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(
    type: 'install' | 'activate',
    listener: (event: ExtendableEventLike) => void,
  ): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: Location;
}
const worker = globalThis as unknown as WorkerScope;

async function manifest(): Promise<OfflineManifest> {
  const response = await fetch('/offline-manifest.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`offline manifest: HTTP ${response.status}`);
  return (await response.json()) as OfflineManifest;
}

let current: Promise<string> | undefined;
/** This worker's cache name (from the manifest it installed with). */
function currentCache(): Promise<string> {
  current ??= manifest().then((entry) => cacheName(entry.version));
  return current;
}

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const entry = await manifest();
      current = Promise.resolve(cacheName(entry.version));
      const cache = await caches.open(cacheName(entry.version));
      await cache.addAll(['/', ...entry.files]);
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keep = await currentCache();
      for (const key of await caches.keys()) {
        if (key.startsWith('viwo-shell-') && key !== keep) await caches.delete(key);
      }
      await worker.clients.claim();
    })(),
  );
});

async function respond(request: Request, policy: CachePolicy): Promise<Response> {
  const cache = await caches.open(await currentCache());
  if (policy === 'cache-first') {
    const hit = await cache.match(request);
    if (hit) return hit;
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  }
  try {
    return await fetch(request);
  } catch (error) {
    // Offline: any page of the app is the shell (client-side routing).
    const shell = (await cache.match('/')) ?? (await cache.match('/index.html'));
    if (shell) return shell;
    throw error;
  }
}

worker.addEventListener('fetch', (event) => {
  const policy = cachePolicy(
    event.request.method,
    new URL(event.request.url),
    worker.location.origin,
  );
  if (policy === 'network-only') return;
  event.respondWith(respond(event.request, policy));
});
