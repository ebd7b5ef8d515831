import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import sharp from 'sharp';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;
let base: string;

beforeAll(async () => {
  harness = await startTestServer({ maxFrameBytes: 64 * 1024 });
  base = `http://127.0.0.1:${harness.server.port}`;
});
afterAll(async () => harness.stop());

describe('HTTP endpoints and connection policy', () => {
  test('health lists plugins and the execution provider', async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as {
      status: string;
      plugins: { name: string }[];
      execution_provider: string;
    };
    expect(health.status).toBe('ok');
    expect(health.plugins.map((plugin) => plugin.name)).toContain('test');
    expect(health.execution_provider).toBe('cpu');
  });
  test('image upload and serve round trip; JPEG re-encoded as PNG', async () => {
    const jpeg = await sharp({
      create: { width: 20, height: 10, channels: 3, background: '#336699' },
    })
      .jpeg()
      .toBuffer();
    const uploaded = await fetch(`${base}/images`, { method: 'POST', body: new Uint8Array(jpeg) });
    expect(uploaded.status).toBe(200);
    const value = (await uploaded.json()) as { $image: string; width: number; height: number };
    expect(value).toMatchObject({ width: 20, height: 10 });
    const served = await fetch(`${base}/images/${value.$image}.png`);
    expect(served.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(new Bun.CryptoHasher('sha256').update(bytes).digest('hex')).toBe(value.$image);
  });
  test('corrupt, empty and unknown images get clear 4xx errors', async () => {
    const corrupt = await fetch(`${base}/images`, {
      method: 'POST',
      body: new Uint8Array([1, 2, 3, 4, 5]),
    });
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: string }).error.length).toBeGreaterThan(5);
    expect((await fetch(`${base}/images`, { method: 'POST', body: new Uint8Array() })).status).toBe(
      400,
    );
    expect((await fetch(`${base}/images/${'0'.repeat(64)}.png`)).status).toBe(404);
    expect((await fetch(`${base}/images/..%2F..%2Fetc%2Fpasswd`)).status).toBe(400);
    expect(await (await fetch(`${base}/..%2F..%2F..%2Fetc%2Fpasswd`)).text()).not.toContain(
      'root:',
    );
    expect((await fetch(`${base}/images/abc.png`)).status).toBe(400);
  });
  test('a foreign browser Origin cannot open /rpc; the own origin and no origin can', async () => {
    const foreign = await fetch(`${base}/rpc`, {
      headers: {
        origin: 'https://evil.example',
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    });
    expect(foreign.status).toBe(403);
    const own = await TestRpcClient.connect(`ws://127.0.0.1:${harness.server.port}/rpc`, {
      origin: `http://localhost:${harness.server.port}`,
    });
    expect(await own.call('execute_script', { script: 1 })).toMatchObject({ result: 1 });
    own.close();
  });
  test('frames over the size limit close the socket; the server keeps serving', async () => {
    const client = await TestRpcClient.connect(`ws://127.0.0.1:${harness.server.port}/rpc`);
    const closed = new Promise<number>((resolve) =>
      client.socket.addEventListener('close', (event) => resolve(event.code)),
    );
    client.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'execute_script',
      params: { script: ['str.len', 'x'.repeat(100_000)] },
    });
    expect(await closed).toBe(1009);
    const again = await TestRpcClient.connect(`ws://127.0.0.1:${harness.server.port}/rpc`);
    expect(await again.call('execute_script', { script: ['+', 1, 1] })).toMatchObject({
      result: 2,
    });
    again.close();
  });
});
