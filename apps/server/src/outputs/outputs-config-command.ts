import { ConfigStore } from '@viwo/core';
import {
  OUTPUTS_FOLDER_CONFIG,
  OutputsFolderError,
  prepareOutputsFolder,
  readOutputsFolder,
} from './outputs-folder.ts';

/**
 * `viwo config get|set|unset outputs.folder [PATH]`: `get` prints the folder (not a secret),
 * `set` checks and creates it exactly as `settings.outputs.set` does, `unset` turns writing off.
 * Returns the exit code; a refused folder throws an error naming `outputs.folder`.
 */
export async function outputsFolderConfig(
  action: string,
  value: string | undefined,
  options: { dataDir: string; log: (line: string) => void },
): Promise<number> {
  const store = new ConfigStore(options.dataDir);
  if (action === 'get') {
    const folder = await readOutputsFolder(options.dataDir);
    options.log(folder === null ? `${OUTPUTS_FOLDER_CONFIG} is not set` : folder);
    return 0;
  }
  if (action === 'unset') {
    await store.set(OUTPUTS_FOLDER_CONFIG, undefined);
    options.log(`${OUTPUTS_FOLDER_CONFIG} removed: results are no longer written to a folder`);
    return 0;
  }
  if (value === undefined) throw new Error(`usage: viwo config set ${OUTPUTS_FOLDER_CONFIG} PATH`);
  let folder: string;
  try {
    folder = await prepareOutputsFolder(value, options.dataDir);
  } catch (error) {
    if (error instanceof OutputsFolderError) {
      throw new Error(`${OUTPUTS_FOLDER_CONFIG} ${error.message}`);
    }
    throw error;
  }
  await store.set(OUTPUTS_FOLDER_CONFIG, folder);
  options.log(`${OUTPUTS_FOLDER_CONFIG} set: results are written to ${folder}`);
  return 0;
}
