import { CapabilityError } from '@viwo/core';
import type { Tensor } from 'onnxruntime-node';
import type { Scheduler, StepNoise } from '../schedulers/scheduler.ts';
import type { UnetPart } from './model-sessions.ts';
import { floatTensor, runForOutput, tensorToFloat32, timestepTensor } from './onnx-tensors.ts';
import { composeRegions, type RegionCondition } from './regional-prompts.ts';
import type { PromptEmbeddings } from './text-encoding.ts';

/** What a per-step hook sees. */
export interface DenoiseStep {
  /** Index into `scheduler.timesteps`. */
  index: number;
  timestep: number;
  /** Current (unscaled) latents `[4, h, w]`. */
  latents: Float32Array;
  /** Rows the UNet runs on this step (2 with classifier-free guidance, else 1). */
  batch: number;
  /** The text conditioning fed to the UNet this step (`[batch, tokens, hidden]`), for ControlNet. */
  context?: Tensor;
}

/**
 * Extension points for other pipelines (inpaint, ControlNet, SDXL) that reuse this loop.
 *
 * Invariant: hooks never change the latent shape; `unetSample` may widen the channel count to what
 * the UNet declares (e.g. 9 = latents ‖ mask ‖ masked-image latents).
 */
export interface DenoiseHooks {
  /** Builds the UNet `sample` from the scaled latents of one row (default: the latents). */
  unetSample?(scaled: Float32Array, step: DenoiseStep): Float32Array;
  /** Extra UNet inputs for this step (ControlNet residuals, SDXL `text_embeds`/`time_ids`, …). */
  extraInputs?(
    step: DenoiseStep,
    scaled: Float32Array,
  ): Promise<Record<string, Tensor>> | Record<string, Tensor>;
  /** Adjusts latents after the scheduler step (inpaint blending of the known region). */
  afterStep?(latents: Float32Array, step: DenoiseStep): Float32Array;
}

/** Inputs of {@link denoise}. */
export interface DenoiseRequest {
  unet: UnetPart;
  scheduler: Scheduler;
  /** Starting latents `[4, h, w]` (noised already). */
  latents: Float32Array;
  latentHeight: number;
  latentWidth: number;
  /** Conditional embeddings (batch of 1). */
  positive: PromptEmbeddings;
  /** Unconditional/negative embeddings; present iff classifier-free guidance is on. */
  negative?: PromptEmbeddings;
  guidanceScale: number;
  /** First scheduler index to run (img2img starts late). */
  startIndex: number;
  noise: StepNoise;
  signal: AbortSignal;
  hooks?: DenoiseHooks;
  /** Regional prompts: one more UNet evaluation each per step, composed by their masks. */
  regions?: readonly RegionCondition[];
  /** Called after every step with the new latents. */
  onStep?(done: number, total: number, latents: Float32Array): Promise<void> | void;
}

/** Result of {@link denoise}, with timing split for the benchmark. */
export interface DenoiseResult {
  latents: Float32Array;
  steps: number;
  /** Milliseconds spent inside `unet.session.run`. */
  unetMs: number;
  /** Milliseconds of the whole loop (so overhead = totalMs − unetMs). */
  totalMs: number;
}

/** Thrown when the signal aborts between steps. */
export class GenerationCancelled extends Error {
  constructor() {
    super('generation cancelled');
    this.name = 'AbortError';
  }
}

/**
 * The sampling loop: scale → (duplicate for CFG) → UNet → guidance → scheduler step → hooks.
 * Cancellation is checked before every step, so an abort stops within one UNet run.
 */
export async function denoise(request: DenoiseRequest): Promise<DenoiseResult> {
  const { unet, scheduler, latentHeight, latentWidth, hooks } = request;
  const started = performance.now();
  let unetMs = 0;
  const plane = 4 * latentHeight * latentWidth;
  const guided = request.negative !== undefined;
  const batch = guided ? 2 : 1;
  const context = guided
    ? concat(request.negative!.data, request.positive.data)
    : request.positive.data;
  const contextDims = [batch, request.positive.tokens, request.positive.hidden];
  const contextTensor = floatTensor(context, contextDims, unet.context.type);
  const scaled = new Float32Array(plane);
  let latents = request.latents;
  const total = scheduler.timesteps.length - request.startIndex;
  if (request.regions?.length && hooks?.extraInputs) {
    throw new CapabilityError(
      'InvalidArgument',
      'regions cannot be combined with ControlNet or SDXL conditioning',
      { param: 'options.regions' },
    );
  }
  for (let index = request.startIndex; index < scheduler.timesteps.length; index++) {
    if (request.signal.aborted) throw new GenerationCancelled();
    const timestep = scheduler.timesteps[index]!;
    const step: DenoiseStep = { index, timestep, latents, batch, context: contextTensor };
    scheduler.scaleModelInput(latents, index, scaled);
    const row = hooks?.unetSample ? hooks.unetSample(scaled, step) : scaled;
    const channels = row.length / (latentHeight * latentWidth);
    if (channels !== unet.inChannels) {
      const hint = unet.inChannels === 9 ? ' (an inpainting UNet: use diffusers.inpaint)' : '';
      throw new Error(
        `the UNet takes ${unet.inChannels} input channels${hint}, the pipeline built ${channels}`,
      );
    }
    const sample = guided ? concat(row, row) : row;
    const feeds: Record<string, Tensor> = {
      [unet.sample.name]: floatTensor(
        sample,
        [batch, channels, latentHeight, latentWidth],
        unet.sample.type,
      ),
      [unet.timestep.name]: timestepTensor(timestep, unet.timestep, batch),
      [unet.context.name]: contextTensor,
    };
    if (hooks?.extraInputs) Object.assign(feeds, await hooks.extraInputs(step, scaled));
    const unetStarted = performance.now();
    const output = await runForOutput(unet.session, feeds, unet.output, 'UNet');
    unetMs += performance.now() - unetStarted;
    const prediction = tensorToFloat32(output);
    let modelOutput: Float32Array;
    if (guided) {
      modelOutput = new Float32Array(plane);
      const scale = request.guidanceScale;
      for (let offset = 0; offset < plane; offset++) {
        const unconditional = prediction[offset]!;
        modelOutput[offset] = unconditional + scale * (prediction[plane + offset]! - unconditional);
      }
    } else modelOutput = prediction.length === plane ? prediction : prediction.subarray(0, plane);
    if (request.regions?.length) {
      const started = performance.now();
      const predictions: Float32Array[] = [];
      for (const region of request.regions) {
        predictions.push(
          await regionPrediction(request, region, row, timestep, guided ? prediction : undefined),
        );
      }
      unetMs += performance.now() - started;
      modelOutput = composeRegions(modelOutput, predictions, request.regions, 4);
    }
    latents = scheduler.step(modelOutput, index, latents, request.noise);
    if (hooks?.afterStep) latents = hooks.afterStep(latents, { ...step, latents });
    await request.onStep?.(index - request.startIndex + 1, total, latents);
  }
  return { latents, steps: total, unetMs, totalMs: performance.now() - started };
}

/**
 * One region's guided noise prediction for this step. Without its own negative prompt it costs
 * one UNet row (the region's conditional), guided against the base unconditional prediction;
 * with one, two rows (its negative and its prompt).
 */
async function regionPrediction(
  request: DenoiseRequest,
  region: RegionCondition,
  row: Float32Array,
  timestep: number,
  basePrediction: Float32Array | undefined,
): Promise<Float32Array> {
  const { unet, latentHeight, latentWidth } = request;
  const plane = 4 * latentHeight * latentWidth;
  const own = region.negative !== undefined && basePrediction !== undefined;
  const rows = own ? 2 : 1;
  const context = own ? concat(region.negative!.data, region.positive.data) : region.positive.data;
  const channels = row.length / (latentHeight * latentWidth);
  const feeds: Record<string, Tensor> = {
    [unet.sample.name]: floatTensor(
      own ? concat(row, row) : row,
      [rows, channels, latentHeight, latentWidth],
      unet.sample.type,
    ),
    [unet.timestep.name]: timestepTensor(timestep, unet.timestep, rows),
    [unet.context.name]: floatTensor(
      context,
      [rows, region.positive.tokens, region.positive.hidden],
      unet.context.type,
    ),
  };
  const output = tensorToFloat32(await runForOutput(unet.session, feeds, unet.output, 'UNet'));
  if (!basePrediction) return output.subarray(0, plane);
  const unconditional = own ? output.subarray(0, plane) : basePrediction.subarray(0, plane);
  const conditional = own ? output.subarray(plane, 2 * plane) : output.subarray(0, plane);
  const guided = new Float32Array(plane);
  for (let offset = 0; offset < plane; offset++) {
    const base = unconditional[offset]!;
    guided[offset] = base + request.guidanceScale * (conditional[offset]! - base);
  }
  return guided;
}

function concat(first: Float32Array, second: Float32Array): Float32Array {
  const out = new Float32Array(first.length + second.length);
  out.set(first, 0);
  out.set(second, first.length);
  return out;
}
