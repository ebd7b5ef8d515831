import type { RpcResponse } from '@viwo/protocol';
import { ScriptError } from '@viwo/script';
import { redactHostText } from '../errors.ts';
import { RpcError, RpcErrorCode, type RpcErrorObject } from './rpc-error.ts';

export type { RpcResponse } from '@viwo/protocol';

/** A method implementation; `context` is whatever the transport binds (a session, usually). */
export type RpcHandler<Context> = (params: unknown, context: Context) => unknown;

/** Method name → handler. Built with a null prototype so `constructor` or `__proto__` never match. */
export type RpcMethodTable<Context> = Readonly<Record<string, RpcHandler<Context>>>;

/** Builds a null-prototype method table from plain entries. */
export function methodTable<Context>(
  entries: Record<string, RpcHandler<Context>>,
): RpcMethodTable<Context> {
  const table: Record<string, RpcHandler<Context>> = Object.create(null);
  for (const [name, handler] of Object.entries(entries)) table[name] = handler;
  return table;
}

/** The response for bytes that are not JSON (or not msgpack). */
export function parseErrorResponse(detail: string): RpcResponse {
  return {
    jsonrpc: '2.0',
    id: null,
    error: { code: RpcErrorCode.ParseError, message: `parse error: ${detail}` },
  };
}

/** Most requests one batch may hold unless the transport says otherwise. */
export const DEFAULT_MAX_BATCH = 100;

/**
 * Dispatches one decoded JSON-RPC message (a request, a notification or a batch) and resolves
 * with what to send back: a response, an array of responses, or `null` when nothing is owed
 * (notifications, all-notification batches). A batch longer than `maxBatch` is refused whole
 * (one work unit per frame stays bounded).
 *
 * Invariant: never rejects and never lets a host stack trace into a response.
 */
export async function dispatchRpc<Context>(
  message: unknown,
  table: RpcMethodTable<Context>,
  context: Context,
  options: { maxBatch?: number } = {},
): Promise<RpcResponse | RpcResponse[] | null> {
  if (Array.isArray(message)) {
    if (message.length === 0) return invalidRequest(null, 'empty batch');
    const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (message.length > maxBatch) {
      return invalidRequest(
        null,
        `a batch holds at most ${maxBatch} requests, got ${message.length}`,
      );
    }
    const answers = await Promise.all(message.map((item) => dispatchOne(item, table, context)));
    const sent = answers.filter((answer): answer is RpcResponse => answer !== null);
    return sent.length > 0 ? sent : null;
  }
  return dispatchOne(message, table, context);
}

function invalidRequest(id: string | number | null, why: string): RpcResponse {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: RpcErrorCode.InvalidRequest, message: `invalid request: ${why}` },
  };
}

function validId(id: unknown): id is string | number | null {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

async function dispatchOne<Context>(
  request: unknown,
  table: RpcMethodTable<Context>,
  context: Context,
): Promise<RpcResponse | null> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return invalidRequest(null, 'a request must be an object');
  }
  const { jsonrpc, method, params, id } = request as Record<string, unknown>;
  const isNotification = !Object.hasOwn(request, 'id');
  if (!isNotification && !validId(id))
    return invalidRequest(null, "'id' must be a string, number or null");
  const replyId = isNotification ? null : (id as string | number | null);
  if (jsonrpc !== '2.0') return invalidRequest(replyId, '\'jsonrpc\' must be "2.0"');
  if (typeof method !== 'string') return invalidRequest(replyId, "'method' must be a string");
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    return invalidRequest(replyId, "'params' must be an object or an array");
  }
  const handler = Object.hasOwn(table, method) ? table[method] : undefined;
  if (!handler) {
    if (isNotification) return null;
    return {
      jsonrpc: '2.0',
      id: replyId,
      error: { code: RpcErrorCode.MethodNotFound, message: `method not found: ${method}` },
    };
  }
  try {
    const result = await handler(params, context);
    return isNotification ? null : { jsonrpc: '2.0', id: replyId, result: result ?? null };
  } catch (error) {
    return isNotification ? null : { jsonrpc: '2.0', id: replyId, error: toRpcError(error) };
  }
}

/** Maps anything a handler throws to a wire error; script errors carry `{code, message, path}`. */
export function toRpcError(error: unknown): RpcErrorObject {
  if (error instanceof RpcError) return error.toObject();
  if (error instanceof ScriptError) {
    return { code: RpcErrorCode.ScriptError, message: error.message, data: error.toJSON() };
  }
  const message = redactHostText(error instanceof Error ? error.message : String(error));
  return { code: RpcErrorCode.InternalError, message: `internal error: ${message}` };
}
