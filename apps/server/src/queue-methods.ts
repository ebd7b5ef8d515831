/**
 * JSON-RPC methods of the generation queue (`queue.*`), typed from the protocol map. Each acts on
 * the items the calling session's principal sees: its own, or every user's for an admin (see
 * `job-queue.ts`); an item it may not see answers exactly like a missing one.
 */
import { invalidParams, type RpcContext, RpcError, typedMethodTable } from '@viwo/core/rpc';
import type { RpcMethodName } from '@viwo/protocol';
import { ScriptError } from '@viwo/script';
import type { JobQueue } from './job-queue.ts';

/**
 * Pausing stops every user's jobs, so on a server with users only an admin may pause or resume;
 * without users everyone is the one person at this server.
 */
function mayPause(context: RpcContext): void {
  const user = context.session.principal.user;
  if (user && !user.admin) {
    throw new ScriptError(
      'CapabilityDenied',
      "only an admin may pause or resume the queue: it holds every user's jobs",
    );
  }
}

function id(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidParams('id', 'must be a queue item id');
  return value;
}

/** Runs a queue operation, answering a missing (or unseen) item as invalid params naming `id`. */
function guarded<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw invalidParams('id', (error as Error).message);
  }
}

/** `queue.submit`, `queue.list`, `queue.pause`, `queue.resume`, `queue.move`, `queue.cancel`, `queue.retry`, `queue.clear`. */
export function queueMethods(queue: JobQueue) {
  const who = (context: RpcContext) => context.session.principal;
  return typedMethodTable<RpcContext, `queue.${string}` & RpcMethodName>({
    'queue.submit': (params, context) => {
      if (params.script === undefined) throw invalidParams('script', 'is required');
      const meta = params.meta ?? {};
      if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
        throw invalidParams('meta', 'must be an object');
      const item = queue.submit(who(context), params.script, meta as Record<string, unknown>);
      return { id: item.id };
    },
    'queue.list': (_params, context) => queue.state(who(context)),
    'queue.pause': (_params, context) => {
      mayPause(context);
      queue.setPaused(who(context), true);
      return queue.state(who(context));
    },
    'queue.resume': (_params, context) => {
      mayPause(context);
      queue.setPaused(who(context), false);
      return queue.state(who(context));
    },
    'queue.move': (params, context) => {
      const index = params.index;
      if (typeof index !== 'number' || !Number.isInteger(index))
        throw invalidParams('index', 'must be an integer');
      guarded(() => queue.move(who(context), id(params.id), index));
      return queue.state(who(context));
    },
    'queue.cancel': (params, context) => {
      guarded(() => queue.cancel(who(context), id(params.id)));
      return queue.state(who(context));
    },
    'queue.retry': (params, context) => {
      const item = guarded(() => queue.retry(who(context), id(params.id)));
      return { id: item.id };
    },
    'queue.clear': (_params, context) => {
      queue.clearFinished(who(context));
      return queue.state(who(context));
    },
  });
}
