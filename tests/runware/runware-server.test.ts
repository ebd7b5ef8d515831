import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createCanvasPlugin, type ImageValue } from '@viwo/core';
import { createRunwarePlugin } from '@viwo/plugin-runware';
import { type RunwareStandIn, startRunwareStandIn } from '@viwo/plugin-runware/testing';
import type { VideoValue } from '@viwo/protocol';
import { TestRpcClient } from '../server/rpc-client.ts';
import { startTestServer, type TestServer } from '../server/server-harness.ts';

/** A distinctive key, so any leak is found by a plain substring search. */
const KEY = 'rw-LEAKCHECK-7f3a9c1e5b2d4f60';

let standIn: RunwareStandIn;
let server: TestServer;
let client: TestRpcClient;
/** Everything the runtime's default logger writes (plugin warnings and errors go to stderr). */
const pluginLogs: string[] = [];
const consoleError = console.error;

const textToImage = (prompt: string, options: Record<string, unknown>) => [
  'std.call_method',
  ['get_capability', 'runware'],
  'textToImage',
  prompt,
  options,
];

beforeAll(async () => {
  console.error = (...parts: unknown[]) => {
    pluginLogs.push(parts.map(String).join(' '));
  };
  standIn = startRunwareStandIn({ apiKeys: [KEY] });
  // No key in the plugin or its environment: the owner sets it through Settings below.
  server = await startTestServer({
    plugins: [
      createCanvasPlugin(),
      createRunwarePlugin({ url: standIn.url, env: {}, pollIntervalMs: 10 }),
    ],
  });
  client = await TestRpcClient.connect(server.wsUrl);
});

afterAll(async () => {
  console.error = consoleError;
  client.close();
  await server.stop();
  await standIn.stop();
});

describe('runware through the real server', () => {
  test('without a key, a call says how to set one; the owner sets it write-only', async () => {
    const before = await client.call<Record<string, unknown>>('settings.runware.get');
    expect(before).toMatchObject({ configured: false, source: null, can_set_key: true });
    const refused = await client.request('execute_script', {
      script: textToImage('a kite', { width: 128, height: 128 }),
    });
    expect(refused.error).toMatchObject({ code: -32000, data: { code: 'CapabilityDenied' } });
    expect(JSON.stringify(refused.error)).toContain('config set runware.api_key');

    const bad = await client.request('settings.runware.set_key', { api_key: 'x y' });
    expect(bad.error).toMatchObject({ code: -32602 });
    const after = await client.call<Record<string, unknown>>('settings.runware.set_key', {
      api_key: KEY,
    });
    expect(after).toMatchObject({ configured: true, source: 'config' });
    const mode = (await stat(join(server.dataDir, 'config.json'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  test('textToImage: image served as PNG, seed and cost in history and the reply', async () => {
    const reply = await client.call<{ job_id: string; result: ImageValue; cost: number }>(
      'execute_script',
      { script: textToImage('a lighthouse', { seed: 99, width: 256, height: 192 }) },
    );
    expect(reply.result).toMatchObject({ width: 256, height: 192 });
    expect(reply.cost).toBeCloseTo(0.0019, 10);
    const png = await fetch(`${server.server.url}/images/${reply.result.$image}.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const entries = await client.call<Record<string, unknown>[]>('history.list', {
      type: 'runware',
    });
    const entry = entries.find((candidate) => candidate.job_id === reply.job_id)!;
    expect(entry.seeds).toEqual([99]);
    expect(entry.cost).toBeCloseTo(0.0019, 10);
  });

  test("Runware's validation error reaches the caller as -32000 with its code and parameter", async () => {
    const response = await client.request('execute_script', {
      script: textToImage('a typo', { model_id: 'flux', width: 128, height: 128 }),
    });
    const error = response.error as { code: number; data: { code: string; message: string } };
    expect(error.code).toBe(-32000);
    expect(error.data.code).toBe('InvalidArgument');
    expect(error.data.message).toContain('invalidModel (parameter model = our model_id)');
  });

  test('a video is stored content-addressed and served at /videos/<sha256>.mp4', async () => {
    const reply = await client.call<{ result: VideoValue }>('execute_script', {
      script: [
        'std.call_method',
        ['get_capability', 'runware'],
        'textToVideo',
        'surf',
        { model_id: 'klingai:5@3', width: 640, height: 352, duration: 3 },
      ],
    });
    const video = reply.result;
    expect(video).toMatchObject({ width: 640, height: 352, duration: 3, mime: 'video/mp4' });
    const response = await fetch(`${server.server.url}/videos/${video.$video}.mp4`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(video.$video);
    expect((await fetch(`${server.server.url}/videos/${video.$video}.webm`)).status).toBe(404);
    expect((await fetch(`${server.server.url}/videos/nothex.mp4`)).status).toBe(400);
  });

  test('metadata lists every method with complete params and no device cost', async () => {
    const metadata =
      await client.call<
        { type: string; methods: { name: string; params: { name: string }[] }[] }[]
      >('get_capability_metadata');
    const runware = metadata.find((entry) => entry.type === 'runware')!;
    expect(runware.methods.map((method) => method.name)).toEqual([
      'textToImage',
      'imageToImage',
      'inpaint',
      'outpaint',
      'upscale',
      'removeBackground',
      'enhancePrompt',
      'textToVideo',
      'imageToVideo',
      'searchModels',
    ]);
    const inpaint = runware.methods.find((method) => method.name === 'inpaint')!;
    expect(inpaint.params.map((param) => param.name)).toEqual([
      'image',
      'mask',
      'prompt',
      'options',
    ]);
  });

  test('the key appears nowhere a client can see', async () => {
    standIn.inject('imageInference', 'echo-key');
    const echoed = await client.request('execute_script', {
      script: textToImage('echo', { width: 128, height: 128 }),
    });
    expect(echoed.error).toBeDefined();
    const made = await client.call<{ job_id: string; result: ImageValue }>('execute_script', {
      script: textToImage('visible things', { seed: 5, width: 128, height: 128 }),
    });
    const saved = await client.call<{ id: string }>('templates.save', {
      name: 'runware template',
      script: textToImage('from a template', { width: 128, height: 128 }),
    });
    const seen: unknown[] = [
      echoed,
      made,
      await client.call('get_capability_metadata'),
      await client.call('get_opcodes'),
      await client.call('settings.runware.get'),
      await client.call('history.list', { limit: 1000 }),
      await client.call('history.get', { id: made.job_id }),
      await client.call('job.list'),
      await client.call('job.get', { job_id: made.job_id }),
      await client.call('templates.export', { id: saved.id }),
      await (await fetch(`${server.server.url}/health`)).text(),
      await server.runtime.images.getText(made.result.$image),
      Buffer.from(await server.runtime.images.getPng(made.result.$image)).toString('latin1'),
      client.messages,
      pluginLogs,
    ];
    expect(pluginLogs.length).toBeGreaterThan(0); // the malformed/echo warnings were logged
    const text = JSON.stringify(seen);
    expect(text).not.toContain(KEY);
    // The echoed error was scrubbed rather than dropped: the message still says what happened.
    expect(JSON.stringify(echoed.error)).toContain('[redacted]');
  });
});
