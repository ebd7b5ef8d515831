/**
 * JSON-RPC methods of the generation queue (`queue.*`), each acting on the calling session's
 * principal's items only.
 */
import {
  invalidParams,
  type RpcContext,
  RpcError,
  RpcErrorCode,
  type RpcHandler,
} from '@viwo/core/rpc';
import type { JobQueue } from './job-queue.ts';

type Params = Record<string, unknown>;

function objectParams(raw: unknown, method: string): Params {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RpcError(RpcErrorCode.InvalidParams, `invalid params: ${method} takes an object`);
  return raw as Params;
}

function id(params: Params): string {
  if (typeof params.id !== 'string' || params.id.length === 0)
    throw invalidParams('id', 'must be a queue item id');
  return params.id;
}

/** Runs a queue operation, answering a missing item as invalid params naming `id`. */
function guarded<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw invalidParams('id', (error as Error).message);
  }
}

/** `queue.submit`, `queue.list`, `queue.pause`, `queue.resume`, `queue.move`, `queue.cancel`, `queue.retry`, `queue.clear`. */
export function queueMethods(queue: JobQueue): Record<string, RpcHandler<RpcContext>> {
  const who = (context: RpcContext) => context.session.principal.id;
  return {
    'queue.submit': (raw, context) => {
      const params = objectParams(raw, 'queue.submit');
      if (params.script === undefined) throw invalidParams('script', 'is required');
      const meta = params.meta ?? {};
      if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
        throw invalidParams('meta', 'must be an object');
      const item = queue.submit(context.session.principal, params.script, meta as Params);
      return { id: item.id };
    },
    'queue.list': (_raw, context) => queue.state(who(context)),
    'queue.pause': (_raw, context) => {
      queue.setPaused(who(context), true);
      return queue.state(who(context));
    },
    'queue.resume': (_raw, context) => {
      queue.setPaused(who(context), false);
      return queue.state(who(context));
    },
    'queue.move': (raw, context) => {
      const params = objectParams(raw, 'queue.move');
      if (typeof params.index !== 'number' || !Number.isInteger(params.index))
        throw invalidParams('index', 'must be an integer');
      guarded(() => queue.move(who(context), id(params), params.index as number));
      return queue.state(who(context));
    },
    'queue.cancel': (raw, context) => {
      guarded(() => queue.cancel(who(context), id(objectParams(raw, 'queue.cancel'))));
      return queue.state(who(context));
    },
    'queue.retry': (raw, context) => {
      const item = guarded(() =>
        queue.retry(context.session.principal, id(objectParams(raw, 'queue.retry'))),
      );
      return { id: item.id };
    },
    'queue.clear': (_raw, context) => {
      queue.clearFinished(who(context));
      return queue.state(who(context));
    },
  };
}
