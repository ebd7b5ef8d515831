/**
 * The server-side generation queue: clients submit scripts, the queue runs them one at a time in
 * order (pausable, reorderable), and its state lives in `<dataDir>/queue.json`, so it survives a
 * restart. Items that were queued or running when the server stopped run again on start — our
 * jobs are deterministic scripts, so a rerun gives the same bytes — and are marked `rerun`.
 *
 * Who sees what: a principal sees the items it queued; with users, an admin sees (and may move,
 * cancel, retry and clear) every user's items, each labelled with its owner's name. To anyone
 * else another principal's item answers exactly like a missing one. Every change is announced
 * as a `queue.changed` notification, each connection getting its own principal's view, and only
 * connections that can see a changed item hear of it. The jobs' own `job.progress`/`job.done`
 * notifications go to the owner's connections only (they would drive an admin's own job views).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal, Runtime, Session } from '@viwo/core';
import type { QueueState, QueueItem as WireQueueItem } from '@viwo/protocol';

export type { QueueState, QueueStatus } from '@viwo/protocol';

/** One queued script as the server keeps it: the wire item plus who it runs for. */
export interface QueueItem extends Omit<WireQueueItem, 'owner'> {
  principal: Principal;
}

/**
 * Sends a notification to every connection whose principal `paramsFor` answers params for
 * (undefined: that connection does not hear of it).
 */
export type QueueBroadcast = (
  method: string,
  paramsFor: (principal: Principal) => Record<string, unknown> | undefined,
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
    private readonly broadcast: QueueBroadcast,
  ) {
    this.file = join(runtime.dataDir, 'queue.json');
    this.load();
    queueMicrotask(() => this.pump());
  }

  /** The queue as `viewer` sees it: its own items, or every item for an admin. */
  state(viewer: Principal): QueueState {
    return {
      paused: this.paused,
      items: this.items.filter((item) => canSee(viewer, item)).map(toWire),
    };
  }

  /** Adds a script at the end of the queue (`rerun`: a job interrupted by the last stop). */
  submit(
    principal: Principal,
    script: unknown,
    meta: Record<string, unknown>,
    options: { rerun?: boolean } = {},
  ): QueueItem {
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
      rerun: options.rerun === true,
    };
    this.items.push(item);
    this.live.set(item.id, live);
    this.changed([item]);
    this.pump();
    return item;
  }

  /** Stops or restarts taking new items (the running one finishes); everyone hears of it. */
  setPaused(viewer: Principal, paused: boolean): void {
    this.paused = paused;
    this.changed('everyone', viewer);
    this.pump();
  }

  /** Moves a queued item to `index` among the queued items `viewer` sees. */
  move(viewer: Principal, id: string, index: number): void {
    const item = this.find(viewer, id);
    if (item.status !== 'queued') throw new Error(`queue item ${id} is ${item.status}, not queued`);
    const queued = this.items.filter(
      (other) => other.status === 'queued' && canSee(viewer, other) && other !== item,
    );
    const clamped = Math.max(0, Math.min(queued.length, Math.trunc(index)));
    const rest = this.items.filter((other) => other !== item);
    const anchor = queued[clamped];
    rest.splice(anchor ? rest.indexOf(anchor) : rest.length, 0, item);
    this.items = rest;
    this.changed([item], viewer);
  }

  /** Cancels a queued item, or the running job of a running one. */
  cancel(viewer: Principal, id: string): void {
    const item = this.find(viewer, id);
    if (item.status === 'queued') {
      item.status = 'cancelled';
      item.finished = Date.now();
      this.changed([item], viewer);
    } else if (item.status === 'running' && this.running?.item === item && item.job_id) {
      this.running.session.cancelJob(item.job_id);
    }
  }

  /**
   * Queues an item's script again as a new item of the same owner (an admin retrying another
   * user's item queues it for that user: their quota, their history).
   */
  retry(viewer: Principal, id: string): QueueItem {
    const item = this.find(viewer, id);
    const owner = item.principal.id === viewer.id ? viewer : this.ownerOf(item);
    return this.submit(owner, item.script, item.meta);
  }

  /** Drops the finished items `viewer` sees (an admin: everyone's). */
  clearFinished(viewer: Principal): void {
    const dropped = this.items.filter((item) => canSee(viewer, item) && this.finished(item));
    this.items = this.items.filter((item) => !dropped.includes(item));
    this.changed(dropped, viewer);
  }

  /** Stops taking items (the server is shutting down); state stays on disk for the next start. */
  stop(): void {
    this.stopped = true;
  }

  private find(viewer: Principal, id: unknown): QueueItem {
    const item = this.items.find((candidate) => candidate.id === id && canSee(viewer, candidate));
    // An item the viewer may not see answers like an unknown one.
    if (!item) throw new Error(`no queue item ${String(id)}`);
    return item;
  }

  /**
   * Who an item runs for: the live principal of the connection that queued it (with its quota
   * ledger) while this process runs; after a restart, the user as the user store has them now
   * (their quota applies to reruns too), or the saved principal when no user is involved.
   */
  private ownerOf(item: QueueItem): Principal {
    const live = this.live.get(item.id);
    if (live) return live;
    const user = item.principal.user;
    if (!user) return item.principal;
    const record = this.runtime.users.byId(user.id);
    if (!record) throw new Error(`the user who queued ${item.id} no longer exists`);
    return this.runtime.userPrincipal(record);
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
    let session: Session;
    try {
      session = this.runtime.openSession(this.ownerOf(item));
    } catch (error) {
      item.status = 'error';
      item.error = (error as Error).message;
      item.finished = Date.now();
      this.live.delete(item.id);
      this.changed([item]);
      // On a later tick: many such items in a row must not recurse.
      queueMicrotask(() => this.pump());
      return;
    }
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
      this.broadcast(method, (principal) =>
        principal.id === item.principal.id ? { ...params, queue_id: item.id } : undefined,
      );
    });
    this.changed([item]);
    try {
      // Marked as the queue's own: after a crash the queue reruns it from its file, not history.
      const outcome = await session.executeScript(item.script, { source: 'queue' });
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
    this.changed([item]);
    this.pump();
  }

  private trim(): void {
    const finished = this.items.filter((item) => this.finished(item));
    const drop = new Set(finished.slice(0, Math.max(0, finished.length - FINISHED_LIMIT)));
    if (drop.size > 0) this.items = this.items.filter((item) => !drop.has(item));
  }

  /**
   * Saves, then sends `queue.changed` to every connection that can see one of `touched` (or to
   * every connection, for queue-wide changes), and to the `actor` who made the change. Each
   * principal's view is built once per change, however many connections it has.
   */
  private changed(touched: readonly QueueItem[] | 'everyone', actor?: Principal): void {
    this.save();
    const views = new Map<string, QueueState | undefined>();
    this.broadcast('queue.changed', (principal) => {
      if (!views.has(principal.id)) {
        const hears =
          touched === 'everyone' ||
          principal.id === actor?.id ||
          touched.some((item) => canSee(principal, item));
        views.set(principal.id, hears ? this.state(principal) : undefined);
      }
      return views.get(principal.id) as unknown as Record<string, unknown> | undefined;
    });
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
      if (item.status === 'running' && item.rerun) {
        // Its rerun was cut short too: it may be what stops the server, so not a third time.
        item.status = 'error';
        item.error = 'interrupted again while running a second time; retry it by hand';
        item.finished = Date.now();
        item.progress = null;
      } else if (item.status === 'running' || item.status === 'queued') {
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

/** Whether `viewer` may see (and act on) `item`: its own, or any item for an admin user. */
function canSee(viewer: Principal, item: QueueItem): boolean {
  return item.principal.id === viewer.id || viewer.user?.admin === true;
}

/** An item as clients see it: without the principal, with its owner's user name when it has one. */
function toWire({ principal, ...visible }: QueueItem): WireQueueItem {
  return principal.user ? { ...visible, owner: principal.user.name } : visible;
}
