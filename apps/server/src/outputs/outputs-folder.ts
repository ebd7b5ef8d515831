import { constants } from 'node:fs';
import { access, mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigStore } from '@viwo/core';

/** The config key (in `<dataDir>/config.json`) holding the outputs folder; absent means off. */
export const OUTPUTS_FOLDER_CONFIG = 'outputs.folder';

/** The configured outputs folder, or null when writing results to a folder is off. */
export async function readOutputsFolder(dataDir: string): Promise<string | null> {
  return (await new ConfigStore(dataDir).get(OUTPUTS_FOLDER_CONFIG)) ?? null;
}

/** Why a folder cannot be the outputs folder (the message names the folder, not `folder`). */
export class OutputsFolderError extends Error {}

/** Whether `path` is `parent` itself or lies inside it (both absolute and normalised). */
function isWithin(path: string, parent: string): boolean {
  const rest = relative(parent, path);
  return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !isAbsolute(rest));
}

/** Longest folder path accepted (Linux's PATH_MAX). */
const MAX_PATH = 4096;

/**
 * Checks a requested outputs folder and prepares it: an absolute path (a string without NUL),
 * not the data directory nor inside it (symlinks resolved), created when missing, a directory,
 * and writable (a probe file is written and removed, which also holds for root, who ignores
 * permission bits). Returns the normalised absolute path; throws {@link OutputsFolderError}.
 */
export async function prepareOutputsFolder(value: unknown, dataDir: string): Promise<string> {
  if (typeof value !== 'string') {
    throw new OutputsFolderError(
      `must be an absolute path (a string) or null, got ${value === null ? 'null' : typeof value}`,
    );
  }
  // Longer than any real path (Linux PATH_MAX); also keeps the refusals below from echoing it.
  if (value.length > MAX_PATH) {
    throw new OutputsFolderError(`must be at most ${MAX_PATH} characters, got ${value.length}`);
  }
  if (value.includes('\0')) throw new OutputsFolderError('must not contain a NUL character');
  if (!isAbsolute(value)) {
    throw new OutputsFolderError(`must be an absolute path, got ${JSON.stringify(value)}`);
  }
  const folder = resolve(value);
  const data = resolve(dataDir);
  const realData = await realpath(data).catch(() => data);
  const insideData = `must not be inside the server's data directory (${data})`;
  if (isWithin(folder, data) || isWithin(folder, realData))
    throw new OutputsFolderError(insideData);
  // Checked before mkdir too, so a symlink into the data directory creates nothing there.
  if (isWithin(await realpathOfNearest(folder), realData)) throw new OutputsFolderError(insideData);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw new OutputsFolderError(`${folder} could not be created: ${reason(error)}`);
  }
  if (!(await stat(folder)).isDirectory()) {
    throw new OutputsFolderError(`${folder} is not a directory`);
  }
  // A symlink (anywhere along the path) into the data directory is refused like the path itself.
  if (isWithin(await realpath(folder), realData)) throw new OutputsFolderError(insideData);
  const probe = join(folder, `.viwo-write-check-${process.pid}-${Date.now()}`);
  try {
    await access(folder, constants.W_OK);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw new OutputsFolderError(`${folder} is not writable: ${reason(error)}`);
  }
  return folder;
}

/** The real path of `path`, resolving symlinks in its nearest existing ancestor. */
async function realpathOfNearest(path: string): Promise<string> {
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    try {
      return join(await realpath(existing), ...missing.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      missing.push(basename(existing));
      existing = parent;
    }
  }
}

/** A file-system error as its code and short message (no stack). */
export function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}
