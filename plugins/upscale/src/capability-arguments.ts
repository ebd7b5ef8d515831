import type { CapabilityCallContext, ImageValue } from '@viwo/core';
import { CLASSICAL_METHODS, type ClassicalMethod, type PixelImage } from './classical.ts';
import { messageOf, UpscaleError } from './errors.ts';

/*
 * Argument checks for the upscale methods. Core validates calls against metadata first; these
 * repeat the checks the methods rely on so a direct call (tests, other embedders) gets the same
 * clear errors, and add the ones metadata cannot express (output pixel limit, empty images).
 */

/** An `InvalidArgument` error whose path names the option. */
export function invalid(
  message: string,
  field: string,
  prefix: string[] = ['options'],
): UpscaleError {
  return new UpscaleError('InvalidArgument', message, [...prefix, field]);
}

/** The image value argument, or a clear error (wrong shape, or smaller than 1×1). */
export function requireImage(value: unknown): ImageValue {
  const candidate = value as Partial<ImageValue> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.$image !== 'string' ||
    !/^[0-9a-f]{64}$/.test(candidate.$image) ||
    typeof candidate.width !== 'number' ||
    typeof candidate.height !== 'number'
  ) {
    throw new UpscaleError(
      'InvalidArgument',
      'image must be an image value {$image, width, height}',
      ['image'],
    );
  }
  if (!(candidate.width >= 1 && candidate.height >= 1)) {
    throw new UpscaleError(
      'InvalidArgument',
      `image is ${candidate.width}×${candidate.height}; it must be at least 1×1`,
      ['image'],
    );
  }
  return candidate as ImageValue;
}

/** The options object (absent → `{}`); unknown keys are an error naming them. */
export function readOptions(value: unknown, allowed: string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UpscaleError('InvalidArgument', 'options must be an object', ['options']);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new UpscaleError(
        'InvalidArgument',
        `unknown option '${key}' (allowed: ${allowed.join(', ')})`,
        ['options', key],
      );
    }
  }
  return value as Record<string, unknown>;
}

/** A finite number option, or undefined when absent. */
export function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`${name} must be a number, got ${JSON.stringify(value)}`, name);
  }
  return value;
}

/** A string option, or undefined when absent. */
export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalid(`${name} must be a string, got ${JSON.stringify(value)}`, name);
  return value;
}

/** The classical method option (default lanczos). */
export function classicalMethod(value: unknown): ClassicalMethod {
  if (value === undefined || value === null) return 'lanczos';
  if (!CLASSICAL_METHODS.includes(value as ClassicalMethod)) {
    throw invalid(
      `unknown method ${JSON.stringify(value)} (one of ${CLASSICAL_METHODS.join(', ')})`,
      'method',
    );
  }
  return value as ClassicalMethod;
}

/** Rejects outputs over the pixel limit before any work starts. */
export function checkOutputSize(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new UpscaleError(
      'InvalidArgument',
      `output would be ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels}`,
      ['options'],
    );
  }
}

/** Decoded RGBA pixels of a stored image; a missing or undecodable image is a clear error. */
export async function loadPixels(
  context: CapabilityCallContext,
  image: ImageValue,
): Promise<PixelImage> {
  let raw: Awaited<ReturnType<CapabilityCallContext['images']['getRaw']>>;
  try {
    raw = await context.images.getRaw(image, 4);
  } catch (error) {
    throw new UpscaleError(
      'InvalidArgument',
      `image ${image.$image.slice(0, 12)}… could not be read: ${messageOf(error)}`,
      ['image'],
    );
  }
  if (raw.width < 1 || raw.height < 1) {
    throw new UpscaleError(
      'InvalidArgument',
      `image is ${raw.width}×${raw.height}; it must be at least 1×1`,
      ['image'],
    );
  }
  return raw;
}
