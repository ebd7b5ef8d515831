import { randomBytes, randomUUID } from 'node:crypto';
import type {
  ImageValue,
  RemoteCall,
  RemoteCallContext,
  RemoteCallDispatcher,
  RemoteCallTarget,
} from '@viwo/core';
import { coreError } from '@viwo/core';
import { ScriptError } from '@viwo/script';
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { decodeFailure } from './call-failure.ts';
import {
  CANCEL_CHANNEL,
  cancelKey,
  HEARTBEAT_FORGET_MS,
  QUEUE_PREFIX,
  type QueueUrl,
  queueNameFor,
  type RemoteJobData,
  type RemoteJobResult,
  WORKERS_KEY,
  type WorkerEvent,
  type WorkerHeartbeat,
} from './queue-settings.ts';
import { bullConnection, connectRedis } from './redis-connection.ts';

/** Plugins whose calls never leave the server (the Runware API key stays here; refine is cheap). */
const SERVER_ONLY_PLUGINS = new Set(['runware', 'refine']);

/**
 * Which calls queue mode sends to workers: device work (costed, or declared `device`) of plugins
 * that may leave the server. Cheap calls (metadata, canvas, interpret) stay in-process.
 */
export function runsOnWorkers(target: RemoteCallTarget): boolean {
  return (
    (target.costed || target.device) &&
    target.plugin !== '' &&
    !SERVER_ONLY_PLUGINS.has(target.plugin)
  );
}

interface PendingCall {
  id: string;
  sessionId: string;
  context: RemoteCallContext;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Workers that declined, so each decline is logged once. */
  declined: Set<string>;
  /** The worker running the call now (named in progress for the client's queue panel). */
  worker?: string;
}

/** What `/health` shows about queue mode (no credentials). */
export interface QueueHealth {
  queue: { url: string; connected: boolean; waiting: number; active: number };
  workers: (WorkerHeartbeat & { stale: boolean })[];
}

/**
 * Queue mode's server side: every costed call of a plugin that may leave the server becomes a
 * BullMQ job on the plugin's queue; progress, logs and the result come back through that queue's
 * events. Sessions with fewer calls outstanding get a better priority, so one session's batch
 * cannot starve another's interactive call.
 *
 * Invariants: a call settles exactly once (result, failure, cancel, or Redis lost); nothing a
 * Redis outage does throws out of an event handler.
 */
export class QueueDispatcher implements RemoteCallDispatcher {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();
  private readonly pending = new Map<string, PendingCall>();
  private readonly boot = randomBytes(8).toString('hex');
  private connected = true;
  private closed = false;

  private constructor(
    private readonly url: QueueUrl,
    private readonly serverId: string,
    private readonly redis: Redis,
    private readonly log: (message: string) => void,
  ) {
    redis.on('close', () => this.lost());
    redis.on('ready', () => {
      if (!this.connected) this.log(`queue: reconnected to ${url.display}`);
      this.connected = true;
    });
  }

  /**
   * Connects (failing with a clear error when Redis does not answer) and prepares the queues of
   * `plugins`; `serverId` is stable across restarts of this server (its data dir).
   */
  static async connect(
    url: QueueUrl,
    serverId: string,
    log: (message: string) => void,
  ): Promise<QueueDispatcher> {
    const redis = await connectRedis(url, 'queue mode');
    return new QueueDispatcher(url, serverId, redis, log);
  }

  accepts(target: RemoteCallTarget): boolean {
    return runsOnWorkers(target);
  }

  /**
   * Opens the queues of the given plugins and removes calls a previous run of this server left
   * behind (waiting ones are deleted; running ones are told to stop): nobody waits for them.
   */
  async attach(plugins: readonly string[]): Promise<{ removed: number }> {
    let removed = 0;
    for (const plugin of plugins) {
      if (SERVER_ONLY_PLUGINS.has(plugin)) continue;
      const { queue } = await this.queueFor(plugin);
      const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
      for (const job of jobs) {
        const data = job.data as Partial<RemoteJobData>;
        if (data.server !== this.serverId || data.boot === this.boot) continue;
        removed++;
        if (await job.isActive()) await this.signalCancel(String(job.id));
        else await job.remove().catch(() => this.signalCancel(String(job.id)));
      }
    }
    return { removed };
  }

  async run(call: RemoteCall, context: RemoteCallContext): Promise<unknown> {
    if (this.closed || !this.connected) {
      throw coreError(
        'PluginError',
        `${call.type}.${call.method}: the queue (${this.url.display}) is unreachable; the call was not sent`,
      );
    }
    const { queue } = await this.queueFor(call.plugin);
    const id = randomUUID();
    const load = [...this.pending.values()].filter((p) => p.sessionId === call.sessionId).length;
    const data: RemoteJobData = {
      type: call.type,
      method: call.method,
      args: call.args,
      restrictions: { ...call.restrictions },
      server: this.serverId,
      boot: this.boot,
      job: call.jobId,
    };
    const result = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, {
        id,
        sessionId: call.sessionId,
        context,
        resolve,
        reject,
        declined: new Set(),
      });
    });
    const onAbort = () => this.cancel(id, context.signal.reason);
    context.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await queue.add(`${call.type}.${call.method}`, data, {
        jobId: id,
        // Lower runs first; a session's n-th outstanding call waits behind others' first ones.
        priority: Math.min(1 + load, 2_000_000),
        attempts: 1,
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 100 },
      });
      if (context.signal.aborted) onAbort();
      return await result;
    } catch (error) {
      this.pending.delete(id);
      if (error instanceof ScriptError) throw error;
      throw coreError(
        'PluginError',
        `${call.type}.${call.method}: could not queue the call on ${this.url.display}: ${messageOf(error)}`,
      );
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Queue and worker state for `/health`. */
  async health(): Promise<QueueHealth> {
    let waiting = 0;
    let active = 0;
    const workers: QueueHealth['workers'] = [];
    if (this.connected) {
      try {
        for (const { queue } of this.queues.values()) {
          const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
          waiting += (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
          active += counts.active ?? 0;
        }
        const now = Date.now();
        for (const [id, raw] of Object.entries(await this.redis.hgetall(WORKERS_KEY))) {
          const beat = parseHeartbeat(raw);
          if (!beat || now - beat.last_seen > HEARTBEAT_FORGET_MS) {
            await this.redis.hdel(WORKERS_KEY, id);
            continue;
          }
          workers.push({ ...beat, stale: now - beat.last_seen > 3 * 2000 });
        }
      } catch (error) {
        this.log(`queue: health query failed: ${messageOf(error)}`);
      }
    }
    return {
      queue: { url: this.url.display, connected: this.connected, waiting, active },
      workers,
    };
  }

  /** Fails what is outstanding, closes queues and connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll('the server is shutting down');
    for (const { queue, events } of this.queues.values()) {
      await Promise.allSettled([events.close(), queue.close()]);
    }
    this.redis.disconnect();
  }

  private async queueFor(plugin: string): Promise<{ queue: Queue; events: QueueEvents }> {
    const name = queueNameFor(plugin);
    let entry = this.queues.get(name);
    if (!entry) {
      // The queue shares the dispatcher's own client, so "reconnected" (its 'ready') also means
      // jobs can be added again; only the event reader needs a (blocking) connection of its own.
      const queue = new Queue(name, { connection: this.redis, prefix: QUEUE_PREFIX });
      const events = new QueueEvents(name, {
        connection: bullConnection(this.url, true),
        prefix: QUEUE_PREFIX,
      });
      // BullMQ reports Redis trouble as 'error' events; unhandled, they would end the process.
      // Connection loss itself is handled through the dispatcher's own client ('close').
      queue.on('error', (error) => this.noteError(error));
      events.on('error', (error) => this.noteError(error));
      events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data));
      events.on('completed', ({ jobId, returnvalue }) => this.onCompleted(jobId, returnvalue));
      events.on('failed', ({ jobId, failedReason }) => this.onFailed(jobId, failedReason));
      entry = { queue, events };
      this.queues.set(name, entry);
      // Reading events must have started before the first job is added, or a fast worker's
      // completion could go unseen.
      await events.waitUntilReady();
    }
    return entry;
  }

  private onProgress(jobId: string, data: unknown): void {
    const call = this.pending.get(jobId);
    if (!call || typeof data !== 'object' || data === null) return;
    const event = data as WorkerEvent;
    const { context } = call;
    switch (event.kind) {
      case 'start':
        call.worker = String(event.worker);
        context.recordWorker(call.worker);
        break;
      case 'progress': {
        const report: Parameters<RemoteCallContext['progress']>[0] = {
          label: String(event.label),
          step: Number(event.step),
          total: Number(event.total),
        };
        if (event.preview) report.preview = event.preview as ImageValue;
        if (call.worker) report.worker = call.worker;
        context.progress(report);
        break;
      }
      case 'log':
        context.log(event.level, String(event.message));
        break;
      case 'decline':
        if (!call.declined.has(event.worker)) {
          call.declined.add(event.worker);
          context.log('warn', `worker ${event.worker} declined the call: ${event.reason}`);
        }
        break;
    }
  }

  private onCompleted(jobId: string, returnvalue: unknown): void {
    const call = this.pending.get(jobId);
    if (!call) return;
    this.pending.delete(jobId);
    const result = returnvalue as Partial<RemoteJobResult> | null;
    if (!result || typeof result !== 'object' || !('value' in result)) {
      call.reject(coreError('PluginError', 'a worker returned a malformed result'));
      return;
    }
    if (Array.isArray(result.images)) call.context.adoptImages(result.images);
    call.resolve(result.value);
  }

  private onFailed(jobId: string, failedReason: string): void {
    const call = this.pending.get(jobId);
    if (!call) return;
    this.pending.delete(jobId);
    call.reject(decodeFailure(failedReason));
  }

  /** Stops a call: removed if still waiting, otherwise its worker is told to abort. */
  private cancel(id: string, reason: unknown): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    call.reject(
      reason instanceof ScriptError ? reason : coreError('Cancelled', 'the call was cancelled'),
    );
    void (async () => {
      for (const { queue } of this.queues.values()) {
        const job: Job | undefined = await queue.getJob(id);
        if (!job) continue;
        await job.remove().catch(() => this.signalCancel(id));
        return;
      }
    })().catch(() => {
      // Redis is gone; the job (if it survives) is cleaned up by the next attach.
    });
  }

  private async signalCancel(id: string): Promise<void> {
    await this.redis.set(cancelKey(id), '1', 'EX', 3600);
    await this.redis.publish(CANCEL_CHANNEL, id);
  }

  private lastErrorLog = 0;

  /** Logs BullMQ's Redis errors at most every 10 s (a Redis outage repeats them constantly). */
  private noteError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.log(`queue: ${messageOf(error)}`);
  }

  private lost(): void {
    if (this.closed) return;
    if (this.connected) this.log(`queue: lost the connection to ${this.url.display}`);
    this.connected = false;
    this.failAll(`lost the connection to the queue (${this.url.display})`);
  }

  private failAll(reason: string): void {
    for (const call of [...this.pending.values()]) {
      this.pending.delete(call.id);
      call.reject(coreError('PluginError', `${reason}; the call was abandoned`));
    }
  }
}

function parseHeartbeat(raw: string): WorkerHeartbeat | undefined {
  try {
    const beat = JSON.parse(raw) as WorkerHeartbeat;
    return typeof beat.id === 'string' && typeof beat.last_seen === 'number' ? beat : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
