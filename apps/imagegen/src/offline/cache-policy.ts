/**
 * What the service worker does with a request (pure, so it is unit-tested without a browser).
 *
 * Invariant: nothing that can go stale is ever served from the cache — RPC, images, videos,
 * health, uploads and every non-GET request always go to the network. Only the hashed build
 * assets (immutable by name) are served cache-first; pages are network-first with the cached
 * app shell as the offline fallback.
 */
export type CachePolicy = 'network-only' | 'cache-first' | 'network-first-shell';

const NEVER_CACHED = ['/rpc', '/images', '/videos', '/health', '/whoami', '/api'];

/** The policy for a request of `method` to `url` from a page on `origin`. */
export function cachePolicy(method: string, url: URL, origin: string): CachePolicy {
  if (method !== 'GET' || url.origin !== origin) return 'network-only';
  const path = url.pathname;
  if (NEVER_CACHED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return 'network-only';
  }
  if (path === '/sw.js' || path === '/offline-manifest.json') return 'network-only';
  if (path.startsWith('/assets/')) return 'cache-first';
  if (path.startsWith('/icons/') || path === '/manifest.webmanifest') return 'cache-first';
  return 'network-first-shell';
}

/** The offline manifest the build writes next to `sw.js`. */
export interface OfflineManifest {
  /** Changes with every build that changes an asset: names the cache. */
  version: string;
  /** Same-origin paths to precache (the shell, hashed assets, icons, web manifest). */
  files: string[];
}

/** Cache name of a build; caches of other builds are deleted when a new worker activates. */
export function cacheName(version: string): string {
  return `viwo-shell-${version}`;
}
