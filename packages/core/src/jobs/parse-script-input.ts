import { parseText } from '@viwo/script';
import { coreError } from '../errors.ts';

/**
 * Accepts a script in either form: a string is ViwoScript text (`(std.seq ...)`), anything else
 * is the JSON form itself. (A JSON-form script that is a bare string literal is therefore written
 * as text: `"hello"`.)
 */
export function parseScriptInput(input: unknown): unknown {
  if (input === undefined) throw coreError('InvalidScript', 'script is missing');
  if (typeof input === 'string') return parseText(input);
  return input;
}
