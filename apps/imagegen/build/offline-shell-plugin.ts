import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const WORKER_ENTRY = fileURLToPath(new URL('../src/offline/service-worker.ts', import.meta.url));

/**
 * Builds `/sw.js` from src/offline/service-worker.ts and writes `/offline-manifest.json`: the
 * files the worker precaches (every emitted asset plus the public icons and web manifest) and a
 * version hashed from their names. Asset names carry content hashes, so any change of the app
 * gives a new version and a new cache.
 */
export function offlineShell(publicFiles: readonly string[]): Plugin {
  return {
    name: 'viwo-offline-shell',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: WORKER_ENTRY, fileName: 'sw.js' });
    },
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => name !== 'sw.js' && !name.endsWith('.map'))
        .map((name) => `/${name}`);
      files.push(...publicFiles);
      files.sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      this.emitFile({
        type: 'asset',
        fileName: 'offline-manifest.json',
        source: `${JSON.stringify({ version, files }, null, 2)}\n`,
      });
    },
  };
}
