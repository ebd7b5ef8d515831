/**
 * Storage and upload attacks (issue 16, "High" and "Medium and low"): extreme-aspect and SVG
 * uploads, errors leaking paths, /health blind to a broken store, a failed write leaving `.tmp`,
 * unbounded history, and `viwo gc` deleting what a running server still needs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { crc32 } from '@viwo/core';
import sharp from 'sharp';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;
let base: string;

beforeAll(async () => {
  harness = await startTestServer({ runtimeOptions: { history: { maxEntries: 3 } } });
  base = `http://127.0.0.1:${harness.server.port}`;
});
afterAll(async () => harness.stop());

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
  return out;
}

/** A valid grey PNG of 1×height (rows of one pixel compress to almost nothing). */
function tallPng(height: number): Uint8Array<ArrayBuffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const raw = Buffer.alloc(height * 2); // filter byte + one pixel per row, all zero
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw, { level: 9 })),
      chunk('IEND', new Uint8Array()),
    ]),
  ) as Uint8Array<ArrayBuffer>;
}

describe('uploads', () => {
  test('a 1×16,777,216 PNG is refused from its header, before decoding', async () => {
    const bytes = tallPng(16_777_216);
    expect(bytes.length).toBeLessThan(64 * 1024);
    const response = await fetch(`${base}/images`, { method: 'POST', body: bytes });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(
      'each side may be at most 8192',
    );
    // A normal upload right after is served at once.
    const small = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(
      (await fetch(`${base}/images`, { method: 'POST', body: new Uint8Array(small) })).status,
    ).toBe(200);
  });

  test('an SVG is refused by its header; librsvg never sees it', async () => {
    const svg =
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9999999" height="9999999"/>';
    const response = await fetch(`${base}/images`, { method: 'POST', body: svg });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(
      'format svg is not accepted',
    );
  });
});

describe('store health and failures', () => {
  test('plugin errors quoting host paths reach the client without them', async () => {
    const client = await TestRpcClient.connect(harness.wsUrl);
    try {
      const reply = await client.request('execute_script', {
        script: [
          'std.call_method',
          ['get_capability', 'test'],
          'fail',
          `ENOENT: no such file or directory, open '${harness.dataDir}/models/x.onnx'`,
        ],
      });
      const text = JSON.stringify(reply.error);
      expect(text).toContain('ENOENT');
      expect(text).not.toContain(harness.dataDir);
      expect(text).toContain('<path>');
    } finally {
      client.close();
    }
  });

  test('a failed image write leaves no .tmp and names no path; /health reports the store', async () => {
    const png = await sharp({ create: { width: 5, height: 5, channels: 3, background: '#0f0' } })
      .png()
      .toBuffer();
    // Make the shard directory of this exact image unusable: a directory where the file goes.
    const stored = await harness.runtime.images.putEncoded(new Uint8Array(png));
    const target = harness.runtime.images.pathOf(stored.$image);
    rmSync(target);
    mkdirSync(join(target, 'blocker'), { recursive: true });
    const reply = await fetch(`${base}/images`, { method: 'POST', body: new Uint8Array(png) });
    const text = await reply.text();
    expect(reply.status).toBe(500);
    expect(text).not.toContain(harness.dataDir);
    const shard = readdirSync(join(target, '..'));
    expect(shard.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    rmSync(target, { recursive: true });

    expect(((await (await fetch(`${base}/health`)).json()) as { status: string }).status).toBe(
      'ok',
    );
    // The whole store unwritable: /health says so (without a path) instead of "ok".
    const root = harness.runtime.images.root;
    rmSync(root, { recursive: true });
    writeFileSync(root, 'not a directory');
    try {
      const health = (await (await fetch(`${base}/health`)).json()) as {
        status: string;
        storage: { status: string; error?: string };
      };
      expect(health.status).toBe('degraded');
      expect(health.storage.status).toBe('error');
      expect(health.storage.error).not.toContain(harness.dataDir);
    } finally {
      rmSync(root);
      mkdirSync(root);
    }
  });
});

describe('retention', () => {
  test('history keeps the newest entries per the setting; favorites are kept', async () => {
    const client = await TestRpcClient.connect(harness.wsUrl);
    try {
      const first = await client.call<{ job_id: string }>('execute_script', { script: 1 });
      await client.call('history.favorite', { id: first.job_id, value: true });
      for (let index = 2; index <= 6; index++)
        await client.call('execute_script', { script: index });
      const entries = await client.call<{ job_id: string; favorite: boolean }[]>(
        'history.list',
        {},
      );
      const scripts = entries.map((entry) => (entry as unknown as { script: unknown }).script);
      expect(scripts.slice(0, 3)).toEqual([6, 5, 4]);
      expect(entries.filter((entry) => !entry.favorite)).toHaveLength(3);
      expect(entries.some((entry) => entry.job_id === first.job_id)).toBe(true);
    } finally {
      client.close();
    }
  });

  test('viwo gc beside a running server keeps fresh uploads and does not touch its jobs', async () => {
    const fresh = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#00f' } })
      .png()
      .toBuffer();
    const old = await sharp({ create: { width: 7, height: 7, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const upload = async (bytes: Buffer) =>
      (await (
        await fetch(`${base}/images`, { method: 'POST', body: new Uint8Array(bytes) })
      ).json()) as {
        $image: string;
      };
    const freshImage = await upload(fresh);
    const oldImage = await upload(old);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(harness.runtime.images.pathOf(oldImage.$image), twoHoursAgo, twoHoursAgo);

    const client = await TestRpcClient.connect(harness.wsUrl);
    try {
      const running = client.request('execute_script', {
        script: [
          'std.call_method',
          ['get_capability', 'test'],
          'render',
          'p',
          { width: 4, height: 4, steps: 100, delay_ms: 10 },
        ],
      });
      const started = await client.waitFor((message) => message.method === 'job.progress');
      const jobId = (started.params as { job_id: string }).job_id;
      const gc = Bun.spawnSync(
        [process.execPath, join(import.meta.dir, '../../apps/server/src/cli.ts'), 'gc'],
        { env: { ...process.env, VIWO_DATA: harness.dataDir } },
      );
      expect(gc.exitCode).toBe(0);
      expect(JSON.parse(gc.stdout.toString())).toMatchObject({ grace_minutes: 60 });
      expect(statSync(harness.runtime.images.pathOf(freshImage.$image)).isFile()).toBe(true);
      expect(await harness.runtime.images.has(oldImage.$image)).toBe(false);
      // The running job was not marked interrupted by the gc process.
      expect(harness.runtime.history.get(jobId).status).toBe('running');
      await client.call('job.cancel', { job_id: jobId });
      await running;
    } finally {
      client.close();
    }
  }, 30_000);
});
