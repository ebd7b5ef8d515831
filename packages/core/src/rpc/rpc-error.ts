/** JSON-RPC 2.0 error codes we emit (spec codes plus -32000 for script errors). */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ScriptError: -32000,
} as const;

/** A JSON-RPC error object as sent on the wire. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error a method handler throws to answer with a specific JSON-RPC code. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toObject(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** Shorthand for -32602 naming the offending parameter. */
export function invalidParams(parameter: string, problem: string): RpcError {
  return new RpcError(RpcErrorCode.InvalidParams, `invalid params: '${parameter}' ${problem}`, {
    parameter,
  });
}
