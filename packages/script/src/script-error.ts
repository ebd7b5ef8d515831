/** JSON path into a script: array indices (and object keys for literals). */
export type ScriptPath = (string | number)[];

/** Stable error codes. Embedders (core, plugins) may add their own codes. */
export type ScriptErrorCode =
  | 'ParseError'
  | 'InvalidScript'
  | 'UnknownOpcode'
  | 'ArityError'
  | 'TypeError'
  | 'RangeError'
  | 'OutOfGas'
  | 'DepthExceeded'
  | 'Timeout'
  | 'OutputLimit'
  | 'Cancelled'
  | 'Thrown'
  | 'InternalError'
  | (string & {});

/** One static problem found by the checker. */
export interface ScriptProblem {
  code: ScriptErrorCode;
  message: string;
  path: ScriptPath;
}

/**
 * The only error type a script evaluation surfaces.
 *
 * Invariant: `message` never contains a host stack trace; `trace` lists script-level frames
 * (lambda calls) innermost first, each as a readable string with its JSON path.
 */
export class ScriptError extends Error {
  readonly code: ScriptErrorCode;
  readonly path: ScriptPath;
  readonly trace: string[];
  /** For `InvalidScript`: every problem the checker found. */
  readonly errors?: ScriptProblem[];
  /** For `ParseError`: 1-based position in the text. */
  readonly line?: number;
  readonly column?: number;
  /** For `Thrown`: the value the script threw. */
  readonly value?: unknown;

  constructor(
    code: ScriptErrorCode,
    message: string,
    path: ScriptPath = [],
    extra: {
      errors?: ScriptProblem[];
      line?: number;
      column?: number;
      value?: unknown;
      trace?: string[];
    } = {},
  ) {
    super(message);
    this.name = 'ScriptError';
    this.code = code;
    this.path = path;
    this.trace = extra.trace ?? [];
    if (extra.errors) this.errors = extra.errors;
    if (extra.line !== undefined) this.line = extra.line;
    if (extra.column !== undefined) this.column = extra.column;
    if (extra.value !== undefined) this.value = extra.value;
  }

  /** Wire form: `{code, message, path}` plus `errors` for checker failures. */
  toJSON(): { code: string; message: string; path: ScriptPath; errors?: ScriptProblem[] } {
    return {
      code: this.code,
      message: this.message,
      path: this.path,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/**
 * Whether a host error is a stack overflow. Plain string tests on purpose: near the stack limit
 * even compiling a regular expression can overflow (V8 then throws a SyntaxError whose message
 * names the overflow), and the overflow can surface as another error class than RangeError.
 */
function isHostStackOverflow(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const message = String(error.message);
  return (
    message.includes('Maximum call stack') ||
    message.includes('call stack size') ||
    message.includes('too much recursion')
  );
}

/**
 * Converts anything thrown inside an opcode into a ScriptError at `path`. Host errors keep only
 * their message: stacks and internal details never reach script callers.
 */
export function toScriptError(error: unknown, path: ScriptPath): ScriptError {
  if (error instanceof ScriptError) return error;
  if (isHostStackOverflow(error)) {
    return new ScriptError(
      'DepthExceeded',
      'nesting too deep: the script or a value it built is nested deeper than the host stack allows',
      path,
    );
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return new ScriptError(
      typeof code === 'string' && /^[A-Z][A-Za-z]+$/.test(code) ? code : 'InternalError',
      error.message,
      path,
    );
  }
  return new ScriptError('InternalError', String(error), path);
}
