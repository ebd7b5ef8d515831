export {
  type AttributeValue,
  type Dimension,
  float32ToFloat16,
  GraphBuilder,
  type TensorDataType,
} from './graph-builder.ts';
export {
  createSession,
  type ExecutionProvider,
  type LoadedSession,
  requestedProvider,
  type SessionOptions,
} from './session-factory.ts';
