import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from './server-harness.ts';

const clientDir = mkdtempSync(join(tmpdir(), 'viwo-client-'));
const secretDir = mkdtempSync(join(tmpdir(), 'viwo-secret-'));
let built: TestServer;
let unbuilt: TestServer;

beforeAll(async () => {
  mkdirSync(join(clientDir, 'assets'));
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>app shell</title>');
  writeFileSync(join(clientDir, 'assets', 'app-1234.js'), 'console.log("app")');
  writeFileSync(join(clientDir, 'assets', 'big-5678.js'), `${'console.log("big");\n'.repeat(400)}`);
  writeFileSync(join(secretDir, 'secret.txt'), 'do not serve');
  built = await startTestServer({ clientDir });
  unbuilt = await startTestServer({ clientDir: join(clientDir, 'missing') });
});
afterAll(async () => {
  await built.stop();
  await unbuilt.stop();
  rmSync(clientDir, { recursive: true, force: true });
  rmSync(secretDir, { recursive: true, force: true });
});

const base = (server: TestServer) => server.server.url.replace(/\/$/, '');

test('the built client is served at /, assets are immutable, client routes fall back to index', async () => {
  const root = await fetch(`${base(built)}/`);
  expect(root.status).toBe(200);
  expect(await root.text()).toContain('app shell');
  expect(root.headers.get('cache-control')).toBe('no-cache');

  const asset = await fetch(`${base(built)}/assets/app-1234.js`);
  expect(await asset.text()).toContain('console.log');
  expect(asset.headers.get('content-type')).toContain('javascript');
  expect(asset.headers.get('cache-control')).toContain('immutable');

  const route = await fetch(`${base(built)}/gallery/some-id`);
  expect(await route.text()).toContain('app shell');
});

test('JS over 1 KB is sent brotli or gzip compressed as accepted; small files are not', async () => {
  const url = `${base(built)}/assets/big-5678.js`;
  const original = 'console.log("big");\n'.repeat(400);
  for (const [accept, encoding] of [
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['identity', null],
  ] as const) {
    const response = await fetch(url, {
      headers: { 'accept-encoding': accept },
      decompress: false,
    });
    expect(response.headers.get('content-encoding')).toBe(encoding);
    expect(response.headers.get('cache-control')).toContain('max-age=31536000');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text =
      encoding === 'br'
        ? brotliDecompressSync(bytes).toString()
        : encoding === 'gzip'
          ? gunzipSync(bytes).toString()
          : new TextDecoder().decode(bytes);
    expect(text).toBe(original);
    if (encoding) expect(bytes.length).toBeLessThan(original.length / 4);
  }
  const small = await fetch(`${base(built)}/assets/app-1234.js`, {
    headers: { 'accept-encoding': 'br' },
    decompress: false,
  });
  expect(small.headers.get('content-encoding')).toBeNull();
});

test('paths cannot climb out of the client directory', async () => {
  const secret = `../${secretDir.split('/').at(-1)}/secret.txt`;
  for (const path of [secret, encodeURIComponent(secret), `..%2f..%2f${secret}`]) {
    const response = await fetch(`${base(built)}/${path}`);
    expect(await response.text()).not.toContain('do not serve');
  }
});

test('an unbuilt client gets a page saying how to build it', async () => {
  const response = await fetch(`${base(unbuilt)}/`);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('bun run build:client');
});
