import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import { createTestPlugin } from '@viwo/core/testing';
import { bearerToken, secretsEqual } from '../../apps/server/src/auth.ts';
import { startServer } from '../../apps/server/src/index.ts';
import { TestRpcClient } from './rpc-client.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'viwo-token-'));
const runtime = await createRuntime({ dataDir, plugins: [createTestPlugin()] });
afterAll(async () => {
  await runtime.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a non-loopback bind is refused without a token', () => {
  const saved = process.env.VIWO_TOKEN;
  delete process.env.VIWO_TOKEN;
  expect(() => startServer({ runtime, host: '0.0.0.0', port: 0 })).toThrow(/token/);
  if (saved !== undefined) process.env.VIWO_TOKEN = saved;
});

test('with a token, /rpc and /images need it; /health does not', async () => {
  const server = startServer({ runtime, host: '0.0.0.0', port: 0, token: 's3cret-token' });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/images/${'0'.repeat(64)}.png`)).status).toBe(401);
    await expect(TestRpcClient.connect(`ws://127.0.0.1:${server.port}/rpc`)).rejects.toThrow();
    await expect(
      TestRpcClient.connect(`ws://127.0.0.1:${server.port}/rpc?token=wrong`),
    ).rejects.toThrow();
    const client = await TestRpcClient.connect(
      `ws://127.0.0.1:${server.port}/rpc?token=s3cret-token`,
    );
    expect(await client.call('execute_script', { script: ['+', 2, 2] })).toMatchObject({
      result: 4,
    });
    client.close();
  } finally {
    await server.stop();
  }
});

test('the shared token: Bearer in any case on HTTP; ?token= only on the WebSocket upgrade', async () => {
  const server = startServer({ runtime, host: '0.0.0.0', port: 0, token: 's3cret-token' });
  try {
    const image = `http://127.0.0.1:${server.port}/images/${'0'.repeat(64)}.png`;
    expect((await fetch(`${image}?token=s3cret-token`)).status).toBe(401);
    for (const scheme of ['Bearer', 'bearer', 'BeArEr']) {
      const response = await fetch(image, { headers: { authorization: `${scheme} s3cret-token` } });
      expect(response.status).toBe(404);
    }
    const wrong = await fetch(image, { headers: { authorization: 'Bearer s3cret-tokeN' } });
    expect(wrong.status).toBe(401);
    const client = await TestRpcClient.connect(`ws://127.0.0.1:${server.port}/rpc`, {
      authorization: 'bearer s3cret-token',
    });
    expect(await client.call('execute_script', { script: ['+', 1, 1] })).toMatchObject({
      result: 2,
    });
    client.close();
  } finally {
    await server.stop();
  }
});

test('secretsEqual compares by content only, whatever the lengths', () => {
  expect(secretsEqual('abc', 'abc')).toBe(true);
  expect(secretsEqual('abc', 'abd')).toBe(false);
  expect(secretsEqual('abc', 'abcd')).toBe(false);
  expect(secretsEqual('', 'x')).toBe(false);
  expect(bearerToken(new Request('http://x/', { headers: { authorization: 'BEARER t1' } }))).toBe(
    't1',
  );
  expect(bearerToken(new Request('http://x/', { headers: { authorization: 'Basic t1' } }))).toBe(
    null,
  );
});
