import { parseText } from './text-form.ts';

/**
 * Accepts a script as sent by clients: the text form when it is a string, the JSON form
 * otherwise (a JSON-form script that is just a string literal cannot be sent this way; wrap it in
 * `["std.quote", "..."]`).
 */
export function parseScriptInput(input: unknown): unknown {
  return typeof input === 'string' ? parseText(input) : input;
}
