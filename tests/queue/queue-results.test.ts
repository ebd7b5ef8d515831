import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '@viwo/core';
import type { QueueEvents } from 'bullmq';
import { TestRpcClient } from '../server/rpc-client.ts';
import { boundedCleanup } from './support/bounded-cleanup.ts';
import { type Child, startQueueServer, startWorker } from './support/queue-harness.ts';
import {
  generate,
  generateThenUpscale,
  nextEvent,
  observeQueue,
  referenceRuntime,
} from './support/queue-scripts.ts';
import { startRedis, type TestRedis } from './support/redis-server.ts';

/**
 * Queue mode end to end with real parts: our own redis-server, `viwo serve --queue` and
 * `viwo worker` processes, the JSON-RPC WebSocket. Results are compared byte for byte with the
 * same scripts run in-process.
 */
let redis: TestRedis;
let server: Awaited<ReturnType<typeof startQueueServer>>;
let reference: Runtime;
let referenceDir: string;
let events: QueueEvents;
const workers: (Child & { dataDir: string })[] = [];
/** Every worker data dir, including those of workers stopped mid-file. */
const dataDirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  server = await startQueueServer(redis.url);
  referenceDir = mkdtempSync(join(tmpdir(), 'viwo-qref-'));
  reference = await referenceRuntime(referenceDir);
  events = observeQueue(redis.url, 'diffusers');
  await events.waitUntilReady();
}, 60_000);

afterAll(async () => {
  await boundedCleanup(() => events?.close());
  for (const worker of workers) await boundedCleanup(() => worker.stop('SIGKILL'));
  await boundedCleanup(() => server?.child.stop());
  await boundedCleanup(() => reference?.dispose());
  await boundedCleanup(() => redis?.stop());
  server?.cleanup();
  for (const dir of [...dataDirs, ...workers.map((worker) => worker.dataDir)]) {
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(referenceDir, { recursive: true, force: true });
});

interface JobAnswer {
  job_id: string;
  result: { $image: string; width: number; height: number };
  images: { $image: string }[];
}

async function health(): Promise<{
  queue: { url: string; connected: boolean; waiting: number; active: number };
  workers: { id: string; capabilities: string[]; last_seen: number }[];
}> {
  return (await fetch(`${server.url}/health`)).json() as never;
}

/** Waits for `promise`; if it takes over 30 s, fails showing the processes' output instead. */
async function withOutput<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const logs = [server.child, ...workers].map((child) => child.output().slice(-1500));
      reject(new Error(`still waiting after 30 s; output:\n${logs.join('\n---\n')}`));
    }, 30_000);
  });
  try {
    return await Promise.race([promise, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

describe('queue mode', () => {
  test('with no worker a call waits visibly queued, and job.cancel removes it', async () => {
    const rpc = await TestRpcClient.connect(server.wsUrl);
    const queued = nextEvent(events, 'waiting');
    const answer = rpc.request('execute_script', { script: generate({ seed: 5, steps: 2 }) });
    await queued;
    const running = (await rpc.call<{ job_id: string }[]>('job.list'))[0]!;
    expect((await health()).queue).toMatchObject({ connected: true, waiting: 1, active: 0 });
    const removed = nextEvent(events, 'removed');
    await rpc.call('job.cancel', { job_id: running.job_id });
    const reply = await answer;
    expect((reply.error as { data: { code: string } }).data.code).toBe('Cancelled');
    await removed;
    expect((await health()).queue.waiting).toBe(0);
    rpc.close();
  });

  test('a queued call runs once a worker starts; results equal in-process bytes', async () => {
    const rpc = await TestRpcClient.connect(server.wsUrl);
    const script = generateThenUpscale({ seed: 7, steps: 3, width: 64, height: 64 });
    const queued = nextEvent(events, 'waiting');
    const answer = rpc.request('execute_script', { script });
    await queued;
    workers.push(await startWorker(redis.url, server.url, { id: 'gpu-a' }));
    expect(workers[0]!.output()).toContain('plugin diffusers: execution provider cpu');
    const reply = await answer;
    const remote = reply.result as JobAnswer;
    expect(reply.error).toBeUndefined();

    const local = await reference.openSession('ref').executeScript(script);
    expect(remote.result).toEqual(local.result as JobAnswer['result']);
    expect(remote.images.map((image) => image.$image)).toEqual(
      local.images.map((image) => image.$image),
    );
    for (const image of local.images) {
      const served = new Uint8Array(
        await (await fetch(`${server.url}/images/${image.$image}.png`)).arrayBuffer(),
      );
      expect(Buffer.from(served).equals(await reference.images.getPng(image.$image))).toBe(true);
    }

    // Progress came through the queue, before the reply, under the job's id.
    const replyIndex = rpc.messages.findIndex((message) => message.id === reply.id);
    const progress = rpc.messages.findIndex(
      (message) =>
        message.method === 'job.progress' &&
        (message.params as { job_id: string }).job_id === remote.job_id,
    );
    expect(progress).toBeGreaterThanOrEqual(0);
    expect(progress).toBeLessThan(replyIndex);
    // The client's queue panel names the worker from the progress notifications.
    expect((rpc.messages[progress]!.params as { worker?: string }).worker).toBe('gpu-a');

    const job = await rpc.call<{ workers: string[] }>('job.get', { job_id: remote.job_id });
    expect(job.workers).toEqual(['gpu-a']);
    const state = await health();
    expect(state.workers.map((worker) => worker.id)).toContain('gpu-a');
    expect(state.workers.find((worker) => worker.id === 'gpu-a')?.capabilities).toEqual([
      'diffusers',
      'upscale',
    ]);
    rpc.close();
  }, 60_000);

  test('preprocessors run on a worker too, with in-process bytes', async () => {
    const rpc = await TestRpcClient.connect(server.wsUrl);
    const source = await rpc.call<JobAnswer>('execute_script', {
      script: generate({ seed: 11, steps: 2, width: 64, height: 64 }),
    });
    const script = [
      'std.call_method',
      ['get_capability', 'controlnet.generate'],
      'preprocess',
      source.result,
      'canny',
      {},
    ];
    const remote = await rpc.call<JobAnswer>('execute_script', { script });
    const session = reference.openSession('ref');
    await session.executeScript(generate({ seed: 11, steps: 2, width: 64, height: 64 }));
    const local = await session.executeScript(script);
    expect(remote.result).toEqual(local.result as JobAnswer['result']);
    const job = await rpc.call<{ workers: string[] }>('job.get', { job_id: remote.job_id });
    expect(job.workers).toEqual(['gpu-a']);
    rpc.close();
  }, 60_000);

  test('job.cancel aborts the call on the worker, which then takes the next one', async () => {
    const rpc = await TestRpcClient.connect(server.wsUrl);
    const long = rpc.request('execute_script', {
      script: generate({ seed: 9, steps: 150, width: 128, height: 128 }),
    });
    const started = await rpc.waitFor((message) => message.method === 'job.progress');
    const jobId = (started.params as { job_id: string }).job_id;
    const failed = nextEvent<{ failedReason: string }>(events, 'failed');
    await rpc.call('job.cancel', { job_id: jobId });
    const reply = await withOutput(long);
    expect((reply.error as { data: { code: string } }).data.code).toBe('Cancelled');
    // The worker stopped the call itself (a worker that ignored the cancel would complete it).
    expect((await withOutput(failed)).failedReason).toContain('Cancelled');
    const next = await rpc.call<JobAnswer>('execute_script', {
      script: generate({ seed: 10, steps: 2, width: 64, height: 64 }),
    });
    expect(next.result.width).toBe(64);
    rpc.close();
  }, 60_000);

  test('a worker without the requested model declines; a worker that has it runs the call', async () => {
    // A worker whose data dir holds only tiny-sd-turbo (the first worker has every tiny model).
    const partial = mkdtempSync(join(tmpdir(), 'viwo-partial-'));
    mkdirSync(join(partial, 'models', 'diffusers'), { recursive: true });
    cpSync(
      join(workers[0]!.dataDir, 'models', 'diffusers', 'tiny-sd-turbo'),
      join(partial, 'models', 'diffusers', 'tiny-sd-turbo'),
      { recursive: true },
    );
    await workers[0]!.stop();
    dataDirs.push(workers.shift()!.dataDir);
    workers.push(await startWorker(redis.url, server.url, { id: 'turbo-only', dataDir: partial }));
    const rpc = await TestRpcClient.connect(server.wsUrl);
    const script = generate({ seed: 3, steps: 2, width: 64, height: 64, model_id: 'tiny-sd15' });
    const answer = rpc.request('execute_script', { script });
    await rpc.waitFor(
      (message) =>
        message.method === 'job.log' &&
        /turbo-only declined/.test(String((message.params as { message: string }).message)),
    );
    workers.push(await startWorker(redis.url, server.url, { id: 'gpu-b' }));
    const reply = await answer;
    const remote = reply.result as JobAnswer;
    const local = await reference.openSession('ref').executeScript(script);
    expect(remote.result).toEqual(local.result as JobAnswer['result']);
    const job = await rpc.call<{ workers: string[] }>('job.get', { job_id: remote.job_id });
    expect(job.workers).toEqual(['gpu-b']);
    rpc.close();
  }, 60_000);
});
