import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A model folder's contents: relative path → bytes or text. */
export type TinyModelFiles = Record<string, Uint8Array | string>;

/** How a tiny layout is produced (the catalog in `tiny-model-catalog.ts` lists them all). */
export interface TinyModelBuilder {
  /** Registry id the model installs under (`tiny-sd15`, …). */
  id: string;
  label: string;
  build(): TinyModelFiles;
}

/**
 * Writes a model folder atomically: into `<dir>.partial`, then renamed, so a crash never leaves a
 * half-written model that the registry would try to load.
 */
export async function writeModelFolder(directory: string, files: TinyModelFiles): Promise<void> {
  const staging = `${directory}.partial`;
  await rm(staging, { recursive: true, force: true });
  for (const [relative, content] of Object.entries(files)) {
    const target = join(staging, relative);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await rm(directory, { recursive: true, force: true });
  await rename(staging, directory);
}

/** Pretty JSON for config files. */
export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
