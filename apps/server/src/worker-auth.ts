import { timingSafeEqual } from 'node:crypto';
import { WORKER_HEADER } from './queue/queue-settings.ts';

/** How the server authenticates queue workers. */
export interface WorkerAuthPolicy {
  /** `VIWO_WORKER_TOKEN`: when set, every worker must present it. */
  workerToken?: string;
  /** The server's own client token (`--token` / `VIWO_TOKEN`), also accepted from a worker. */
  serverToken?: string;
  /**
   * Clients must authenticate in some other way (user tokens exist): then loopback workers are
   * not trusted without a worker token either.
   */
  clientAuthRequired?: boolean;
}

/** A request's standing as a worker: not claiming to be one, an authenticated one, or refused. */
export type WorkerAccess =
  | { kind: 'none' }
  | { kind: 'worker'; id: string }
  | { kind: 'denied'; reason: string };

/**
 * Classifies a request by the worker header. Workers may only read and write images, so this
 * grants nothing else; routes other than `/images` refuse a request that claims to be a worker.
 *
 * Rules: with a worker token configured, the bearer token must match it (or the server token);
 * with no token configured at all, only loopback peers are trusted as workers.
 */
export function workerAccess(
  request: Request,
  peerAddress: string | undefined,
  policy: WorkerAuthPolicy,
): WorkerAccess {
  const id = request.headers.get(WORKER_HEADER);
  if (id === null) return { kind: 'none' };
  if (!/^[\w.:@-]{1,128}$/.test(id)) {
    return { kind: 'denied', reason: `worker id ${JSON.stringify(id.slice(0, 40))} is not valid` };
  }
  const header = request.headers.get('authorization') ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
  const tokens = [policy.workerToken, policy.serverToken].filter(
    (token): token is string => typeof token === 'string' && token.length > 0,
  );
  if (tokens.length > 0) {
    return tokens.some((token) => sameSecret(presented, token))
      ? { kind: 'worker', id }
      : { kind: 'denied', reason: 'worker token missing or wrong (VIWO_WORKER_TOKEN / --token)' };
  }
  if (policy.clientAuthRequired) {
    return {
      kind: 'denied',
      reason: 'this server requires authentication: set VIWO_WORKER_TOKEN on it and pass --token',
    };
  }
  return isLoopbackPeer(peerAddress)
    ? { kind: 'worker', id }
    : {
        kind: 'denied',
        reason: 'workers off this machine need a token: set VIWO_WORKER_TOKEN on the server',
      };
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.replace(/^::ffff:/, '');
  return plain === '::1' || plain.startsWith('127.');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
