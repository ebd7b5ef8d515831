import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>viwo imagegen</title>
<body style="font-family:sans-serif;background:#111;color:#ddd;padding:2rem">
<h1>viwo imagegen server is running</h1>
<p>The web client is not built yet. Build it with <code>bun run build:client</code> and reload.</p>
<p>The JSON-RPC endpoint is <code>/rpc</code>; health is at <a href="/health" style="color:#9cf">/health</a>.</p>`;

/**
 * Serves the built SPA from `root`: real files by path, `index.html` for any other GET (client
 * routing). Paths are normalised and must stay inside `root` (no traversal).
 */
export function serveStatic(root: string, pathname: string): Response {
  const base = resolve(root);
  const index = join(base, 'index.html');
  if (!existsSync(index)) {
    return new Response(NOT_BUILT_PAGE, {
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return new Response('bad path', { status: 400 });
  }
  const candidate = resolve(base, `.${normalize(`/${decoded}`)}`);
  const inside = candidate === base || candidate.startsWith(base + sep);
  const file = inside && existsSync(candidate) && statSync(candidate).isFile() ? candidate : index;
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  const immutable = file !== index && file.includes(`${sep}assets${sep}`);
  return new Response(Bun.file(file), {
    headers: {
      'content-type': type,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    },
  });
}
