/**
 * The client side of the server's generation queue: the live queue state (from `queue.changed`),
 * `run(script, meta)` that queues a script and resolves when it finished (so Generate can be
 * clicked again while jobs run), the operations of the queue panel, progress in the tab title,
 * and a desktop notification when a job this tab queued finishes while the tab is hidden.
 */

import type { QueueItem, QueueState } from '@viwo/protocol';
import { createEffect, createRoot, createSignal } from 'solid-js';
import { account } from '../auth/account.ts';
import type { RpcClient } from '../rpc/rpc-client.ts';

/** What a finished queued script gives back (the shape of `execute_script`'s answer). */
export interface QueuedResult {
  job_id: string;
  result: unknown;
  images: QueueItem['images'];
}

/** An error of a queued script (its `code` is `Cancelled` when the user cancelled it). */
export class QueueJobError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'QueueJobError';
  }
}

const TITLE = 'viwo imagegen';
const finished = (item: QueueItem) => item.status !== 'queued' && item.status !== 'running';

/**
 * The name of the user who queued `item` when it is not the viewer (an admin sees every user's
 * items); undefined for the viewer's own items and on a server without users.
 */
export function otherOwner(item: QueueItem, viewer: string | undefined): string | undefined {
  return item.owner !== undefined && item.owner !== viewer ? item.owner : undefined;
}

/** Builds the queue client over a connection. */
export function createQueueClient(rpc: RpcClient) {
  const [state, setState] = createSignal<QueueState>({ paused: false, items: [] });
  const waiters = new Map<
    string,
    { resolve(value: QueuedResult): void; reject(error: Error): void }
  >();
  const mine = new Set<string>();

  const settle = (view: QueueState) => {
    for (const item of view.items) {
      const waiter = waiters.get(item.id);
      if (waiter && finished(item)) {
        waiters.delete(item.id);
        if (item.status === 'done')
          waiter.resolve({ job_id: item.job_id ?? '', result: item.result, images: item.images });
        else
          waiter.reject(
            new QueueJobError(
              item.status === 'cancelled' ? 'the job was cancelled' : (item.error ?? 'failed'),
              item.status === 'cancelled' ? 'Cancelled' : 'JobFailed',
            ),
          );
      }
      if (mine.has(item.id) && finished(item)) {
        mine.delete(item.id);
        notifyIfHidden(item);
      }
    }
  };
  const apply = (view: QueueState) => {
    setState(view);
    settle(view);
  };
  rpc.on('queue.changed', (params) => apply(params));
  // Progress of queued jobs arrives as their own job.progress notifications, tagged queue_id.
  rpc.on('job.progress', (params) => {
    if (!params.queue_id) return;
    setState((view) => ({
      ...view,
      items: view.items.map((item) =>
        item.id === params.queue_id
          ? {
              ...item,
              job_id: params.job_id,
              progress: {
                label: params.label,
                step: params.step,
                total: params.total,
                fraction: params.fraction,
              },
            }
          : item,
      ),
    }));
  });
  const refresh = () => rpc.call('queue.list').then(apply, () => undefined);
  rpc.onState((connection) => {
    if (connection === 'open') void refresh();
  });
  if (rpc.state === 'open') void refresh();

  // Progress of the running job in the tab title, so it shows from other tabs too.
  createRoot(() =>
    createEffect(() => {
      // Only the viewer's own job: an admin's title must not follow another user's.
      const running = state().items.find(
        (item) => item.status === 'running' && !otherOwner(item, account()?.name),
      );
      const fraction = running?.progress?.fraction;
      document.title =
        running && fraction !== undefined ? `${Math.round(fraction * 100)}% · ${TITLE}` : TITLE;
    }),
  );

  const ensurePermission = () => {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default')
      void Notification.requestPermission().catch(() => undefined);
  };

  return {
    state,
    /** Queues a script and resolves with its result once it ran. */
    async run(script: unknown, meta: Record<string, unknown>): Promise<QueuedResult> {
      ensurePermission();
      const { id } = await rpc.call('queue.submit', { script, meta });
      mine.add(id);
      const result = new Promise<QueuedResult>((resolve, reject) =>
        waiters.set(id, { resolve, reject }),
      );
      // The item may have finished before the submit answer arrived.
      settle(state());
      return result;
    },
    pause: () => rpc.call('queue.pause').then(apply),
    resume: () => rpc.call('queue.resume').then(apply),
    move: (id: string, index: number) => rpc.call('queue.move', { id, index }).then(apply),
    cancel: (id: string) => rpc.call('queue.cancel', { id }).then(apply),
    retry: (id: string) => rpc.call('queue.retry', { id }).then(refresh),
    clear: () => rpc.call('queue.clear').then(apply),
  };
}

/** The queue client type. */
export type QueueClient = ReturnType<typeof createQueueClient>;

function notifyIfHidden(item: QueueItem): void {
  if (!document.hidden || typeof Notification === 'undefined') return;
  if (Notification.permission !== 'granted') return;
  const prompt = typeof item.meta.prompt === 'string' ? item.meta.prompt : 'your job';
  new Notification(TITLE, {
    body: item.status === 'done' ? `Finished: ${prompt}` : `${item.status}: ${prompt}`,
    tag: item.id,
  });
}

let current: QueueClient | undefined;

/** Opens the tab's queue client (once, at start-up). */
export function openQueueClient(rpc: RpcClient): QueueClient {
  current = createQueueClient(rpc);
  return current;
}

/** The tab's queue client (opened by main.tsx). */
export function queueClient(): QueueClient {
  if (!current) throw new Error('the queue client is not open yet');
  return current;
}
