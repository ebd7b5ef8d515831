import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/** The client build served by `apps/server` at `/` (dev: `bun run dev`, proxying the API). */
export default defineConfig({
  plugins: [solid()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: {
      '/rpc': { target: 'ws://127.0.0.1:8080', ws: true },
      '/images': 'http://127.0.0.1:8080',
      '/health': 'http://127.0.0.1:8080',
    },
  },
});
