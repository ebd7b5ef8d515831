import type { RawImage } from '@viwo/core';
import { CapabilityError } from '@viwo/core';
import { cannyEdges } from './canny-edges.ts';
import { gaussianBlur, greyToRaw, toGrey } from './grey-image.ts';

/** Model-free preprocessors; model-based ones (depth, pose) need a configured ONNX model. */
export const PREPROCESSOR_TYPES = ['canny', 'scribble', 'softedge'] as const;
export type PreprocessorType = (typeof PREPROCESSOR_TYPES)[number];

function numberOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new CapabilityError(
      'InvalidArgument',
      `${key} must be a number from ${min} to ${max}, got ${String(value)}`,
      { param: `options.${key}` },
    );
  }
  return value;
}

/**
 * Turns an image into a control image:
 * - `canny`: white edges on black (`low_threshold`/`high_threshold` on the 0–255 scale, 100/200);
 * - `scribble`: dark strokes become white lines on black (`threshold`, 128);
 * - `softedge`: difference-of-Gaussians line strength, soft white lines on black.
 */
export function preprocessImage(image: RawImage, type: string, rawOptions: unknown = {}): RawImage {
  const options = (rawOptions ?? {}) as Record<string, unknown>;
  const allowed: Record<PreprocessorType, string[]> = {
    canny: ['low_threshold', 'high_threshold'],
    scribble: ['threshold'],
    softedge: ['sigma'],
  };
  if (!(PREPROCESSOR_TYPES as readonly string[]).includes(type)) {
    throw new CapabilityError(
      'InvalidArgument',
      `unknown control type '${type}' (available: ${PREPROCESSOR_TYPES.join(', ')})`,
      { param: 'type' },
    );
  }
  for (const key of Object.keys(options)) {
    if (!allowed[type as PreprocessorType].includes(key)) {
      throw new CapabilityError(
        'InvalidArgument',
        `unknown option '${key}' for ${type} (allowed: ${allowed[type as PreprocessorType].join(', ') || 'none'})`,
        { param: `options.${key}` },
      );
    }
  }
  const grey = toGrey(image);
  if (type === 'canny') {
    const low = numberOption(options, 'low_threshold', 100, 0, 1020);
    const high = numberOption(options, 'high_threshold', 200, 0, 1020);
    if (low > high)
      throw new CapabilityError('InvalidArgument', 'low_threshold must not exceed high_threshold', {
        param: 'options.low_threshold',
      });
    return greyToRaw(cannyEdges(grey, low, high));
  }
  if (type === 'scribble') {
    const threshold = numberOption(options, 'threshold', 128, 0, 255);
    return greyToRaw({ ...grey, data: grey.data.map((value) => (value < threshold ? 255 : 0)) });
  }
  const sigma = numberOption(options, 'sigma', 1, 0.3, 8);
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
