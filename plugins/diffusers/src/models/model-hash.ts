/**
 * The content hash of a model folder, the part of a deterministic call's identity that the
 * arguments do not show (the result cache must miss when the weights change). Hashing gigabytes
 * is slow, so the hash is kept in memory and in a sidecar file, both keyed by the files' sizes
 * and modification times: it is computed again only when a file changed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const SIDECAR = '.viwo-model-hash.json';
const memory = new Map<string, { signature: string; hash: string }>();

async function listFiles(root: string, directory = root): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, path)));
    else if (entry.isFile() && entry.name !== SIDECAR) files.push(path);
  }
  return files.sort();
}

async function hashFile(path: string, into: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(path)) into.update(chunk as Buffer);
}

/** sha256 over every file of the folder (relative path and bytes, in path order). */
export async function modelFolderHash(directory: string): Promise<string> {
  const files = await listFiles(directory);
  const stats = await Promise.all(files.map((file) => stat(file)));
  const signature = files
    .map(
      (file, index) =>
        `${relative(directory, file)}:${stats[index]!.size}:${stats[index]!.mtimeMs}`,
    )
    .join('\n');
  const known = memory.get(directory);
  if (known?.signature === signature) return known.hash;
  try {
    const saved = JSON.parse(await readFile(join(directory, SIDECAR), 'utf8')) as {
      signature?: unknown;
      hash?: unknown;
    };
    if (saved.signature === signature && typeof saved.hash === 'string') {
      memory.set(directory, { signature, hash: saved.hash });
      return saved.hash;
    }
  } catch {
    // No sidecar yet (or unreadable): hash the files below.
  }
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${relative(directory, file)}\n`);
    await hashFile(file, hash);
  }
  const digest = hash.digest('hex');
  memory.set(directory, { signature, hash: digest });
  // Best effort: a read-only models folder just means hashing again after a restart.
  await writeFile(join(directory, SIDECAR), JSON.stringify({ signature, hash: digest })).catch(
    () => undefined,
  );
  return digest;
}
