import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { insertPngText } from '@viwo/core';
import sharp from 'sharp';
import { runsOnWorkers } from '../../apps/server/src/queue/queue-dispatcher.ts';
import { parseQueueUrl } from '../../apps/server/src/queue/queue-settings.ts';
import { isLoopbackPeer, workerAccess } from '../../apps/server/src/worker-auth.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

const WORKER = { 'x-viwo-worker': 'gpu-1' };

function request(headers: Record<string, string>): Request {
  return new Request('http://127.0.0.1/images', { headers });
}

describe('worker authentication rules', () => {
  test('no worker header: not a worker; loopback workers need no token when none is set', () => {
    expect(workerAccess(request({}), '127.0.0.1', {})).toEqual({ kind: 'none' });
    expect(workerAccess(request(WORKER), '127.0.0.1', {})).toEqual({ kind: 'worker', id: 'gpu-1' });
    expect(workerAccess(request(WORKER), '::ffff:127.0.0.1', {}).kind).toBe('worker');
    expect(workerAccess(request(WORKER), '10.0.0.5', {})).toMatchObject({
      kind: 'denied',
      reason: expect.stringContaining('VIWO_WORKER_TOKEN'),
    });
  });

  test('with a token configured every worker must present it, loopback included', () => {
    const policy = { workerToken: 'w-secret', serverToken: 's-secret' };
    expect(workerAccess(request(WORKER), '127.0.0.1', policy).kind).toBe('denied');
    const bearer = (token: string) => ({ ...WORKER, authorization: `Bearer ${token}` });
    expect(workerAccess(request(bearer('nope')), '127.0.0.1', policy).kind).toBe('denied');
    expect(workerAccess(request(bearer('w-secret')), '10.0.0.5', policy).kind).toBe('worker');
    expect(workerAccess(request(bearer('s-secret')), '10.0.0.5', policy).kind).toBe('worker');
    expect(workerAccess(request({ 'x-viwo-worker': 'bad id!' }), '127.0.0.1', {}).kind).toBe(
      'denied',
    );
    expect(workerAccess(request(WORKER), '127.0.0.1', { clientAuthRequired: true })).toMatchObject({
      kind: 'denied',
      reason: expect.stringContaining('VIWO_WORKER_TOKEN'),
    });
    expect(isLoopbackPeer('::1')).toBe(true);
    expect(isLoopbackPeer('192.168.1.2')).toBe(false);
    expect(isLoopbackPeer(undefined)).toBe(false);
  });

  test('device work goes to workers; cheap, runware and refine calls stay on the server', () => {
    const call = { type: 't', method: 'm', costed: false, device: false };
    expect(runsOnWorkers({ ...call, plugin: 'diffusers', costed: true })).toBe(true);
    expect(runsOnWorkers({ ...call, plugin: 'diffusers', device: true })).toBe(true);
    expect(runsOnWorkers({ ...call, plugin: 'upscale' })).toBe(false);
    expect(runsOnWorkers({ ...call, plugin: 'runware', costed: true })).toBe(false);
    expect(runsOnWorkers({ ...call, plugin: 'refine', costed: true })).toBe(false);
  });

  test('Redis URLs: credentials never shown; bad URLs named', () => {
    const parsed = parseQueueUrl('redis://user:p%40ss@redis.example:6390/2', '--queue');
    expect(parsed.display).toBe('redis://redis.example:6390/2');
    expect(parsed.options).toMatchObject({ username: 'user', password: 'p@ss', db: 2, port: 6390 });
    expect(() => parseQueueUrl('nats://x', '--queue')).toThrow(/--queue: expected a redis:\/\//);
    expect(() => parseQueueUrl('redis://h/x', '--queue')).toThrow(/database must be a number/);
    expect(() => parseQueueUrl('not a url', 'VIWO_QUEUE')).toThrow(/VIWO_QUEUE: .* is not a URL/);
  });
});

describe('what a worker may do over HTTP', () => {
  let server: TestServer;
  let secured: TestServer;
  let png: Uint8Array;

  beforeAll(async () => {
    server = await startTestServer();
    secured = await startTestServer({ workerToken: 'w-secret' });
    const plain = await sharp({
      create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 10, b: 10 } },
    })
      .png()
      .toBuffer();
    png = insertPngText(new Uint8Array(plain), { parameters: 'a red square, Seed: 1' });
  });
  afterAll(async () => {
    await server?.stop();
    await secured?.stop();
  });

  const post = (base: string, headers: Record<string, string>) =>
    fetch(`${base}/images`, { method: 'POST', headers, body: new Blob([new Uint8Array(png)]) });

  test("a worker's upload is stored verbatim (text chunks kept); a client's is re-encoded", async () => {
    const base = server.server.url;
    const sha = createHash('sha256').update(png).digest('hex');
    const fromWorker = (await (await post(base, WORKER)).json()) as { $image: string };
    expect(fromWorker.$image).toBe(sha);
    expect(await server.runtime.images.getText(sha)).toEqual({
      parameters: 'a red square, Seed: 1',
    });
    const fromClient = (await (await post(base, {})).json()) as { $image: string };
    expect(fromClient.$image).not.toBe(sha);
    const read = await fetch(`${base}/images/${sha}.png`, { headers: WORKER });
    expect(Buffer.from(await read.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    const garbage = await fetch(`${base}/images`, {
      method: 'POST',
      headers: WORKER,
      body: new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])]),
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toContain('could not be decoded');
  });

  test('workers cannot run scripts or read anything but images', async () => {
    const base = server.server.url;
    expect((await fetch(`${base}/rpc`, { headers: WORKER })).status).toBe(403);
    expect((await fetch(`${base}/health`, { headers: WORKER })).status).toBe(403);
    expect((await fetch(`${base}/`, { headers: WORKER })).status).toBe(403);
  });

  test('once users exist, a loopback worker needs the worker token', async () => {
    const withUsers = await startTestServer({ workerToken: 'w-secret' });
    const open = await startTestServer();
    try {
      open.runtime.users.add('alice');
      const refused = await post(open.server.url, WORKER);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: string }).error).toContain('VIWO_WORKER_TOKEN');
      withUsers.runtime.users.add('bob');
      const accepted = await post(withUsers.server.url, {
        ...WORKER,
        authorization: 'Bearer w-secret',
      });
      expect(accepted.status).toBe(200);
    } finally {
      await withUsers.stop();
      await open.stop();
    }
  });

  test('with VIWO_WORKER_TOKEN set, a worker without it is refused even on loopback', async () => {
    const base = secured.server.url;
    const refused = await post(base, WORKER);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain('worker token');
    const accepted = await post(base, { ...WORKER, authorization: 'Bearer w-secret' });
    expect(accepted.status).toBe(200);
  });
});
