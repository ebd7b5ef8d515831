import type { RpcMethodName, RpcResult, UncheckedParams } from '@viwo/protocol';
import { methodTable, type RpcMethodTable } from './json-rpc-dispatcher.ts';
import { RpcError, RpcErrorCode } from './rpc-error.ts';

/**
 * The handler of method `M`: it may read only the params `@viwo/protocol` declares for `M` (each
 * `unknown` until checked, since the peer is untrusted) and must produce `M`'s result type.
 */
export type TypedRpcHandler<M extends RpcMethodName, Context> = (
  params: UncheckedParams<M>,
  context: Context,
) => RpcResult<M> | Promise<RpcResult<M>>;

/** Handlers for the methods `M` (all of them by default), each typed from the protocol map. */
export type TypedRpcHandlers<Context, M extends RpcMethodName = RpcMethodName> = {
  [K in M]: TypedRpcHandler<K, Context>;
};

/** Params must be a JSON object for every protocol method; missing params count as `{}`. */
function objectParams(params: unknown, method: string): Record<string, unknown> {
  if (params === undefined) return {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new RpcError(RpcErrorCode.InvalidParams, `invalid params: ${method} takes an object`);
  }
  return params as Record<string, unknown>;
}

/**
 * Builds a method table from handlers typed by the protocol map: a method name the map does not
 * have, a param it does not declare, or a wrong result type fails to compile. Params that are not
 * an object are refused (−32602) before a handler runs.
 */
export function typedMethodTable<Context, M extends RpcMethodName>(
  handlers: TypedRpcHandlers<Context, M>,
): RpcMethodTable<Context> {
  const entries: Record<string, (params: unknown, context: Context) => unknown> = {};
  for (const name of Object.keys(handlers) as M[]) {
    const handler = handlers[name] as (params: unknown, context: Context) => unknown;
    entries[name] = (params, context) => handler(objectParams(params, name), context);
  }
  return methodTable(entries);
}
