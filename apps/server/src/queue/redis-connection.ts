import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { QueueUrl } from './queue-settings.ts';

/**
 * Connection options for long-lived clients: retry forever with a capped backoff (a Redis
 * restart must not take the server or a worker down), and never queue commands while offline so
 * callers fail at once instead of hanging.
 */
export function resilientOptions(url: QueueUrl, blocking: boolean): RedisOptions {
  return {
    ...url.options,
    // BullMQ requires null for its blocking connections; plain commands fail fast instead.
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: blocking,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectTimeout: 5000,
  };
}

/** {@link resilientOptions} typed for BullMQ's constructors (the same ioredis options). */
export function bullConnection(url: QueueUrl, blocking: boolean): ConnectionOptions {
  const options: ConnectionOptions = {
    ...url.options,
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: blocking,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    connectTimeout: 5000,
  };
  return options;
}

/**
 * Opens a client and proves Redis answers (PING) within a few seconds, or throws an error that
 * names the URL (without credentials) and the cause: the check behind "Redis down at start".
 */
export async function connectRedis(url: QueueUrl, what: string): Promise<Redis> {
  const client = new Redis({ ...resilientOptions(url, false), lazyConnect: true });
  let lastError: unknown;
  client.on('error', (error) => {
    lastError = error;
  });
  try {
    await withTimeout(client.connect(), 5000);
    await withTimeout(client.ping(), 5000);
    return client;
  } catch (error) {
    client.disconnect();
    const cause = describe(lastError ?? error);
    throw new Error(`${what}: cannot reach Redis at ${url.display} (${cause})`);
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
