/**
 * The sha256 of a TF.js layers model's files (`model.json`, then its shards in manifest order):
 * what names a converted model on disk and what the result cache keys an upscale by. The thick
 * ESRGAN weights are ~110 MB, so the hash is kept in memory keyed by every file's path, size and
 * modification time, and computed again only when one of them changed.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CapabilityError } from '@viwo/core';
import { messageOf } from '../errors.ts';
import { readKerasModelFiles } from './keras-layers-model.ts';

const memory = new Map<string, { signature: string; hash: string }>();

/** Paths of `model.json` and of every shard its manifest names (relative to the JSON file). */
async function modelFilePaths(modelJsonPath: string): Promise<string[]> {
  let json: { weightsManifest?: unknown };
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as { weightsManifest?: unknown };
  } catch (error) {
    throw new CapabilityError(
      'NotFound',
      `cannot read model file ${modelJsonPath}: ${messageOf(error)}`,
    );
  }
  const paths = [modelJsonPath];
  const manifest = Array.isArray(json.weightsManifest) ? json.weightsManifest : [];
  for (const group of manifest as { paths?: unknown }[]) {
    for (const shard of Array.isArray(group.paths) ? group.paths : [])
      paths.push(join(dirname(modelJsonPath), String(shard)));
  }
  return paths;
}

/** Path, size and mtime of each file: equal signatures mean the bytes were not rewritten. */
async function signatureOf(paths: string[]): Promise<string> {
  const parts: string[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      parts.push(`${path}:${info.size}:${info.mtimeMs}`);
    } catch (error) {
      throw new CapabilityError('NotFound', `cannot read weight file ${path}: ${messageOf(error)}`);
    }
  }
  return parts.join('\n');
}

/** sha256 hex of `model.json` followed by its shards, memoised by the files' path+size+mtime. */
export async function weightsSha256(modelJsonPath: string): Promise<string> {
  const signature = await signatureOf(await modelFilePaths(modelJsonPath));
  const known = memory.get(modelJsonPath);
  if (known?.signature === signature) return known.hash;
  const files = await readKerasModelFiles(modelJsonPath);
  const hash = createHash('sha256').update(files.modelJson);
  for (const shard of files.shards) hash.update(shard);
  const digest = hash.digest('hex');
  memory.set(modelJsonPath, { signature, hash: digest });
  return digest;
}
