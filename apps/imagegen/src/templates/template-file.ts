/**
 * Client side of template files: the `.viwo-template.json` name for an export, reading a picked
 * or dropped file before it goes to `templates.import` (the server validates against
 * `packages/core/schemas/viwo-template.schema.json` and migrates old versions), and the `exposed`
 * parameter shape this editor owns.
 */

/** A value inside the template's script the user may change before running it. */
export type ExposedParam = {
  /** JSON path of the literal inside the script. */
  path: (string | number)[];
  /** Shown label. */
  label: string;
  /** Param type from metadata (`number`, `text`, `seed`, …) so the right input is shown. */
  type: string;
};

/** File name for an export: the template name made safe for file systems. */
export function templateFileName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[^\w\- .]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 80);
  return `${safe || 'template'}.viwo-template.json`;
}

/** Why an import file was refused before reaching the server. */
export class TemplateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateFileError';
  }
}

/**
 * Parses the text of an import file. Only checks that it is a JSON object; schema validation and
 * migration are the server's (one validator, so the client cannot drift from it).
 */
export function parseTemplateFile(text: string, fileName: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TemplateFileError(`${fileName} is not valid JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TemplateFileError(
      `${fileName} must hold a JSON object (a .viwo-template.json export)`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Reads the literal at `path` inside a script (undefined when the path does not exist). */
export function valueAtPath(script: unknown, path: readonly (string | number)[]): unknown {
  let current: unknown = script;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** A copy of `script` with the value at `path` replaced (the original is left untouched). */
export function withValueAtPath(
  script: unknown,
  path: readonly (string | number)[],
  value: unknown,
): unknown {
  if (path.length === 0) return value;
  const [step, ...rest] = path;
  if (Array.isArray(script) && typeof step === 'number' && step >= 0 && step < script.length) {
    const copy = [...script];
    copy[step] = withValueAtPath(script[step], rest, value);
    return copy;
  }
  if (script && typeof script === 'object' && !Array.isArray(script) && typeof step === 'string') {
    return {
      ...(script as Record<string, unknown>),
      [step]: withValueAtPath((script as Record<string, unknown>)[step], rest, value),
    };
  }
  throw new TemplateFileError(
    `exposed parameter path ${JSON.stringify(path)} is not in the script`,
  );
}

/** The exposed params of a record that have this editor's shape (others are ignored). */
export function exposedParams(record: { exposed?: readonly unknown[] }): ExposedParam[] {
  const entries: readonly unknown[] = record.exposed ?? [];
  return entries.filter(
    (entry): entry is ExposedParam =>
      Array.isArray((entry as ExposedParam).path) &&
      typeof (entry as ExposedParam).label === 'string' &&
      typeof (entry as ExposedParam).type === 'string',
  );
}
