import { readPngText } from '@viwo/protocol';

/** Two digits, zero-padded. */
const pad = (value: number) => String(value).padStart(2, '0');

/** The local date of `time` as `YYYY-MM-DD` (the folder a result goes into). */
export function outputDateFolder(time: Date): string {
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
}

/**
 * A user name as a folder name: lower case, only `[a-z0-9_-]` (anything else, dots included,
 * becomes `_`, so no name can climb out of the folder), never empty.
 */
export function outputUserFolder(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '_') || 'user';
}

/**
 * The seed an image was generated with, read from its own text chunks: the `viwo` chunk's
 * recorded options (`params.options.seed`), else the A1111 `parameters` line's `Seed: N`.
 * Undefined for images no seeded call made (uploads, canvas composites, upscales).
 */
export function recordedSeed(text: Record<string, string>): number | undefined {
  const viwo = text.viwo;
  if (viwo !== undefined) {
    try {
      const parsed: unknown = JSON.parse(viwo);
      const seed = (parsed as { params?: { options?: { seed?: unknown } } } | null)?.params?.options
        ?.seed;
      if (typeof seed === 'number' && Number.isSafeInteger(seed)) return seed;
    } catch {
      // A malformed chunk falls through to the parameters text.
    }
  }
  const match = /(?:^|[\s,])Seed: (\d{1,16})(?:,|$|\s)/m.exec(text.parameters ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The extension of stored image bytes, by their signature (the image store holds PNG). */
export function imageExtension(bytes: Uint8Array): 'png' | 'jpg' | 'webp' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  const riff = String.fromCharCode(...bytes.subarray(0, 4));
  const webp = String.fromCharCode(...bytes.subarray(8, 12));
  return riff === 'RIFF' && webp === 'WEBP' ? 'webp' : 'png';
}

/**
 * The file name of one result: `<HHMMSS>-<seed>-<first 8 of hash>.<ext>` (local time of the
 * job's end; `noseed` when the image records no seed).
 */
export function outputFileName(bytes: Uint8Array, hash: string, ended: Date): string {
  const extension = imageExtension(bytes);
  let seed: number | undefined;
  if (extension === 'png') {
    try {
      seed = recordedSeed(readPngText(bytes));
    } catch {
      seed = undefined;
    }
  }
  const time = `${pad(ended.getHours())}${pad(ended.getMinutes())}${pad(ended.getSeconds())}`;
  return `${time}-${seed ?? 'noseed'}-${hash.slice(0, 8)}.${extension}`;
}
