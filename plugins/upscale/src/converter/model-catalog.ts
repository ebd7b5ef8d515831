import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValueRange } from './keras-to-onnx.ts';

/** Model families we know how to find, by public id (ids name the family, not the scale). */
export const MODEL_FAMILIES = [
  { id: 'esrgan-slim', packageName: '@upscalerjs/esrgan-slim', scaledExports: true },
  { id: 'esrgan-medium', packageName: '@upscalerjs/esrgan-medium', scaledExports: true },
  { id: 'esrgan-thick', packageName: '@upscalerjs/esrgan-thick', scaledExports: true },
  { id: 'default', packageName: '@upscalerjs/default-model', scaledExports: false },
] as const;

/** Scales the `@upscalerjs/esrgan-*` packages export as `<pkg>/<N>x`. */
const CANDIDATE_SCALES = [2, 3, 4, 8] as const;

/** One installed model at one scale, with everything conversion needs. */
export interface UpscaleModelEntry {
  /** Family id, e.g. `esrgan-slim`. */
  id: string;
  scale: number;
  packageName: string;
  packageVersion: string;
  packageDir: string;
  /** Absolute path of the TF.js `model.json`. */
  modelJsonPath: string;
  inputRange: ValueRange;
  outputRange: ValueRange;
}

/** The fields of an UpscalerJS model definition we read. */
interface UpscalerModelDefinition {
  scale?: unknown;
  inputRange?: unknown;
  outputRange?: unknown;
  modelType?: unknown;
  _internals?: { path?: unknown };
}

/**
 * Finds every installed UpscalerJS model package and scale.
 *
 * The value ranges and the model file path come from the package's own model definition (its
 * ESM entry), which we import for data only: the definition's optional `setup(tf)` is never
 * called, so TensorFlow.js is not a runtime dependency. Packages that are not installed are
 * skipped, so the capability's enum options list exactly what is installed.
 */
export async function discoverInstalledModels(): Promise<UpscaleModelEntry[]> {
  const entries: UpscaleModelEntry[] = [];
  for (const family of MODEL_FAMILIES) {
    const packageDir = await findPackageDir(family.packageName);
    if (!packageDir) continue;
    const packageJson = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
      version?: string;
    };
    const specifiers = family.scaledExports
      ? CANDIDATE_SCALES.map((scale) => `${family.packageName}/${scale}x`)
      : [family.packageName];
    for (const specifier of specifiers) {
      const definition = await importDefinition(specifier);
      if (!definition) continue;
      const entry = entryFromDefinition(family.id, family.packageName, packageDir, definition);
      if (entry) entries.push({ ...entry, packageVersion: packageJson.version ?? '0.0.0' });
    }
  }
  return entries;
}

async function importDefinition(specifier: string): Promise<UpscalerModelDefinition | undefined> {
  try {
    const module = (await import(specifier)) as { default?: UpscalerModelDefinition };
    return module.default;
  } catch {
    // The ESM build imports without file extensions, which Node's loader rejects (Bun accepts
    // it); the package's CommonJS build holds the same definition.
    try {
      const module = createRequire(import.meta.url)(specifier) as {
        default?: UpscalerModelDefinition;
      } & UpscalerModelDefinition;
      return module.default ?? module;
    } catch {
      // Not installed or this scale is not exported: the model is simply not offered.
      return undefined;
    }
  }
}

function entryFromDefinition(
  id: string,
  packageName: string,
  packageDir: string,
  definition: UpscalerModelDefinition,
): Omit<UpscaleModelEntry, 'packageVersion'> | undefined {
  const scale = Number(definition.scale);
  const path = definition._internals?.path;
  if (!Number.isInteger(scale) || scale < 2 || typeof path !== 'string') return undefined;
  if (definition.modelType !== undefined && definition.modelType !== 'layers') return undefined;
  return {
    id,
    scale,
    packageName,
    packageDir,
    modelJsonPath: join(packageDir, path),
    inputRange: readRange(definition.inputRange),
    outputRange: readRange(definition.outputRange),
  };
}

/** UpscalerJS treats a missing range as raw pixels (0–255). */
function readRange(value: unknown): ValueRange {
  if (Array.isArray(value) && value.length === 2) {
    const [low, high] = value.map(Number) as [number, number];
    if (Number.isFinite(low) && Number.isFinite(high) && high > low) return [low, high];
  }
  return [0, 255];
}

/** The installed package's root directory, found from its resolved entry point. */
async function findPackageDir(packageName: string): Promise<string | undefined> {
  let resolved: string;
  try {
    resolved = fileURLToPath(import.meta.resolve(packageName));
  } catch {
    return undefined;
  }
  let directory = dirname(resolved);
  while (directory !== dirname(directory)) {
    try {
      const json = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as {
        name?: string;
      };
      if (json.name === packageName) return directory;
    } catch {
      // No package.json here; keep walking up.
    }
    directory = dirname(directory);
  }
  return undefined;
}
