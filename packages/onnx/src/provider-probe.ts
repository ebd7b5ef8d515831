import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './graph-builder.ts';
import { lastFallback } from './provider-state.ts';
import { type ExecutionProvider, requestedProvider } from './session-factory.ts';

/** The outcome of asking onnxruntime for a provider with a one-node session. */
export interface ProviderProbe {
  requested: ExecutionProvider;
  /** What sessions really run on: the request, or `cpu` after a fallback. */
  actual: ExecutionProvider;
  /** Why the request could not be honoured (absent when it was). */
  reason?: string;
}

const probes = new Map<ExecutionProvider, Promise<ProviderProbe>>();

/** A graph with one Relu: enough to make onnxruntime load and initialise a provider. */
export function oneNodeModel(): Uint8Array {
  const graph = new GraphBuilder('viwo-provider-probe');
  const input = graph.input('probe_in', 'float32', [1, 4]);
  graph.output('probe_out', graph.op('Relu', [input]), 'float32', [1, 4]);
  return graph.toBytes();
}

/**
 * Runs a one-node session on `provider` with no CPU fallback allowed, so a missing or broken
 * provider shows up as an error here rather than as silently slow CPU sessions later.
 */
export async function smokeSession(
  provider: ExecutionProvider,
  options: { quiet?: boolean } = {},
): Promise<{ runMs: number }> {
  const session = await ort.InferenceSession.create(oneNodeModel(), {
    executionProviders: [provider],
    // Quiet: onnxruntime's own error lines (the reason is in the thrown error anyway).
    ...(options.quiet ? { logSeverityLevel: 4 as const } : {}),
  });
  try {
    const input = new ort.Tensor('float32', Float32Array.from([-1, 0, 1, 2]), [1, 4]);
    const started = performance.now();
    const output = await session.run({ probe_in: input });
    const runMs = performance.now() - started;
    const values = Array.from(output.probe_out!.data as Float32Array);
    if (values.join(',') !== '0,0,1,2') {
      throw new Error(`the ${provider} smoke session computed ${values.join(',')}, not 0,0,1,2`);
    }
    return { runMs };
  } finally {
    await session.release();
  }
}

/**
 * Which provider sessions of this process really get for a request (default `VIWO_EP`): probed
 * once per provider with {@link smokeSession}; a failed CUDA probe reports `cpu` and the reason.
 */
export function probeExecutionProvider(
  requested: ExecutionProvider = requestedProvider(),
): Promise<ProviderProbe> {
  let probe = probes.get(requested);
  if (!probe) {
    probe = (async (): Promise<ProviderProbe> => {
      if (requested === 'cpu') return { requested, actual: 'cpu' };
      try {
        await smokeSession(requested, { quiet: true });
        return { requested, actual: requested };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { requested, actual: 'cpu', reason };
      }
    })();
    probes.set(requested, probe);
  }
  return probe;
}

/**
 * The provider a plugin should report: the probe's answer, downgraded to `cpu` once any session
 * had to fall back.
 */
export function effectiveProvider(probe: ProviderProbe): ExecutionProvider {
  return lastFallback() !== undefined ? 'cpu' : probe.actual;
}

/** The warning a plugin logs when `VIWO_EP=cuda` cannot be honoured, with the way out. */
export function cudaFallbackMessage(reason: string): string {
  return `VIWO_EP=cuda asked for the CUDA execution provider, but it is unavailable (${reason}); running on CPU. Run \`bun run viwo setup gpu\` to install and check it.`;
}
