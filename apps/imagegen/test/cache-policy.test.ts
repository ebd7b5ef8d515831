import { describe, expect, test } from 'bun:test';
import { cacheName, cachePolicy } from '../src/offline/cache-policy.ts';

const origin = 'http://127.0.0.1:8080';
const policy = (path: string, method = 'GET', base = origin) =>
  cachePolicy(method, new URL(path, base), origin);

describe('service worker cache policy', () => {
  test('nothing that can go stale is cached', () => {
    for (const path of [
      '/rpc',
      '/images/ab.png',
      '/images',
      '/videos/cd.mp4',
      '/health',
      '/whoami',
      '/sw.js',
      '/offline-manifest.json',
    ]) {
      expect(policy(path)).toBe('network-only');
    }
    expect(policy('/assets/index-abc.js', 'POST')).toBe('network-only');
    expect(policy('/assets/index-abc.js', 'GET', 'https://elsewhere.example')).toBe('network-only');
  });

  test('hashed assets are cache-first; pages fall back to the cached shell', () => {
    expect(policy('/assets/index-abc.js')).toBe('cache-first');
    expect(policy('/icons/icon-192.png')).toBe('cache-first');
    expect(policy('/')).toBe('network-first-shell');
    expect(policy('/some/client/route')).toBe('network-first-shell');
    // A prefix is not a match: /imagesque is a page, not the image API.
    expect(policy('/imagesque')).toBe('network-first-shell');
  });

  test('each build version has its own cache', () => {
    expect(cacheName('a1')).not.toBe(cacheName('b2'));
    expect(cacheName('a1').startsWith('viwo-shell-')).toBe(true);
  });
});
