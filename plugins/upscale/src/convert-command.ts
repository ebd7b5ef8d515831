import { CapabilityError } from '@viwo/core';
import { ensureConvertedModel } from './converter/model-cache.ts';
import { discoverInstalledModels, type UpscaleModelEntry } from './converter/model-catalog.ts';

/** One converted (or already cached) model, as `viwo models convert` reports it. */
export interface ConvertedModelSummary {
  model: string;
  scale: number;
  path: string;
  converted: boolean;
}

/**
 * `bun run viwo models convert [MODEL...] [--factor N]`: converts installed UpscalerJS models to
 * ONNX under `${dataDir}/models/upscale` (all of them by default). Already valid cache entries are
 * kept; corrupt ones are rebuilt. `log` receives conversion and rebuild notices as they happen;
 * the returned summaries are for the caller to print.
 */
export async function convertCommand(
  args: string[],
  context: { dataDir: string; log: (message: string) => void; models?: UpscaleModelEntry[] },
): Promise<ConvertedModelSummary[]> {
  const wanted: string[] = [];
  let factor: number | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--factor' || arg === '--scale') {
      factor = Number(args[++index]);
      if (!Number.isInteger(factor) || factor < 2) {
        throw new CapabilityError(
          'InvalidArgument',
          `${arg} needs a whole number ≥ 2, got ${args[index] ?? 'nothing'}`,
        );
      }
    } else if (arg.startsWith('--')) {
      throw new CapabilityError(
        'InvalidArgument',
        `unknown flag ${arg} (models convert [MODEL...] [--factor N])`,
      );
    } else wanted.push(arg);
  }
  const installed = context.models ?? (await discoverInstalledModels());
  const ids = [...new Set(installed.map((entry) => entry.id))];
  for (const id of wanted) {
    if (!ids.includes(id)) {
      throw new CapabilityError(
        'InvalidArgument',
        `unknown upscale model '${id}' (installed: ${ids.join(', ') || 'none'})`,
      );
    }
  }
  const selected = installed.filter(
    (entry) =>
      (wanted.length === 0 || wanted.includes(entry.id)) &&
      (factor === undefined || entry.scale === factor),
  );
  if (selected.length === 0) {
    throw new CapabilityError(
      'InvalidArgument',
      `no installed model matches ${args.join(' ') || '(all)'}`,
    );
  }
  const summaries: ConvertedModelSummary[] = [];
  for (const entry of selected) {
    const result = await ensureConvertedModel(entry, context.dataDir, (_level, message) =>
      context.log(message),
    );
    summaries.push({
      model: entry.id,
      scale: entry.scale,
      path: result.path,
      converted: result.converted,
    });
  }
  return summaries;
}
