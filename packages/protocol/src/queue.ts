/**
 * The generation queue on the wire (`queue.*` methods, `queue.changed` notification): scripts
 * queued on the server, run one at a time, kept across restarts.
 */
import type { ImageValue } from './wire-values.ts';

/** Where a queue item is in its life. */
export type QueueStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';

/** One queued script with what the UI shows about it. */
export interface QueueItem {
  id: string;
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
  images: ImageValue[];
  error: string | null;
  /** True when the server restarted while this item was running, and it runs again. */
  rerun: boolean;
  /**
   * The name of the user who queued it, on a server with users (an admin's view holds every
   * user's items); absent on a server without users.
   */
  owner?: string;
}

/** The queue as a principal sees it (`queue.list`, `queue.changed`): its own items; an admin's, all. */
export interface QueueState {
  paused: boolean;
  items: QueueItem[];
}

/** `queue.submit` params. */
export interface QueueSubmitParams {
  script: unknown;
  meta?: Record<string, unknown>;
}
