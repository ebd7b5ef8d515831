import { check } from './checker.ts';
import { isLoopSignal, nestingDepth, ReturnSignal } from './compiled-node.ts';
import { Compiler } from './compiler.ts';
import {
  defaultLimits,
  type EvaluationLimits,
  EvaluationState,
  type LogEntry,
} from './evaluation-state.ts';
import type { LogLevel, OpcodeDefinition } from './opcode.ts';
import { Scope } from './scope.ts';
import { ScriptError, toScriptError } from './script-error.ts';
import { specialFormNames } from './special-forms.ts';
import { nativeOpcodes } from './std-library.ts';
import { jsonText } from './values.ts';

/** Options of {@link evaluate}. Every budget has a default (see `defaultLimits`). */
export interface EvaluateOptions {
  /** Opcodes added by the embedder (kernel, canvas, plugins); they may return promises. */
  opcodes?: OpcodeDefinition[];
  gas?: number;
  maxDepth?: number;
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** Deepest array nesting accepted in the script itself. */
  maxNesting?: number;
  signal?: AbortSignal;
  /** Passed to external opcodes as `context.host`. */
  host?: unknown;
  /** Arguments visible to `std.arg` / `std.args` at the top level. */
  args?: unknown[];
  onLog?: (level: LogLevel, message: string) => void;
}

/** Outcome of a successful evaluation. */
export interface EvaluateResult {
  value: unknown;
  gasUsed: number;
  logs: LogEntry[];
}

/**
 * Checks, compiles and runs a JSON-form script.
 *
 * Rejects only with ScriptError: static problems as `InvalidScript` (all of them in `errors`),
 * runtime failures with their code and JSON path. Host errors and stack overflows are converted;
 * no host stack trace reaches the caller.
 */
export async function evaluate(
  script: unknown,
  options: EvaluateOptions = {},
): Promise<EvaluateResult> {
  const extra = options.opcodes ?? [];
  const maxNesting = options.maxNesting ?? 512;
  const { errors } = check(script, extra, { maxNesting });
  if (errors.length > 0) {
    const first = errors[0]!;
    // A script too deep to run is a budget failure, not a syntax one: keep its specific code.
    const code = errors.every((problem) => problem.code === 'DepthExceeded')
      ? 'DepthExceeded'
      : 'InvalidScript';
    const message =
      errors.length === 1 ? first.message : `${errors.length} problems; first: ${first.message}`;
    throw new ScriptError(code, message, first.path, { errors });
  }
  const limits: EvaluationLimits = {
    gas: options.gas ?? defaultLimits.gas,
    maxDepth: options.maxDepth ?? defaultLimits.maxDepth,
    maxStack: Math.max(defaultLimits.maxStack, nestingDepth(script) + 1),
    timeoutMs: options.timeoutMs ?? defaultLimits.timeoutMs,
    maxOutputBytes: options.maxOutputBytes ?? defaultLimits.maxOutputBytes,
  };
  const state = new EvaluationState(
    limits,
    options.signal ?? new AbortController().signal,
    options.host,
    options.onLog,
  );
  // Standard opcodes take precedence: an embedder cannot silently redefine `+` or `std.if`.
  const external = new Map<string, OpcodeDefinition>();
  for (const definition of extra) {
    const name = definition.metadata.opcode;
    if (!nativeOpcodes.has(name) && !specialFormNames.has(name)) external.set(name, definition);
  }
  try {
    state.checkInterrupts([]);
    const root = new Compiler(state, { native: nativeOpcodes, external }).compileRoot(script);
    let value: unknown;
    try {
      value = root(new Scope(null, options.args ?? []));
      if (value instanceof Promise) value = await value;
    } catch (signal) {
      value = unwindTopLevel(signal);
    }
    const size = jsonText(value ?? null, []).length;
    state.addOutput(size, []);
    return { value: value ?? null, gasUsed: state.gasUsed, logs: state.logs };
  } catch (error) {
    throw toScriptError(error, []);
  }
}

/** `std.return` at the top level ends the script with its value; stray break/continue are errors. */
function unwindTopLevel(signal: unknown): unknown {
  if (signal instanceof ReturnSignal) return signal.value;
  if (isLoopSignal(signal)) {
    throw new ScriptError('InvalidScript', 'std.break/std.continue used outside a loop', []);
  }
  throw signal;
}
