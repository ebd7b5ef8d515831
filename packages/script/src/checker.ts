import { arityOf, describeArity } from './arity.ts';
import type { OpcodeDefinition, OpcodeMetadata } from './opcode.ts';
import type { ScriptPath, ScriptProblem } from './script-error.ts';
import { stdMetadataByName } from './std-library.ts';

/** Static limits the checker enforces. */
export interface CheckOptions {
  /** Deepest array nesting accepted (deeper scripts are refused before they run). */
  maxNesting?: number;
  /** Stop collecting after this many problems. */
  maxProblems?: number;
}

/** Result of {@link check}: every static problem, each with its JSON path. */
export interface CheckResult {
  errors: ScriptProblem[];
}

const LITERAL_LIST_HINT =
  'to write a literal list use ["list.new", ...items] or ["std.quote", [...]]';

/**
 * Walks a JSON-form script and reports all static problems at once: empty calls, non-string or
 * unknown opcode names, wrong arity, malformed names, parameter lists and object pairs, and
 * excessive nesting. Never throws; iterative, so any input depth is safe.
 */
export function check(
  script: unknown,
  extraOpcodes: OpcodeDefinition[] = [],
  options: CheckOptions = {},
): CheckResult {
  const maxNesting = options.maxNesting ?? 512;
  const maxProblems = options.maxProblems ?? 100;
  const table = new Map(stdMetadataByName);
  for (const definition of extraOpcodes) table.set(definition.metadata.opcode, definition.metadata);
  const errors: ScriptProblem[] = [];
  const report = (code: string, message: string, path: ScriptPath) => {
    if (errors.length < maxProblems) errors.push({ code, message, path });
  };
  const pending: { node: unknown; path: ScriptPath }[] = [{ node: script, path: [] }];
  while (pending.length > 0 && errors.length < maxProblems) {
    const { node, path } = pending.pop()!;
    if (!Array.isArray(node)) continue;
    if (path.length >= maxNesting) {
      report('DepthExceeded', `script nesting is deeper than ${maxNesting} levels`, path);
      continue;
    }
    if (node.length === 0) {
      report(
        'InvalidScript',
        `empty call []: a call starts with an opcode name; ${LITERAL_LIST_HINT}`,
        path,
      );
      continue;
    }
    const head = node[0];
    if (typeof head !== 'string') {
      report(
        'InvalidScript',
        `${preview(node)} is not a call: its first element must be an opcode name; ${LITERAL_LIST_HINT}`,
        path,
      );
      // Keep walking: nested calls inside a mistaken list may have problems of their own.
      node.forEach((child, index) => {
        pending.push({ node: child, path: [...path, index] });
      });
      continue;
    }
    const metadata = table.get(head);
    if (!metadata) {
      const suggestion = closest(head, table);
      report(
        'UnknownOpcode',
        `unknown opcode '${head}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; if this is data, ${LITERAL_LIST_HINT}`,
        path,
      );
      continue;
    }
    const argumentCount = node.length - 1;
    const arity = arityOf(metadata);
    if (argumentCount < arity.min || argumentCount > arity.max) {
      report(
        'ArityError',
        `${head} takes ${describeArity(arity)} argument(s), got ${argumentCount}`,
        path,
      );
    }
    for (let index = 1; index < node.length; index++) {
      checkArgument(metadata, index, node[index], [...path, index], report, pending);
    }
  }
  // The walk uses a stack (no recursion), which visits later siblings first: report in document order.
  errors.sort((left, right) => comparePaths(left.path, right.path));
  return { errors };
}

/** Document order of two JSON paths: element-wise, a path before its descendants. */
function comparePaths(left: ScriptPath, right: ScriptPath): number {
  const shared = Math.min(left.length, right.length);
  for (let index = 0; index < shared; index++) {
    const a = left[index]!;
    const b = right[index]!;
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a) < String(b) ? -1 : 1;
  }
  return left.length - right.length;
}

function checkArgument(
  metadata: OpcodeMetadata,
  index: number,
  argument: unknown,
  path: ScriptPath,
  report: (code: string, message: string, path: ScriptPath) => void,
  pending: { node: unknown; path: ScriptPath }[],
): void {
  const params = metadata.params;
  const param = params[Math.min(index - 1, params.length - 1)];
  const kind = param?.type;
  if (!metadata.lazy || kind === undefined) {
    pending.push({ node: argument, path });
    return;
  }
  switch (kind) {
    case 'name':
      if (typeof argument !== 'string' || argument === '') {
        report(
          'InvalidScript',
          `${metadata.opcode}: '${param!.name}' must be a literal variable name (a string)`,
          path,
        );
      }
      return;
    case 'params':
      if (
        !Array.isArray(argument) ||
        argument.some((name) => typeof name !== 'string' || name === '')
      ) {
        report(
          'InvalidScript',
          `${metadata.opcode}: parameters must be a literal list of names, e.g. ["x", "y"]`,
          path,
        );
      } else if (new Set(argument).size !== argument.length) {
        report('InvalidScript', `${metadata.opcode}: parameter names must be distinct`, path);
      }
      return;
    case 'quoted':
      return;
    case 'pair':
      // A key is a literal string or an expression (a call) that computes one.
      if (
        !Array.isArray(argument) ||
        argument.length !== 2 ||
        (typeof argument[0] !== 'string' && !Array.isArray(argument[0]))
      ) {
        report(
          'InvalidScript',
          `${metadata.opcode}: each entry must be a pair [key, value] whose key is a string or an expression`,
          path,
        );
        return;
      }
      if (Array.isArray(argument[0])) pending.push({ node: argument[0], path: [...path, 0] });
      pending.push({ node: argument[1], path: [...path, 1] });
      return;
    default:
      pending.push({ node: argument, path });
  }
}

function preview(node: unknown[]): string {
  const text = JSON.stringify(node);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The known opcode nearest to `name` by edit distance, when close enough to be a typo. */
function closest(name: string, table: Map<string, OpcodeMetadata>): string | undefined {
  let best: string | undefined;
  // A suggestion must keep part of what was typed: 'a' → '+' would be noise, not a hint.
  let bestDistance = Math.min(Math.max(2, Math.floor(name.length / 3)), name.length - 1) + 1;
  for (const candidate of table.keys()) {
    const distance = editDistance(name, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(left: string, right: string, cap: number): number {
  if (Math.abs(left.length - right.length) >= cap) return cap;
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}
