import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RawImage } from '@viwo/core';
import { Tensor } from 'onnxruntime-node';
import type { DiffusersModelInfo } from '../models/model-info.ts';
import type { DenoiseHooks } from '../pipeline/denoise-loop.ts';
import { imageToPixels, type PaddedSize } from '../pipeline/image-layout.ts';
import {
  describeInputs,
  floatTensor,
  requireInput,
  tensorToFloat32,
  timestepTensor,
} from '../pipeline/onnx-tensors.ts';
import type { StableDiffusionPipeline } from '../pipeline/stable-diffusion-pipeline.ts';

/** One control: a control image (already preprocessed) and how strongly it steers. */
export interface PreparedControl {
  image: RawImage;
  strength: number;
}

/** The ControlNet ONNX file of a model, if it has one. */
export function controlnetPath(model: DiffusersModelInfo): string | undefined {
  const path = join(model.directory, 'controlnet', 'model.onnx');
  return existsSync(path) ? path : undefined;
}

/**
 * Denoise hooks feeding a ControlNet: every step runs the ControlNet once per control on the same
 * latents, timestep and text conditioning as the UNet, scales each control's residuals by its
 * strength (`conditioning_scale`), sums them across controls, and hands them to the UNet as its
 * `*_additional_residual` inputs. Returns the hooks and a release for the borrowed session.
 */
export async function controlnetHooks(
  pipeline: StableDiffusionPipeline,
  model: DiffusersModelInfo,
  controls: PreparedControl[],
  size: PaddedSize,
): Promise<{ hooks: DenoiseHooks; release: () => void }> {
  const path = controlnetPath(model);
  if (!path) throw new Error(`model '${model.id}' has no controlnet/model.onnx`);
  const handle = await pipeline.cache.acquire(path);
  const session = handle.session;
  const inputs = describeInputs(session);
  const sampleSpec = requireInput(inputs, ['sample'], 'ControlNet');
  const timestepSpec = requireInput(inputs, ['timestep'], 'ControlNet');
  const contextSpec = requireInput(inputs, ['encoder_hidden_states'], 'ControlNet');
  const condSpec = requireInput(inputs, ['controlnet_cond'], 'ControlNet');
  const scaleSpec = requireInput(inputs, ['conditioning_scale'], 'ControlNet');
  // Control images in [0, 1], laid out like the generation (resized, edge-padded).
  const conditions = await Promise.all(
    controls.map(async (control) =>
      (await imageToPixels(control.image, size)).map((value) => (value + 1) / 2),
    ),
  );
  const latentHeight = size.paddedHeight / 8;
  const latentWidth = size.paddedWidth / 8;
  const hooks: DenoiseHooks = {
    async extraInputs(step, scaled) {
      const rows = step.batch;
      const sample = new Float32Array(scaled.length * rows);
      for (let row = 0; row < rows; row++) sample.set(scaled, row * scaled.length);
      const sums = new Map<string, { data: Float32Array; dims: readonly number[] }>();
      for (let index = 0; index < controls.length; index++) {
        const condition = conditions[index]!;
        const repeated = new Float32Array(condition.length * rows);
        for (let row = 0; row < rows; row++) repeated.set(condition, row * condition.length);
        const feeds: Record<string, Tensor> = {
          [sampleSpec.name]: floatTensor(
            sample,
            [rows, 4, latentHeight, latentWidth],
            sampleSpec.type,
          ),
          [timestepSpec.name]: timestepTensor(step.timestep, timestepSpec, rows),
          [condSpec.name]: floatTensor(
            repeated,
            [rows, 3, size.paddedHeight, size.paddedWidth],
            condSpec.type,
          ),
          [scaleSpec.name]: floatTensor(
            Float32Array.of(controls[index]!.strength),
            scaleSpec.shape.length === 0 ? [] : [1],
            scaleSpec.type,
          ),
        };
        if (!step.context) throw new Error('ControlNet needs the text conditioning of the step');
        feeds[contextSpec.name] = step.context;
        const outputs = await session.run(feeds);
        for (const name of session.outputNames) {
          const tensor = outputs[name]!;
          const values = tensorToFloat32(tensor);
          const existing = sums.get(name);
          if (existing)
            for (let offset = 0; offset < values.length; offset++)
              existing.data[offset]! += values[offset]!;
          else sums.set(name, { data: Float32Array.from(values), dims: tensor.dims });
        }
      }
      const extra: Record<string, Tensor> = {};
      for (const [name, sum] of sums) extra[name] = new Tensor('float32', sum.data, sum.dims);
      return extra;
    },
  };
  return { hooks, release: handle.release };
}
