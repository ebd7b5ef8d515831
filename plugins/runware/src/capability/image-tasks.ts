import { randomInt } from 'node:crypto';
import type { CapabilityCallContext, ImageValue } from '@viwo/core';
import type { RunwareItem } from '../client/runware-messages.ts';
import type { Crop, RunwareService } from '../runware-service.ts';
import {
  DEFAULT_IMAGE_MODEL,
  MAX_RUNWARE_SIZE,
  MIN_RUNWARE_SIZE,
  OPTION_NAMES,
  SIZE_GRID,
} from './runware-params.ts';

/** Generation options as validated by core against the metadata (local key names). */
export interface GenerationOptions {
  model_id?: string;
  steps?: number;
  guidance_scale?: number;
  strength?: number;
  scheduler?: string;
  seed?: number;
  width?: number;
  height?: number;
  negative_prompt?: string;
  batch_size?: number;
  lora?: { model: string; weight: number }[];
  controls?: { image: ImageValue; model: string; strength: number }[];
}

/** One image-generation call: which method, its positional inputs, and what to send. */
export interface ImageCall {
  method: string;
  /** Positional arguments as the caller gave them (recorded in the `viwo` chunk). */
  positional: unknown[];
  prompt: string;
  options: GenerationOptions;
  /** Size to generate (already on Runware's grid) and the size to crop back to. */
  size: { width: number; height: number };
  crop?: Crop;
  /** Extra task fields (seedImage, maskImage, outpaint…); computed inside the cloud slot. */
  extra?: (context: CapabilityCallContext) => Promise<Record<string, unknown>>;
}

/** The smallest Runware grid size at or above `pixels`. */
export function gridSize(pixels: number): number {
  const snapped = Math.ceil(pixels / SIZE_GRID) * SIZE_GRID;
  return Math.min(MAX_RUNWARE_SIZE, Math.max(MIN_RUNWARE_SIZE, snapped));
}

/** The generation size for asked dimensions and whether the result must be cropped back. */
export function plannedSize(width: number, height: number): Pick<ImageCall, 'size' | 'crop'> {
  const size = { width: gridSize(width), height: gridSize(height) };
  return size.width === width && size.height === height
    ? { size }
    : { size, crop: { width, height } };
}

/**
 * Runs one image-generation call end to end: uploads inputs, sends one `imageInference` with
 * `numberResults`, stores every result as it arrives, records seeds and costs. The seed is chosen
 * here when the caller gave none, so a task re-sent after a dropped socket paints the same image.
 */
export async function runImageCall(
  service: RunwareService,
  context: CapabilityCallContext,
  call: ImageCall,
): Promise<ImageValue | ImageValue[]> {
  const count = call.options.batch_size ?? 1;
  const progress = service.progress(context, call.method, count);
  return service.withSlot(context, progress, async () => {
    const seed = call.options.seed ?? randomInt(1, 2 ** 31);
    const task: Record<string, unknown> = {
      taskType: 'imageInference',
      positivePrompt: call.prompt,
      model: call.options.model_id ?? DEFAULT_IMAGE_MODEL,
      width: call.size.width,
      height: call.size.height,
      numberResults: count,
      seed,
      outputType: service.settings.outputType,
      outputFormat: 'PNG',
      includeCost: true,
      ...(call.extra ? await call.extra(context) : {}),
    };
    const { options } = call;
    if (options.negative_prompt) task.negativePrompt = options.negative_prompt;
    if (options.steps !== undefined) task.steps = options.steps;
    if (options.guidance_scale !== undefined) task.CFGScale = options.guidance_scale;
    if (options.strength !== undefined && 'seedImage' in task) task.strength = options.strength;
    if (options.scheduler) task.scheduler = options.scheduler;
    if (options.lora?.length)
      task.lora = options.lora.map(({ model, weight }) => ({ model, weight }));
    if (options.controls?.length) {
      task.controlNet = await Promise.all(
        options.controls.map(async (control) => ({
          model: control.model,
          guideImage: await service.upload(context, control.image),
          weight: control.strength,
        })),
      );
    }
    const items = await service.client.run({
      task: task as { taskType: string },
      timeoutMs: service.settings.taskTimeoutMs,
      signal: context.signal,
      optionNames: OPTION_NAMES,
      onSent: () => progress.sent(),
      onItem: (_item, received) => {
        progress.received(received.length - 1);
        return received.length >= count;
      },
    });
    // Every result is decoded before any is stored: a bad one leaves nothing partial behind.
    const prepared = await Promise.all(
      items.map((item) => service.prepareImage(context, item, call.crop)),
    );
    const images: ImageValue[] = [];
    for (const [index, item] of items.entries()) {
      images.push(
        await service.storeImage(context, prepared[index]!, textChunks(call, task, item)),
      );
      service.record(context, item);
    }
    return count === 1 ? images[0]! : images;
  });
}

/** The `parameters` (A1111 style) and `viwo` (reproducing script) chunks of one result. */
function textChunks(
  call: ImageCall,
  task: Record<string, unknown>,
  item: RunwareItem,
): Record<string, string> {
  const seed = typeof item.seed === 'number' ? item.seed : (task.seed as number);
  const model = String(task.model);
  const width = call.crop?.width ?? call.size.width;
  const height = call.crop?.height ?? call.size.height;
  const settings: [string, string | number][] = [];
  if (task.steps !== undefined) settings.push(['Steps', task.steps as number]);
  if (task.scheduler !== undefined) settings.push(['Sampler', task.scheduler as string]);
  if (task.CFGScale !== undefined) settings.push(['CFG scale', task.CFGScale as number]);
  settings.push(['Seed', seed], ['Size', `${width}x${height}`], ['Model', model]);
  if (task.strength !== undefined) settings.push(['Denoising strength', task.strength as number]);
  settings.push(['Backend', 'Runware']);
  const lines = [call.prompt];
  if (call.options.negative_prompt) lines.push(`Negative prompt: ${call.options.negative_prompt}`);
  lines.push(settings.map(([key, value]) => `${key}: ${value}`).join(', '));
  // The reproducing script: the same call with the seed Runware really used, batch of one.
  const options: Record<string, unknown> = { ...call.options, model_id: model, seed };
  delete options.batch_size;
  const script = [
    'std.call_method',
    ['get_capability', 'runware'],
    call.method,
    ...call.positional,
    options,
  ];
  return {
    parameters: lines.join('\n'),
    viwo: JSON.stringify({ script, params: { type: 'runware', method: call.method, options } }),
  };
}
