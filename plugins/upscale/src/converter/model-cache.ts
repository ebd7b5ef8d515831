import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CapabilityError } from '@viwo/core';
import { messageOf } from '../errors.ts';
import { parseKerasLayersModel, readKerasModelFiles } from './keras-layers-model.ts';
import { type ConvertedModelInfo, convertKerasToOnnx } from './keras-to-onnx.ts';
import type { UpscaleModelEntry } from './model-catalog.ts';
import { weightsSha256 as weightsHash } from './weights-hash.ts';

/** Bumped whenever the converter's output for the same weights changes. */
const CONVERTER_VERSION = 2;

/** Sidecar written next to each cached `.onnx`: proves the file is complete and unmodified. */
interface CacheSidecar {
  converterVersion: number;
  onnxSha256: string;
  onnxBytes: number;
  weightsSha256: string;
  source: { packageName: string; packageVersion: string; scale: number };
  info: ConvertedModelInfo;
}

/** A converted model on disk, ready for `createSession(path)`. */
export interface CachedModel {
  path: string;
  info: ConvertedModelInfo;
  /** True when this call converted (no valid cache existed). */
  converted: boolean;
}

const pending = new Map<string, Promise<CachedModel>>();

/**
 * What decides a converted model's output besides its input, for the result cache: the converter
 * version, the weights' hash and the value ranges the conversion bakes in.
 */
export async function convertedModelIdentity(entry: UpscaleModelEntry): Promise<string> {
  const ranges = JSON.stringify([entry.inputRange, entry.outputRange]);
  return `converter${CONVERTER_VERSION}:${await weightsHash(entry.modelJsonPath)}:${ranges}`;
}

/** The directory converted ESRGAN models live in. */
export function upscaleModelDir(dataDir: string): string {
  return join(dataDir, 'models', 'upscale');
}

/**
 * Returns the converted ONNX model for an installed entry, converting on first use.
 *
 * Cache key: `<model>-x<scale>-<sha256(model.json + shards) prefix>.onnx`, so new weights get a
 * new file. Invariant: a cache file is used only if its sidecar exists, names this converter
 * version, and the file's size and sha256 match it; anything else (corrupt, truncated, half
 * written by a crashed process) is rebuilt. Both files are written to a temp name and renamed, so
 * readers never see partial content. Concurrent callers in this process share one conversion.
 */
export function ensureConvertedModel(
  entry: UpscaleModelEntry,
  dataDir: string,
  log: (level: 'info' | 'warn', message: string) => void = () => {},
): Promise<CachedModel> {
  const key = `${dataDir}\u0000${entry.id}\u0000${entry.scale}`;
  const existing = pending.get(key);
  if (existing) return existing;
  const work = loadOrConvert(entry, dataDir, log).finally(() => pending.delete(key));
  pending.set(key, work);
  return work;
}

async function loadOrConvert(
  entry: UpscaleModelEntry,
  dataDir: string,
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<CachedModel> {
  // Memoised by the files' size and mtime: a valid cache is found without reading the weights.
  const weightsSha256 = await weightsHash(entry.modelJsonPath);
  const directory = upscaleModelDir(dataDir);
  const path = join(directory, `${entry.id}-x${entry.scale}-${weightsSha256.slice(0, 16)}.onnx`);

  const problem = await validateCache(path, weightsSha256);
  if (problem === undefined) {
    const sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CacheSidecar;
    return { path, info: sidecar.info, converted: false };
  }
  if (problem !== 'missing') log('warn', `rebuilding ${path}: ${problem}`);
  else log('info', `converting ${entry.packageName} x${entry.scale} to ONNX`);

  const model = parseKerasLayersModel(
    await readKerasModelFiles(entry.modelJsonPath),
    entry.modelJsonPath,
  );
  const { bytes, info } = convertKerasToOnnx(model, {
    inputRange: entry.inputRange,
    outputRange: entry.outputRange,
  });
  if (info.scale !== entry.scale) {
    throw new CapabilityError(
      'ConversionFailed',
      `${entry.modelJsonPath}: the network upscales ×${info.scale} but its definition says ×${entry.scale}`,
    );
  }
  const sidecar: CacheSidecar = {
    converterVersion: CONVERTER_VERSION,
    onnxSha256: createHash('sha256').update(bytes).digest('hex'),
    onnxBytes: bytes.length,
    weightsSha256,
    source: {
      packageName: entry.packageName,
      packageVersion: entry.packageVersion,
      scale: entry.scale,
    },
    info,
  };
  await mkdir(directory, { recursive: true });
  await writeAtomically(path, bytes);
  await writeAtomically(
    `${path}.json`,
    new TextEncoder().encode(`${JSON.stringify(sidecar, null, 2)}\n`),
  );
  return { path, info, converted: true };
}

/** `undefined` when the cache entry is valid, else why not (`'missing'` when absent). */
async function validateCache(path: string, weightsSha256: string): Promise<string | undefined> {
  let sidecar: CacheSidecar;
  try {
    sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CacheSidecar;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        await readFile(path);
        return 'checksum sidecar is missing';
      } catch {
        return 'missing';
      }
    }
    return `checksum sidecar is unreadable (${messageOf(error)})`;
  }
  if (sidecar.converterVersion !== CONVERTER_VERSION) return 'written by another converter version';
  if (sidecar.weightsSha256 !== weightsSha256) return 'weights changed';
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return 'model file is missing';
  }
  if (bytes.length !== sidecar.onnxBytes) {
    return `model file has ${bytes.length} bytes, expected ${sidecar.onnxBytes} (truncated?)`;
  }
  if (createHash('sha256').update(bytes).digest('hex') !== sidecar.onnxSha256) {
    return 'model file checksum does not match (corrupt)';
  }
  return undefined;
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
