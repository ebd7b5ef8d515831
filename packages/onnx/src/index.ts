export {
  type AttributeValue,
  type Dimension,
  float32ToFloat16,
  GraphBuilder,
  type TensorDataType,
} from './graph-builder.ts';
export {
  cudaFallbackMessage,
  effectiveProvider,
  oneNodeModel,
  type ProviderProbe,
  probeExecutionProvider,
  smokeSession,
} from './provider-probe.ts';
export { lastFallback, noteFallback } from './provider-state.ts';
export {
  createSession,
  type ExecutionProvider,
  type LoadedSession,
  requestedProvider,
  type SessionOptions,
} from './session-factory.ts';
