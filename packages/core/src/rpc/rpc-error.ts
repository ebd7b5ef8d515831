import { RpcErrorCode, type RpcErrorObject } from '@viwo/protocol';

export { RpcErrorCode, type RpcErrorObject } from '@viwo/protocol';

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
