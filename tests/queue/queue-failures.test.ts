import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '@viwo/core';
import { TestRpcClient } from '../server/rpc-client.ts';
import { boundedCleanup } from './support/bounded-cleanup.ts';
import { runCli, startQueueServer, startWorker } from './support/queue-harness.ts';
import { generate, nextEvent, observeQueue, referenceRuntime } from './support/queue-scripts.ts';
import { freePort, startRedis, type TestRedis } from './support/redis-server.ts';

/** Queue mode when things go wrong: Redis down or restarted, workers killed, servers restarted. */
let redis: TestRedis;
let reference: Runtime;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'viwo-qref-'));
  reference = await referenceRuntime(dir);
  cleanups.push(
    () => reference.dispose(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
}, 60_000);

// Each step is bounded (10 s); the hook's own limit leaves room for every step to hit that bound.
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await boundedCleanup(cleanup);
  await boundedCleanup(() => redis?.stop());
}, 600_000);

async function worker(redisUrl: string, serverUrl: string, id: string, env = {}) {
  const child = await startWorker(redisUrl, serverUrl, { id, env });
  cleanups.push(
    () => child.stop('SIGKILL').then(() => undefined),
    () => rmSync(child.dataDir, { recursive: true, force: true }),
  );
  return child;
}

async function server(redisUrl: string, options: Parameters<typeof startQueueServer>[1] = {}) {
  const started = await startQueueServer(redisUrl, options);
  cleanups.push(() => started.child.stop('SIGKILL').then(() => undefined));
  if (!options.dataDir) cleanups.push(() => started.cleanup());
  return started;
}

describe('queue mode failures', () => {
  test('Redis down at start: serve and worker exit non-zero naming the unreachable URL', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const data = mkdtempSync(join(tmpdir(), 'viwo-qdown-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const serve = await runCli(['serve', '--port', '0', '--queue', nowhere], { VIWO_DATA: data });
    expect(serve.code).not.toBe(0);
    expect(serve.output).toContain(`cannot reach Redis at ${nowhere}`);
    expect(serve.output).not.toContain('    at ');
    const bad = await runCli(['serve', '--port', '0', '--queue', 'http://x'], { VIWO_DATA: data });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('expected a redis:// or rediss:// URL');

    const host = await server(redis.url);
    const work = await runCli(['worker', '--queue', nowhere, '--server', host.url, '--id', 'w'], {
      VIWO_DATA: data,
    });
    expect(work.code).toBe(1);
    expect(work.output).toContain(`cannot reach Redis at ${nowhere}`);
    await host.child.stop();
  }, 60_000);

  test('worker flags: missing, unknown or out-of-range values are named', async () => {
    const cases: [string[], RegExp][] = [
      [['worker', '--queue', redis.url], /--queue and --server are required/],
      [
        [
          'worker',
          '--queue',
          redis.url,
          '--server',
          'http://127.0.0.1:1',
          '--capabilities',
          'runware',
        ],
        /--capabilities: "runware" is not a worker capability \(diffusers, upscale\)/,
      ],
      [
        ['worker', '--queue', redis.url, '--server', 'http://127.0.0.1:1', '--concurrency', '0'],
        /--concurrency must be a whole number from 1 to 64, got 0/,
      ],
      [
        ['worker', '--queue', redis.url, '--server', 'ftp://x'],
        /--server must be the server's http/,
      ],
      [
        ['worker', '--queue', redis.url, '--server', 'http://127.0.0.1:1', '--id', 'w'],
        /cannot reach the server at http:\/\/127.0.0.1:1/,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, output } = await runCli(args);
      expect(code).toBe(1);
      expect(output).toMatch(message);
    }
  }, 60_000);

  test('after a server restart, the calls its previous run left in Redis are removed and the job runs again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'viwo-qrestart-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const events = observeQueue(redis.url, 'diffusers');
    cleanups.push(() => events.close());
    await events.waitUntilReady();
    const first = await server(redis.url, { dataDir });
    const rpc = await TestRpcClient.connect(first.wsUrl);
    const queued = nextEvent(events, 'waiting');
    rpc.send({ jsonrpc: '2.0', id: 1, method: 'execute_script', params: { script: generate({}) } });
    await queued; // no worker runs on this Redis yet: the call waits there
    await first.child.stop('SIGKILL');
    // The interrupted job runs again: one new call waits, for the job's rerun, not the old one.
    const rerunQueued = nextEvent(events, 'waiting');
    const second = await server(redis.url, { dataDir });
    expect(second.child.output()).toContain('removed 1 call(s) left over from a previous run');
    await rerunQueued;
    await second.child.until(/queued 1 job\(s\) interrupted by the last stop to run again/);
    const state = (await (await fetch(`${second.url}/health`)).json()) as {
      queue: { waiting: number; connected: boolean };
    };
    expect(state.queue).toMatchObject({ waiting: 1, connected: true });
    await second.child.stop();
  }, 60_000);

  test("fairness: one session's batch does not starve another session's call", async () => {
    const host = await server(redis.url);
    const events = observeQueue(redis.url, 'diffusers');
    cleanups.push(() => events.close());
    await events.waitUntilReady();
    const added: string[] = [];
    const finished: string[] = [];
    let allDone!: () => void;
    const fourDone = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    events.on('waiting', ({ jobId }) => added.push(jobId));
    events.on('completed', ({ jobId }) => {
      finished.push(jobId);
      if (finished.length === 4) allDone();
    });
    const batch = await TestRpcClient.connect(host.wsUrl);
    const other = await TestRpcClient.connect(host.wsUrl);
    const replies: Promise<Record<string, unknown>>[] = [];
    for (const seed of [1, 2, 3]) {
      const queued = nextEvent(events, 'waiting');
      replies.push(batch.request('execute_script', { script: generate({ seed, steps: 2 }) }));
      await queued;
    }
    const queued = nextEvent(events, 'waiting');
    replies.push(other.request('execute_script', { script: generate({ seed: 4, steps: 2 }) }));
    await queued;
    const runner = await worker(redis.url, host.url, 'fair');
    for (const reply of await Promise.all(replies)) expect(reply.error).toBeUndefined();
    await fourDone;
    // The batch's first call was first in line; the other session's call goes next, ahead of the
    // batch's second and third.
    expect(finished).toEqual([0, 3, 1, 2].map((index) => added[index]!));
    batch.close();
    other.close();
    await runner.stop();
    await host.child.stop();
  }, 120_000);

  test('a worker killed mid-call: another worker reruns it, the client gets one result', async () => {
    const host = await server(redis.url);
    const first = await worker(redis.url, host.url, 'doomed');
    const rpc = await TestRpcClient.connect(host.wsUrl);
    const script = generate({ seed: 21, steps: 40, width: 96, height: 96 });
    const answer = rpc.request('execute_script', { script });
    const progress = await rpc.waitFor((message) => message.method === 'job.progress');
    const jobId = (progress.params as { job_id: string }).job_id;
    expect((await rpc.call<{ workers: string[] }>('job.get', { job_id: jobId })).workers).toEqual([
      'doomed',
    ]);
    await first.stop('SIGKILL');
    const rescuer = await worker(redis.url, host.url, 'rescuer');
    const reply = await answer;
    expect(reply.error).toBeUndefined();
    const local = await reference.openSession('ref').executeScript(script);
    expect((reply.result as { result: unknown }).result).toEqual(local.result);
    expect(rpc.messages.filter((message) => message.id === reply.id)).toHaveLength(1);
    const job = await rpc.call<{ workers: string[] }>('job.get', { job_id: jobId });
    expect(job.workers).toEqual(['doomed', 'rescuer']);
    rpc.close();
    // Workers serve whichever server shares their Redis: stop this one with its server.
    await rescuer.stop();
    await host.child.stop();
  }, 60_000);

  test('Redis restarted: the running call fails cleanly, nothing crashes, later calls work', async () => {
    const host = await server(redis.url);
    const busy = await worker(redis.url, host.url, 'survivor');
    const rpc = await TestRpcClient.connect(host.wsUrl);
    const answer = rpc.request('execute_script', {
      script: generate({ seed: 4, steps: 60, width: 96, height: 96 }),
    });
    await rpc.waitFor((message) => message.method === 'job.progress');
    await redis.kill();
    const reply = await answer;
    expect((reply.error as { data: { code: string; message: string } }).data).toMatchObject({
      code: 'PluginError',
    });
    expect((reply.error as { message: string }).message).toContain(
      'lost the connection to the queue',
    );
    const whileDown = await rpc.request('execute_script', {
      script: generate({ seed: 6, steps: 2, width: 64, height: 64 }),
    });
    expect((whileDown.error as { message: string }).message).toMatch(
      /the queue \(redis:\/\/127\.0\.0\.1:\d+\) is unreachable; the call was not sent/,
    );
    await redis.restart();
    await host.child.until(/queue: reconnected/);
    const next = await rpc.call<{ result: { width: number } }>('execute_script', {
      script: generate({ seed: 5, steps: 2, width: 64, height: 64 }),
    });
    expect(next.result.width).toBe(64);
    expect(host.child.process.exitCode).toBeNull();
    expect(busy.process.exitCode).toBeNull();
    rpc.close();
    await busy.stop();
    await host.child.stop();
  }, 150_000);

  test('an oversized result is refused with a clear error', async () => {
    const small = await startRedis();
    cleanups.push(() => small.stop());
    const host = await server(small.url, { env: { VIWO_MAX_UPLOAD_BYTES: '2000' } });
    await worker(small.url, host.url, 'big-output');
    const rpc = await TestRpcClient.connect(host.wsUrl);
    const reply = await rpc.request('execute_script', {
      script: generate({ seed: 1, steps: 2, width: 128, height: 128 }),
    });
    expect((reply.error as { data: { code: string } }).data.code).toBe('InvalidArgument');
    expect((reply.error as { message: string }).message).toContain(
      'larger than the server accepts',
    );
    rpc.close();
    await host.child.stop();
  }, 60_000);
});
