import type { ScriptErrorData } from './jobs.ts';
import type { RpcNotificationName, RpcNotifications } from './rpc-methods.ts';

/** JSON-RPC 2.0 error codes the server emits (spec codes plus −32000 for script errors). */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ScriptError: -32000,
} as const;

/** A JSON-RPC error object as sent on the wire. −32000 errors carry {@link ScriptErrorData}. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A request id: JSON-RPC allows strings, numbers and null. */
export type RpcId = string | number | null;

/** A JSON-RPC response object. */
export type RpcResponse =
  | { jsonrpc: '2.0'; id: RpcId; result: unknown }
  | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

/** A notification message from the server. */
export type RpcNotificationMessage = {
  [N in RpcNotificationName]: { jsonrpc: '2.0'; method: N; params: RpcNotifications[N] };
}[RpcNotificationName];

/** True when an error's `data` has the script-error shape `{code, message, path?}`. */
export function isScriptErrorData(data: unknown): data is ScriptErrorData {
  if (typeof data !== 'object' || data === null) return false;
  const candidate = data as Record<string, unknown>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string' &&
    (candidate.path === undefined || Array.isArray(candidate.path))
  );
}
