import { isImageValue } from '../image-value.ts';

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
