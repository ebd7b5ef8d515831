import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The sha256 (hex) of a file, streamed: model weights run to hundreds of MB and must never be
 * read into memory whole. Plugins use it for the model identity in result-cache keys.
 */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
