import { ConfigStore } from '@viwo/core';
import { RUNWARE_KEY_CONFIG, RunwareKey, storeRunwareKey } from '@viwo/plugin-runware';
import { outputsFolderConfig } from './outputs/outputs-config-command.ts';

/** Config keys `viwo config` manages (the Runware key is a secret: `get` never prints it). */
const KNOWN_KEYS = [RUNWARE_KEY_CONFIG, 'outputs.folder'] as const;

/**
 * `viwo config set KEY VALUE` (VALUE `-` reads stdin, keeping the key out of shell history),
 * for `runware.api_key` and `outputs.folder` (an absolute folder every finished job's images are
 * also written to; checked and created as `settings.outputs.set` does),
 * `viwo config unset KEY`, `viwo config get KEY` (says whether it is set and from where, never the
 * value). Writes `<dataDir>/config.json` with mode 0600. Returns the exit code.
 */
export async function configCommand(
  args: string[],
  options: { dataDir: string; readStdin: () => Promise<string>; log: (line: string) => void },
): Promise<number> {
  const [action, key, value] = args;
  if (!action || !key || !['set', 'unset', 'get'].includes(action)) {
    throw new Error('usage: viwo config set|unset|get runware.api_key|outputs.folder [VALUE|-]');
  }
  if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
    throw new Error(`unknown config key ${JSON.stringify(key)} (known: ${KNOWN_KEYS.join(', ')})`);
  }
  if (key === 'outputs.folder') return outputsFolderConfig(action, value, options);
  if (action === 'get') {
    const status = await new RunwareKey(options.dataDir, process.env).status();
    options.log(status.configured ? `${key} is set (from ${status.source})` : `${key} is not set`);
    return 0;
  }
  if (action === 'unset') {
    await new ConfigStore(options.dataDir).set(key, undefined);
    options.log(`${key} removed`);
    return 0;
  }
  if (value === undefined) throw new Error(`usage: viwo config set ${key} VALUE (or - for stdin)`);
  const secret = value === '-' ? (await options.readStdin()).trim() : value;
  await storeRunwareKey(options.dataDir, secret);
  options.log(`${key} saved to ${new ConfigStore(options.dataDir).path} (owner-only, mode 0600)`);
  return 0;
}
