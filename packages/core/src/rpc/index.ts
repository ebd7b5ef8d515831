export {
  DEFAULT_MAX_BATCH,
  dispatchRpc,
  methodTable,
  parseErrorResponse,
  type RpcHandler,
  type RpcMethodTable,
  type RpcResponse,
  toRpcError,
} from './json-rpc-dispatcher.ts';
export { invalidParams, RpcError, RpcErrorCode, type RpcErrorObject } from './rpc-error.ts';
export {
  type CoreRpcMethod,
  createRpcMethods,
  defaultRpcLimits,
  type RpcContext,
  type RpcLimits,
  withJobSlot,
} from './rpc-methods.ts';
export { type TypedRpcHandler, type TypedRpcHandlers, typedMethodTable } from './typed-methods.ts';
export {
  toSizedWireValue,
  toWireValue,
  type WireBounds,
  WireValueTooLarge,
} from './wire-value.ts';
