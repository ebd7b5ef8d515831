import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import { offlineShell } from './build/offline-shell-plugin.ts';

/**
 * Blockly's sprites, cursors and sounds, copied into the build as `/blockly-media/` so Blocks
 * Mode never contacts Blockly's CDN (the app must work offline and talk to its own server only).
 */
function blocklyMedia(): Plugin {
  const source = join(dirname(createRequire(import.meta.url).resolve('blockly')), 'media');
  return {
    name: 'viwo-blockly-media',
    apply: 'build',
    writeBundle(options) {
      cpSync(source, join(options.dir ?? 'dist', 'blockly-media'), { recursive: true });
    },
  };
}

/** The client build served by `apps/server` at `/` (dev: `bun run dev`, proxying the API). */
export default defineConfig({
  plugins: [
    solid(),
    blocklyMedia(),
    offlineShell(['/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png']),
  ],
  // Blocks Mode (Blockly) is a lazy chunk; the page loads Layer Mode without it.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/rpc': { target: 'ws://127.0.0.1:8080', ws: true },
      '/images': 'http://127.0.0.1:8080',
      '/health': 'http://127.0.0.1:8080',
    },
  },
});
