import * as ort from 'onnxruntime-node';
import { noteFallback } from './provider-state.ts';

/** Execution providers we know how to ask for. */
export type ExecutionProvider = 'cpu' | 'cuda';

/** Options for {@link createSession}. */
export interface SessionOptions {
  /** Requested provider; defaults to `VIWO_EP` or `cpu`. */
  provider?: ExecutionProvider;
  /** Intra-op threads; defaults to onnxruntime's choice (all cores). */
  threads?: number;
  /** Receives a warning when the requested provider is unavailable and CPU is used instead. */
  onWarning?: (message: string) => void;
}

/** The session plus the provider it actually runs on (after any fallback). */
export interface LoadedSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
}

/** Reads `VIWO_EP`; anything but `cuda` means CPU. */
export function requestedProvider(): ExecutionProvider {
  return (process.env.VIWO_EP ?? 'cpu').toLowerCase() === 'cuda' ? 'cuda' : 'cpu';
}

/**
 * Opens an onnxruntime session from a file path or model bytes.
 *
 * CUDA is tried only when asked for; any failure to create it falls back to CPU with a warning
 * instead of failing the load, because the CUDA provider is an optional install.
 */
export async function createSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<LoadedSession> {
  const provider = options.provider ?? requestedProvider();
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  };
  if (provider === 'cuda') {
    try {
      const session = await open(model, { ...base, executionProviders: ['cuda', 'cpu'] });
      return { session, provider: 'cuda' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      noteFallback(reason);
      options.onWarning?.(`CUDA execution provider unavailable (${reason}); falling back to CPU`);
    }
  }
  const session = await open(model, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu' };
}

function open(
  model: string | Uint8Array,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}
