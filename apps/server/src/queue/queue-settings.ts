/** The header that tells the server a request comes from a queue worker (value: its id). */
export const WORKER_HEADER = 'x-viwo-worker';
/** Key prefix of every BullMQ queue and viwo key in Redis. */
export const QUEUE_PREFIX = 'viwo';
/** Pub/sub channel on which the server asks workers to abort a call (message: the BullMQ job id). */
export const CANCEL_CHANNEL = `${QUEUE_PREFIX}:cancel`;
/** Hash of worker id → heartbeat JSON ({@link WorkerHeartbeat}). */
export const WORKERS_KEY = `${QUEUE_PREFIX}:workers`;
/** How often workers write their heartbeat. */
export const HEARTBEAT_MS = 2000;
/** Heartbeats older than this drop out of `/health`. */
export const HEARTBEAT_FORGET_MS = 60_000;
/** Largest result value (JSON) a worker hands back through Redis. */
export const MAX_RESULT_JSON_BYTES = 1024 * 1024;

/** A key that marks a call cancelled, for a worker that takes it after the cancel was published. */
export function cancelKey(jobId: string): string {
  return `${QUEUE_PREFIX}:cancelled:${jobId}`;
}

/** The BullMQ queue that carries a plugin's calls (workers pick queues by plugin name). */
export function queueNameFor(plugin: string): string {
  return plugin;
}

/**
 * Lock and stall timing. Both sides read them so a test can shorten them: a worker renews its
 * lock every lockMs/2; a call whose worker vanished is handed on after about lockMs + stalledMs.
 */
export function queueTiming(): { lockMs: number; stalledMs: number } {
  const raw = Number(process.env.VIWO_QUEUE_LOCK_MS ?? 10_000);
  const lockMs = Number.isFinite(raw) && raw >= 500 ? Math.round(raw) : 10_000;
  return { lockMs, stalledMs: Math.max(250, Math.round(lockMs / 2)) };
}

/** What a BullMQ job carries from the server to a worker. */
export interface RemoteJobData {
  type: string;
  method: string;
  args: unknown[];
  restrictions: Record<string, unknown>;
  /** The server's stable id and this process's boot id (leftover cleanup after a restart). */
  server: string;
  boot: string;
  /** The viwo job the call belongs to (for worker logs). */
  job: string;
}

/** What a worker reports through BullMQ progress while it runs a call. */
export type WorkerEvent =
  | { kind: 'start'; worker: string }
  | { kind: 'progress'; label: string; step: number; total: number; preview?: unknown }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { kind: 'decline'; worker: string; reason: string };

/** What a worker returns: the call's value and the images it stored on the server. */
export interface RemoteJobResult {
  value: unknown;
  images: { $image: string; width: number; height: number }[];
}

/** A worker's heartbeat as stored in Redis and shown in `/health`. */
export interface WorkerHeartbeat {
  id: string;
  capabilities: string[];
  concurrency: number;
  running: number;
  /** Provider per plugin, as the plugins report it after fallback. */
  execution_providers: Record<string, string>;
  last_seen: number;
}

/** The connection part of a Redis URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/** A parsed `redis://` / `rediss://` URL. */
export interface QueueUrl {
  /** Where and how to connect (ioredis and BullMQ option names). */
  options: RedisTarget;
  /** The URL without credentials, safe for logs and `/health`. */
  display: string;
}

/** Parses a Redis URL, with a clear error naming what is wrong. */
export function parseQueueUrl(raw: string, where: string): QueueUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${where}: ${JSON.stringify(raw)} is not a URL (expected redis://HOST:PORT)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`${where}: expected a redis:// or rediss:// URL, got ${url.protocol}//`);
  }
  if (!url.hostname) throw new Error(`${where}: the Redis URL names no host`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText ? Number(dbText) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new Error(`${where}: the Redis database must be a number, got ${JSON.stringify(dbText)}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisTarget = { host, port, db };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = {};
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    options,
    display: `${url.protocol}//${shownHost}:${port}${db ? `/${db}` : ''}`,
  };
}
