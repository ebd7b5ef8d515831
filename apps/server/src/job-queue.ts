/**
 * The server-side generation queue: clients submit scripts, the queue runs them one at a time in
 * order (pausable, reorderable), and its state lives in `<dataDir>/queue.json`, so it survives a
 * restart. Items that were queued or running when the server stopped run again on start — our
 * jobs are deterministic scripts, so a rerun gives the same bytes — and are marked `rerun`.
 * Every change is announced as a `queue.changed` notification to the submitting principal's
 * connections; the jobs' own `job.progress`/`job.done` notifications are forwarded to them too.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal, Runtime, Session } from '@viwo/core';

/** Where an item is in its life. */
export type QueueStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';

/** One queued script with what the UI shows about it. */
export interface QueueItem {
  id: string;
  principal: Principal;
  script: unknown;
  /** What it is, for the panel: mode, prompt, model, size, seed, batch (client-supplied). */
  meta: Record<string, unknown>;
  status: QueueStatus;
  created: number;
  started: number | null;
  finished: number | null;
  job_id: string | null;
  progress: { label: string; step: number; total: number; fraction: number } | null;
  result: unknown;
  images: unknown[];
  error: string | null;
  /** True when the server restarted while this item was queued or running, and it ran again. */
  rerun: boolean;
}

/** The queue as clients see it. */
export interface QueueState {
  paused: boolean;
  items: Omit<QueueItem, 'principal'>[];
}

/** Sends a notification to every connection of a principal. */
export type PrincipalNotifier = (
  principalId: string,
  method: string,
  params: Record<string, unknown>,
) => void;

/** Finished items kept for the panel (older ones are dropped first). */
const FINISHED_LIMIT = 100;

/** The queue; one per server. */
export class JobQueue {
  private items: QueueItem[] = [];
  /** Principals as submitted (with their quota ledgers), while this process runs. */
  private readonly live = new Map<string, Principal>();
  private paused = false;
  private running: { item: QueueItem; session: Session } | undefined;
  private stopped = false;
  private readonly file: string;

  constructor(
    private readonly runtime: Runtime,
    private readonly notify: PrincipalNotifier,
  ) {
    this.file = join(runtime.dataDir, 'queue.json');
    this.load();
    queueMicrotask(() => this.pump());
  }

  /** The queue as one principal sees it (their own items). */
  state(principalId: string): QueueState {
    return {
      paused: this.paused,
      items: this.items
        .filter((item) => item.principal.id === principalId)
        .map(({ principal: _principal, ...visible }) => visible),
    };
  }

  /** Adds a script at the end of the queue. */
  submit(principal: Principal, script: unknown, meta: Record<string, unknown>): QueueItem {
    const live = principal;
    const item: QueueItem = {
      id: randomUUID(),
      // Who it runs for (user included), as plain data: it is saved in queue.json for reruns.
      principal: {
        id: principal.id,
        ...(principal.local ? { local: true } : {}),
        ...(principal.name ? { name: principal.name } : {}),
        ...(principal.user ? { user: principal.user } : {}),
      },
      script,
      meta,
      status: 'queued',
      created: Date.now(),
      started: null,
      finished: null,
      job_id: null,
      progress: null,
      result: null,
      images: [],
      error: null,
      rerun: false,
    };
    this.items.push(item);
    this.live.set(item.id, live);
    this.changed(item.principal.id);
    this.pump();
    return item;
  }

  /** Stops or restarts taking new items (the running one finishes). */
  setPaused(principalId: string, paused: boolean): void {
    this.paused = paused;
    this.changed(principalId);
    this.pump();
  }

  /** Moves a queued item to `index` among the principal's queued items. */
  move(principalId: string, id: string, index: number): void {
    const item = this.find(principalId, id);
    if (item.status !== 'queued') throw new Error(`queue item ${id} is ${item.status}, not queued`);
    const queued = this.items.filter(
      (other) => other.status === 'queued' && other.principal.id === principalId && other !== item,
    );
    const clamped = Math.max(0, Math.min(queued.length, Math.trunc(index)));
    const rest = this.items.filter((other) => other !== item);
    const anchor = queued[clamped];
    rest.splice(anchor ? rest.indexOf(anchor) : rest.length, 0, item);
    this.items = rest;
    this.changed(principalId);
  }

  /** Cancels a queued item, or the running job of a running one. */
  cancel(principalId: string, id: string): void {
    const item = this.find(principalId, id);
    if (item.status === 'queued') {
      item.status = 'cancelled';
      item.finished = Date.now();
      this.changed(principalId);
    } else if (item.status === 'running' && this.running?.item === item && item.job_id) {
      this.running.session.cancelJob(item.job_id);
    }
  }

  /** Queues a finished item's script again as a new item. */
  retry(principal: Principal, id: string): QueueItem {
    const item = this.find(principal.id, id);
    return this.submit(principal, item.script, item.meta);
  }

  /** Drops the principal's finished items. */
  clearFinished(principalId: string): void {
    this.items = this.items.filter(
      (item) => item.principal.id !== principalId || !this.finished(item),
    );
    this.changed(principalId);
  }

  /** Stops taking items (the server is shutting down); state stays on disk for the next start. */
  stop(): void {
    this.stopped = true;
  }

  private find(principalId: string, id: unknown): QueueItem {
    const item = this.items.find(
      (candidate) => candidate.id === id && candidate.principal.id === principalId,
    );
    // Another principal's item answers like an unknown one.
    if (!item) throw new Error(`no queue item ${String(id)}`);
    return item;
  }

  private finished(item: QueueItem): boolean {
    return item.status !== 'queued' && item.status !== 'running';
  }

  private pump(): void {
    if (this.stopped || this.paused || this.running) return;
    const next = this.items.find((item) => item.status === 'queued');
    if (!next) return;
    void this.run(next);
  }

  private async run(item: QueueItem): Promise<void> {
    // The live principal of a connected socket carries its quota ledger; a rerun after a restart
    // has only the saved data.
    const session = this.runtime.openSession(this.live.get(item.id) ?? item.principal);
    this.running = { item, session };
    item.status = 'running';
    item.started = Date.now();
    item.progress = null;
    session.setNotifier((method, params) => {
      if (method === 'job.progress') {
        item.job_id = String(params.job_id);
        item.progress = {
          label: String(params.label ?? ''),
          step: Number(params.step ?? 0),
          total: Number(params.total ?? 0),
          fraction: Number(params.fraction ?? 0),
        };
      }
      this.notify(item.principal.id, method, { ...params, queue_id: item.id });
    });
    this.changed(item.principal.id);
    try {
      const outcome = await session.executeScript(item.script);
      item.status = 'done';
      item.job_id = outcome.job_id;
      item.result = outcome.result;
      item.images = outcome.images;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      item.status = code === 'Cancelled' ? 'cancelled' : 'error';
      item.error = error instanceof Error ? error.message : String(error);
    } finally {
      // `job.done` follows the result on a macrotask: close the session only after it went out.
      setTimeout(() => session.close(), 0);
      item.finished = Date.now();
      this.running = undefined;
      this.live.delete(item.id);
    }
    if (this.stopped) return;
    this.trim();
    this.changed(item.principal.id);
    this.pump();
  }

  private trim(): void {
    const finished = this.items.filter((item) => this.finished(item));
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - FINISHED_LIMIT)));
    if (drop.size > 0) this.items = this.items.filter((item) => !drop.has(item));
  }

  private changed(principalId: string): void {
    this.save();
    this.notify(
      principalId,
      'queue.changed',
      this.state(principalId) as unknown as Record<string, unknown>,
    );
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as {
        paused?: unknown;
        items?: QueueItem[];
      };
      this.paused = saved.paused === true;
      this.items = Array.isArray(saved.items) ? saved.items : [];
    } catch {
      // A corrupt queue file must not stop the server: start with an empty queue.
      this.items = [];
    }
    for (const item of this.items) {
      if (item.status === 'running' || item.status === 'queued') {
        if (item.status === 'running') item.rerun = true;
        item.status = 'queued';
        item.progress = null;
        item.job_id = null;
      }
    }
  }

  private save(): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ paused: this.paused, items: this.items }));
    renameSync(temp, this.file);
  }
}
