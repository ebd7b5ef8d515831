import { a1111SamplerName } from '../schedulers/create-scheduler.ts';
import type { ResolvedGeneration } from './generation-request.ts';

/**
 * The A1111-compatible `parameters` text: prompt line, `Negative prompt:` line, then the
 * settings line. Deterministic (no time or duration), so equal generations give equal PNG bytes.
 */
export function a1111Parameters(
  generation: ResolvedGeneration,
  seed: number,
  extra: Record<string, string | number> = {},
): string {
  const settings: [string, string | number][] = [
    ['Steps', generation.steps],
    ['Sampler', a1111SamplerName(generation.scheduler)],
    ['CFG scale', generation.guidanceScale],
    ['Seed', seed],
    ['Size', `${generation.width}x${generation.height}`],
    ['Model', generation.model.id],
    ...(generation.regions.length > 0
      ? [['Regions', generation.regions.length] as [string, number]]
      : []),
    ...Object.entries(extra),
  ];
  const lines = [generation.prompt];
  if (generation.negativePrompt) lines.push(`Negative prompt: ${generation.negativePrompt}`);
  lines.push(settings.map(([key, value]) => `${key}: ${value}`).join(', '));
  return lines.join('\n');
}

/**
 * The `viwo` chunk: a script that reproduces this exact image (the method call with every
 * resolved option, including the real seed of this batch item) plus the parameters as an object.
 */
export function viwoChunk(
  capabilityType: string,
  method: string,
  positional: unknown[],
  options: Record<string, unknown>,
): string {
  const script = [
    'std.call_method',
    ['get_capability', capabilityType],
    method,
    ...positional,
    options,
  ];
  return JSON.stringify({ script, params: { type: capabilityType, method, options } });
}

/** The options object recorded for one batch item. */
export function recordedOptions(
  generation: ResolvedGeneration,
  seed: number,
): Record<string, unknown> {
  const options: Record<string, unknown> = {
    model_id: generation.model.id,
    steps: generation.steps,
    guidance_scale: generation.guidanceScale,
    scheduler: generation.scheduler,
    seed,
    width: generation.width,
    height: generation.height,
  };
  if (generation.negativePrompt) options.negative_prompt = generation.negativePrompt;
  if (generation.regions.length > 0) {
    options.regions = generation.regions.map((region) => ({
      mask: region.mask,
      prompt: region.prompt,
      ...(region.negativePrompt === undefined ? {} : { negative_prompt: region.negativePrompt }),
      strength: region.strength,
    }));
  }
  return options;
}
