import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedCleanup } from '../queue/support/bounded-cleanup.ts';
import { type Child, startQueueServer, startWorker } from '../queue/support/queue-harness.ts';
import { generate } from '../queue/support/queue-scripts.ts';
import { startRedis, type TestRedis } from '../queue/support/redis-server.ts';
import { TestRpcClient } from '../server/rpc-client.ts';

/**
 * Queue mode (real redis-server, `viwo serve --queue`, `viwo worker`): the worker posts its
 * result to the server's image store, the job ends in the server's job manager, and the outputs
 * writer saves it like an in-process result.
 */
let redis: TestRedis;
let server: Awaited<ReturnType<typeof startQueueServer>>;
let worker: (Child & { dataDir: string }) | undefined;
let client: TestRpcClient;
const folder = mkdtempSync(join(tmpdir(), 'viwo-outputs-queue-'));

beforeAll(async () => {
  redis = await startRedis();
  server = await startQueueServer(redis.url);
  worker = await startWorker(redis.url, server.url, { id: 'outputs-worker' });
  client = await TestRpcClient.connect(server.wsUrl);
}, 120_000);

afterAll(async () => {
  client?.close();
  await boundedCleanup(() => worker?.stop('SIGKILL'));
  await boundedCleanup(() => server?.child.stop());
  await boundedCleanup(() => redis?.stop());
  server?.cleanup();
  if (worker) rmSync(worker.dataDir, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
});

test('a result a queue worker produced is written to the outputs folder', async () => {
  expect(await client.call('settings.outputs.set', { folder })).toEqual({ folder });
  const reply = await client.call<{ job_id: string; images: { $image: string }[] }>(
    'execute_script',
    { script: generate({ width: 64, height: 64, steps: 2, seed: 21 }) },
  );
  const note = await client.waitFor(
    (message) =>
      message.method === 'job.log' &&
      (message.params as { job_id: string }).job_id === reply.job_id,
    60_000,
  );
  expect((note.params as { level: string }).level).toBe('info');
  const job = await client.call<{ workers: string[] }>('job.get', { job_id: reply.job_id });
  expect(job.workers).toEqual(['outputs-worker']);
  const [day] = readdirSync(folder);
  const files = readdirSync(join(folder, day!));
  const hash = reply.images[0]!.$image;
  expect(files).toEqual([
    expect.stringMatching(new RegExp(`^\\d{6}-21-${hash.slice(0, 8)}\\.png$`)),
  ]);
  const stored = new Uint8Array(
    await (await fetch(`${server.url}/images/${hash}.png`)).arrayBuffer(),
  );
  expect(new Uint8Array(readFileSync(join(folder, day!, files[0]!)))).toEqual(stored);
}, 120_000);
