import { type ImageValue, isImageValue } from '../image-value.ts';

/** Adds every `$image` hash found anywhere inside `value` (scripts, results, options) to `into`. */
export function collectImageHashes(value: unknown, into: Set<string>): Set<string> {
  if (isImageValue(value)) {
    into.add(value.$image);
  } else if (Array.isArray(value)) {
    for (const item of value) collectImageHashes(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectImageHashes(item, into);
  }
  return into;
}

/**
 * Appends every image value found inside `value` whose hash is not in `seen` to `out` (in
 * document order), adding the hash to `seen`; only the `{$image, width, height}` fields are kept.
 */
export function collectImageValues(value: unknown, seen: Set<string>, out: ImageValue[]): void {
  if (isImageValue(value)) {
    if (!seen.has(value.$image)) {
      seen.add(value.$image);
      out.push({ $image: value.$image, width: value.width, height: value.height });
    }
  } else if (Array.isArray(value)) {
    for (const item of value) collectImageValues(item, seen, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectImageValues(item, seen, out);
  }
}
