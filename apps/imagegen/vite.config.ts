import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { offlineShell } from './build/offline-shell-plugin.ts';

/** The client build served by `apps/server` at `/` (dev: `bun run dev`, proxying the API). */
export default defineConfig({
  plugins: [
    solid(),
    offlineShell(['/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png']),
  ],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: {
      '/rpc': { target: 'ws://127.0.0.1:8080', ws: true },
      '/images': 'http://127.0.0.1:8080',
      '/health': 'http://127.0.0.1:8080',
    },
  },
});
