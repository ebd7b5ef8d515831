/**
 * Results of deterministic capability calls, keyed by the canonical call: capability type,
 * method, validated arguments (images by hash) and the plugin's identity of what computes it (the
 * model file's hash). A repeat of such a call — replaying a recorded canvas, re-running an
 * imported workflow — answers from here instead of running the model again. Entries are small
 * JSON files under the data dir; the images they name live in the image store and are checked to
 * still exist on every hit.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectImageHashes } from '../images/collect-image-hashes.ts';

/** A cached answer: the method's result and the seeds it reported. */
export interface CachedResult {
  result: unknown;
  seeds: number[];
}

/** JSON with object keys sorted at every level, so equal calls give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The cache key of a call (sha256 hex of its canonical form). */
export function resultCacheKey(
  type: string,
  method: string,
  args: readonly unknown[],
  identity: string,
): string {
  return createHash('sha256').update(canonicalJson({ type, method, args, identity })).digest('hex');
}

/** File-backed result cache (`<dataDir>/result-cache/<key>.json`). */
export class ResultCache {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly hasImage: (hash: string) => Promise<boolean>,
  ) {
    this.root = join(dataDir, 'result-cache');
  }

  /** The cached answer for `key`, or undefined (also when an image it names is gone). */
  async get(key: string): Promise<CachedResult | undefined> {
    let entry: CachedResult;
    try {
      entry = JSON.parse(await readFile(this.path(key), 'utf8')) as CachedResult;
    } catch {
      return undefined;
    }
    for (const hash of collectImageHashes(entry.result, new Set())) {
      if (!(await this.hasImage(hash))) return undefined;
    }
    return entry;
  }

  /** Stores an answer (written to a temp file and renamed, so readers never see half of one). */
  async put(key: string, entry: CachedResult): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const temp = `${this.path(key)}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, this.path(key));
  }

  private path(key: string): string {
    return join(this.root, `${key}.json`);
  }
}
