import { type CapabilityCallContext, CapabilityError } from '@viwo/core';
import sharp from 'sharp';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.ts';
import type { RegionRequest } from './generation-request.ts';
import type { PaddedSize } from './image-layout.ts';
import type { TextEncoderPart } from './model-sessions.ts';
import { embeddingRow, encodePrompts, type PromptEmbeddings } from './text-encoding.ts';

/** A regional prompt ready for the denoise loop. */
export interface RegionCondition {
  /** The region prompt's conditional embeddings (batch of 1). */
  positive: PromptEmbeddings;
  /** Its own negative prompt's embeddings, when it has one and guidance is on. */
  negative?: PromptEmbeddings;
  /** Weight per latent pixel (`h × w`): mask coverage × strength, 0–1. */
  weights: Float32Array;
}

/**
 * Encodes each region's prompts and turns its mask into per-latent-pixel weights: the mask is
 * stretched over the requested area, padded with zeros like the image, and area-averaged down
 * to the latent grid (so a feathered mask edge blends the predictions smoothly).
 */
export async function prepareRegions(
  regions: readonly RegionRequest[],
  encoder: TextEncoderPart,
  tokenizer: ClipTokenizer,
  images: CapabilityCallContext['images'],
  size: PaddedSize,
  guided: boolean,
): Promise<RegionCondition[]> {
  const latentWidth = size.paddedWidth / 8;
  const latentHeight = size.paddedHeight / 8;
  const conditions: RegionCondition[] = [];
  for (const [index, region] of regions.entries()) {
    const ownNegative = guided && region.negativePrompt !== undefined;
    const prompts = ownNegative ? [region.negativePrompt!, region.prompt] : [region.prompt];
    const embeddings = await encodePrompts(encoder, tokenizer, prompts);
    const mask = await images.getRaw(region.mask, 3).catch((error: Error) => {
      throw new CapabilityError('InvalidArgument', error.message, {
        param: `options.regions[${index}].mask`,
      });
    });
    const grid = await sharp(mask.data, {
      raw: { width: mask.width, height: mask.height, channels: mask.channels },
    })
      .greyscale()
      .resize(size.width, size.height, { fit: 'fill' })
      .extend({
        left: size.left,
        top: size.top,
        right: size.paddedWidth - size.width - size.left,
        bottom: size.paddedHeight - size.height - size.top,
        background: { r: 0, g: 0, b: 0 },
      })
      .resize(latentWidth, latentHeight, { fit: 'fill', kernel: 'linear' })
      .extractChannel(0)
      .raw()
      .toBuffer();
    const weights = new Float32Array(latentWidth * latentHeight);
    for (let pixel = 0; pixel < weights.length; pixel++) {
      weights[pixel] = (grid[pixel]! / 255) * region.strength;
    }
    conditions.push({
      positive: embeddingRow(embeddings, ownNegative ? 1 : 0),
      ...(ownNegative ? { negative: embeddingRow(embeddings, 0) } : {}),
      weights,
    });
  }
  return conditions;
}

/**
 * Composes noise predictions per latent pixel (masked conditioning, as ComfyUI and
 * MultiDiffusion do): each region's guided prediction weighs in by its weight there, the base
 * prediction takes the rest. Where regions overlap past a total weight of 1 they share the pixel
 * in proportion and the base drops out.
 */
export function composeRegions(
  base: Float32Array,
  regionPredictions: readonly Float32Array[],
  regions: readonly RegionCondition[],
  channels: number,
): Float32Array {
  const pixels = base.length / channels;
  const out = new Float32Array(base.length);
  for (let pixel = 0; pixel < pixels; pixel++) {
    let total = 0;
    for (const region of regions) total += region.weights[pixel]!;
    const scale = total > 1 ? 1 / total : 1;
    const baseWeight = total > 1 ? 0 : 1 - total;
    for (let channel = 0; channel < channels; channel++) {
      const offset = channel * pixels + pixel;
      let value = base[offset]! * baseWeight;
      for (let index = 0; index < regions.length; index++) {
        value += regionPredictions[index]![offset]! * regions[index]!.weights[pixel]! * scale;
      }
      out[offset] = value;
    }
  }
  return out;
}
