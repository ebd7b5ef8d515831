import type { ImageValue, Runtime } from '@viwo/core';
import { coreError, isImageValue, validateArguments } from '@viwo/core';
import { DelayedError, type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { encodeFailure } from './call-failure.ts';
import {
  CANCEL_CHANNEL,
  cancelKey,
  HEARTBEAT_MS,
  MAX_RESULT_JSON_BYTES,
  QUEUE_PREFIX,
  type QueueUrl,
  queueNameFor,
  type RemoteJobData,
  type RemoteJobResult,
  WORKERS_KEY,
  type WorkerEvent,
  type WorkerHeartbeat,
} from './queue-settings.ts';
import { bullConnection, connectRedis, resilientOptions } from './redis-connection.ts';
import type { ServerImages } from './server-images.ts';

/** Options of {@link QueueWorker.start}. */
export interface QueueWorkerOptions {
  id: string;
  url: QueueUrl;
  runtime: Runtime;
  images: ServerImages;
  /** Plugins whose queues this worker serves (those that loaded). */
  plugins: string[];
  concurrency: number;
  lockMs: number;
  stalledMs: number;
  log(message: string): void;
}

/** How long a declined call waits before it is offered again (to any worker). */
const DECLINE_DELAY_MS = 300;

/**
 * A queue worker: takes calls from its plugins' queues, runs each through its own runtime (the
 * same validation and code path as in-process), and hands progress, logs and the result back.
 *
 * Invariant: a call this worker cannot serve as asked (capability or model missing here) is put
 * back for another worker, never run differently.
 */
export class QueueWorker {
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, AbortController>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly options: QueueWorkerOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
  ) {}

  /** Connects (a clear error when Redis is down) and starts taking calls. */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const redis = await connectRedis(options.url, `worker ${options.id}`);
    // Its own connection: a subscribed client can run no other commands. ioredis re-subscribes
    // after a reconnect.
    const subscriber = new Redis(resilientOptions(options.url, true));
    subscriber.on('error', () => {});
    redis.on('error', () => {});
    const worker = new QueueWorker(options, redis, subscriber);
    await subscriber.subscribe(CANCEL_CHANNEL);
    subscriber.on('message', (_channel, jobId: string) => worker.running.get(jobId)?.abort());
    for (const plugin of options.plugins) worker.listen(plugin);
    await worker.beat();
    worker.heartbeat = setInterval(() => void worker.beat(), HEARTBEAT_MS);
    return worker;
  }

  /** Stops taking calls, lets running ones finish (or abort with `force`), disconnects. */
  async stop(force = false): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (force) for (const controller of this.running.values()) controller.abort();
    await Promise.allSettled(this.workers.map((worker) => worker.close(force)));
    await this.redis.hdel(WORKERS_KEY, this.options.id).catch(() => 0);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  private listen(plugin: string): void {
    const { lockMs, stalledMs, concurrency } = this.options;
    const worker = new Worker(
      queueNameFor(plugin),
      (job: Job<RemoteJobData>, token?: string, signal?: AbortSignal) =>
        this.process(job, token, signal),
      {
        connection: bullConnection(this.options.url, true),
        prefix: QUEUE_PREFIX,
        concurrency,
        lockDuration: lockMs,
        stalledInterval: stalledMs,
        // A call whose workers keep dying is given up after a few hand-overs, not retried forever.
        maxStalledCount: 5,
        name: this.options.id,
      },
    );
    let lastLog = 0;
    worker.on('error', (error) => {
      if (Date.now() - lastLog < 10_000) return;
      lastLog = Date.now();
      this.options.log(`worker: ${error.message}`);
    });
    this.workers.push(worker);
  }

  private async beat(): Promise<void> {
    const providers: Record<string, string> = {};
    for (const plugin of this.options.runtime.health().plugins) {
      if (plugin.execution_provider) providers[plugin.name] = plugin.execution_provider;
    }
    const beat: WorkerHeartbeat = {
      id: this.options.id,
      capabilities: this.options.plugins,
      concurrency: this.options.concurrency,
      running: this.running.size,
      execution_providers: providers,
      last_seen: Date.now(),
    };
    await this.redis.hset(WORKERS_KEY, this.options.id, JSON.stringify(beat)).catch(() => 0);
  }

  private async process(
    job: Job<RemoteJobData>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RemoteJobResult> {
    const id = String(job.id);
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.running.set(id, controller);
    const { runtime, images } = this.options;
    const data = job.data;
    try {
      if (await this.redis.exists(cancelKey(id))) {
        throw coreError('Cancelled', 'the call was cancelled before it started');
      }
      for (const hash of imageHashes(data.args)) await images.fetchInto(runtime.images, hash);
      const decline = await this.declineReason(data);
      if (decline) {
        await this.report(job, { kind: 'decline', worker: this.options.id, reason: decline });
        await job.moveToDelayed(Date.now() + DECLINE_DELAY_MS, token);
        throw new DelayedError();
      }
      await this.report(job, { kind: 'start', worker: this.options.id });
      const value = await this.runCall(job, controller);
      const produced: ImageValue[] = [];
      collectImages(value, produced, new Set());
      for (const image of produced) await images.upload(runtime.images, image);
      const result: RemoteJobResult = { value, images: produced };
      const size = JSON.stringify(result).length;
      if (size > MAX_RESULT_JSON_BYTES) {
        throw coreError(
          'InvalidArgument',
          `${data.type}.${data.method} returned ${size} bytes of JSON, over the queue's limit of ${MAX_RESULT_JSON_BYTES}`,
        );
      }
      return result;
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      const failure = controller.signal.aborted
        ? coreError('Cancelled', 'the call was cancelled')
        : error;
      throw new Error(encodeFailure(failure));
    } finally {
      this.running.delete(id);
    }
  }

  /** Runs the call through a fresh session of this worker's runtime, forwarding its notifications. */
  private async runCall(job: Job<RemoteJobData>, controller: AbortController): Promise<unknown> {
    const { runtime, images } = this.options;
    const data = job.data;
    const { signal } = controller;
    // Besides the pub/sub message, the cancel mark is checked as progress arrives (at most every
    // 250 ms), so a cancel published while this worker's subscriber was reconnecting still lands.
    let lastCheck = performance.now();
    const checkCancelled = async () => {
      if (performance.now() - lastCheck < 250) return;
      lastCheck = performance.now();
      if (await this.redis.exists(cancelKey(String(job.id)))) controller.abort();
    };
    const session = runtime.openSession({ id: `worker:${this.options.id}`, local: true });
    // Notifications are forwarded strictly in order; previews are on the server before their event.
    let forwarding: Promise<void> = Promise.resolve();
    // Progress reports waiting to be forwarded: when newer ones are already queued behind a
    // report, its preview is not uploaded (every step is still reported; only stale previews,
    // each an HTTP upload, are skipped so a fast device is not held back by them).
    let queuedProgress = 0;
    session.setNotifier((method, params) => {
      if (method === 'job.progress') queuedProgress++;
      forwarding = forwarding.then(async () => {
        if (method === 'job.progress') queuedProgress--;
        await checkCancelled();
        if (method === 'job.log') {
          const level = params.level as 'info' | 'warn' | 'error';
          await this.report(job, { kind: 'log', level, message: String(params.message) });
        } else if (method === 'job.progress') {
          const event: WorkerEvent = {
            kind: 'progress',
            label: String(params.label),
            step: Number(params.step),
            total: Number(params.total),
          };
          if (isImageValue(params.preview) && queuedProgress === 0) {
            await images.upload(runtime.images, params.preview);
            event.preview = params.preview;
          }
          await this.report(job, event);
        }
      });
      forwarding = forwarding.catch((error) =>
        this.options.log(`worker: a progress report was lost: ${String(error)}`),
      );
    });
    try {
      const restrictions = Object.keys(data.restrictions ?? {}).length > 0 ? data.restrictions : {};
      const handle = session.getCapability(data.type, restrictions);
      const value = await session.callMethod(handle, data.method, data.args, { signal });
      await forwarding;
      return value;
    } finally {
      session.close();
    }
  }

  /** Why this worker cannot run the call as the server validated it, or undefined if it can. */
  private async declineReason(data: RemoteJobData): Promise<string | undefined> {
    const { runtime } = this.options;
    const capability = runtime.capabilityMetadata().find((entry) => entry.type === data.type);
    if (!capability) return `it has no ${data.type} capability`;
    const method = capability.methods.find((entry) => entry.name === data.method);
    if (!method) return `its ${data.type} has no method ${data.method}`;
    try {
      await validateArguments(method.params, data.args, {
        where: `${data.type}.${data.method}`,
        images: runtime.images,
      });
      return undefined;
    } catch (error) {
      // The server accepted these arguments, so a refusal here means this worker differs from
      // the server (another model set), not that the call is wrong.
      return error instanceof Error ? error.message : String(error);
    }
  }

  private async report(job: Job<RemoteJobData>, event: WorkerEvent): Promise<void> {
    await job.updateProgress(event);
  }
}

/** Hashes of every image value inside call arguments (inputs the worker must fetch). */
function imageHashes(args: unknown): Set<string> {
  const found: ImageValue[] = [];
  collectImages(args, found, new Set());
  return new Set(found.map((image) => image.$image));
}

function collectImages(value: unknown, into: ImageValue[], seen: Set<string>): void {
  if (isImageValue(value)) {
    if (!seen.has(value.$image)) {
      seen.add(value.$image);
      into.push({ $image: value.$image, width: value.width, height: value.height });
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectImages(item, into, seen);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectImages(item, into, seen);
  }
}
