import { parseScriptInput as parseClientScript } from '@viwo/script';
import { coreError } from '../errors.ts';

/**
 * Accepts a script in either form: a string is ViwoScript text (`(std.seq ...)`), anything else
 * is the JSON form itself (`@viwo/script`'s rule), plus a clear error when it is missing.
 */
export function parseScriptInput(input: unknown): unknown {
  if (input === undefined) throw coreError('InvalidScript', 'script is missing');
  return parseClientScript(input);
}
