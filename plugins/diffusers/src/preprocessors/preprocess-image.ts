import { CapabilityError, type RawImage } from '@viwo/core';
import { cannyEdges } from './canny-edges.ts';
import { gaussianBlur, greyToRaw, toGrey } from './grey-image.ts';

/** Model-free preprocessors; model-based ones (depth, pose) need a configured ONNX model. */
export const PREPROCESSOR_TYPES = ['canny', 'scribble', 'softedge'] as const;
export type PreprocessorType = (typeof PREPROCESSOR_TYPES)[number];

/** Settings of the model-free preprocessors (each type reads its own; bounds are in metadata). */
export interface PreprocessSettings {
  low_threshold?: number;
  high_threshold?: number;
  threshold?: number;
  sigma?: number;
}

/** Whether `type` names a model-free preprocessor. */
export function isPreprocessorType(type: string): type is PreprocessorType {
  return (PREPROCESSOR_TYPES as readonly string[]).includes(type);
}

/**
 * Turns an image into a control image:
 * - `canny`: white edges on black (`low_threshold`/`high_threshold` on the 0–255 scale, 100/200);
 * - `scribble`: dark strokes become white lines on black (`threshold`, 128);
 * - `softedge`: difference-of-Gaussians line strength, soft white lines on black.
 *
 * Settings arrive validated against `controlnet.generate.preprocess`'s declaration; only the
 * relation metadata cannot express (low ≤ high) is checked here.
 */
export function preprocessImage(
  image: RawImage,
  type: PreprocessorType,
  options: PreprocessSettings = {},
): RawImage {
  const grey = toGrey(image);
  if (type === 'canny') {
    const low = options.low_threshold ?? 100;
    const high = options.high_threshold ?? 200;
    if (low > high)
      throw new CapabilityError('InvalidArgument', 'low_threshold must not exceed high_threshold', {
        param: 'options.low_threshold',
      });
    return greyToRaw(cannyEdges(grey, low, high));
  }
  if (type === 'scribble') {
    const threshold = options.threshold ?? 128;
    return greyToRaw({ ...grey, data: grey.data.map((value) => (value < threshold ? 255 : 0)) });
  }
  const sigma = options.sigma ?? 1;
  const fine = gaussianBlur(grey, sigma).data;
  const coarse = gaussianBlur(grey, sigma * 2).data;
  const difference = fine.map((value, index) => Math.max(0, coarse[index]! - value));
  let peak = 1e-6;
  for (const value of difference) if (value > peak) peak = value;
  return greyToRaw({
    ...grey,
    data: difference.map((value) => Math.min(255, (value / peak) * 255 * 1.5)),
  });
}
