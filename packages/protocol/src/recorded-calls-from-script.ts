/**
 * What a script's capability calls are, read from the script alone (it is never evaluated): the
 * history `params` and `seeds` of a job that never got to record them itself (interrupted by a
 * restart, or failed before its first call). Both the server (when it marks interrupted jobs) and
 * the client (older entries) use this one reading, so they agree on an entry's prompt and seed.
 */
import type { RecordedCall } from './history.ts';

/** The calls and seeds a script states literally. */
export interface ScriptCalls {
  /** `std.call_method` calls on a statically known capability type, in evaluation order. */
  calls: RecordedCall[];
  /** The `seed` options of those calls (`seed … seed + batch_size − 1` for a batch). */
  seeds: number[];
}

/** More seeds than any generation plugin allows in one batch are not believed. */
const MAX_BATCH = 64;

/** A name's statically known binding: a capability handle's type, or a literal value. */
type Binding = { kind: 'handle'; type: string } | { kind: 'value'; value: unknown };

/** A visit: `enter` walks a node's children first, `exit` then acts on the node itself. */
type Visit = { node: unknown[]; exit: boolean };

/** Statically known value of an argument expression; `undefined` when only a run could tell. */
function staticValue(node: unknown, bindings: ReadonlyMap<string, Binding>): unknown {
  if (!Array.isArray(node)) return node;
  if (node[0] === 'std.quote') return node[1];
  if (node[0] === 'std.var' && typeof node[1] === 'string') {
    const binding = bindings.get(node[1]);
    return binding?.kind === 'value' ? binding.value : undefined;
  }
  return undefined;
}

/** The capability type a handle expression stands for, when it is statically known. */
function handleType(node: unknown, bindings: ReadonlyMap<string, Binding>): string | undefined {
  if (!Array.isArray(node)) return undefined;
  if (node[0] === 'get_capability' && typeof node[1] === 'string') return node[1];
  if (node[0] === 'std.var' && typeof node[1] === 'string') {
    const binding = bindings.get(node[1]);
    return binding?.kind === 'handle' ? binding.type : undefined;
  }
  return undefined;
}

/** The seeds an options object asks for (none when it names no integer seed). */
function seedsOf(options: unknown): number[] {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return [];
  const { seed, batch_size: batch } = options as { seed?: unknown; batch_size?: unknown };
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) return [];
  const count =
    typeof batch === 'number' && Number.isInteger(batch) && batch > 1 && batch <= MAX_BATCH
      ? batch
      : 1;
  const seeds: number[] = [];
  for (let index = 0; index < count && Number.isSafeInteger(seed + index); index++)
    seeds.push(seed + index);
  return seeds;
}

/** Records a binding made by `std.let` / `std.set` (an unknown value forgets the name). */
function bind(node: unknown[], bindings: Map<string, Binding>): void {
  const name = node[1];
  if (typeof name !== 'string') return;
  const type = handleType(node[2], bindings);
  if (type !== undefined) {
    bindings.set(name, { kind: 'handle', type });
    return;
  }
  const value = staticValue(node[2], bindings);
  if (value === undefined) bindings.delete(name);
  else bindings.set(name, { kind: 'value', value });
}

/**
 * The capability calls a script makes, as a finished job would record them, as far as static
 * reading allows: each `std.call_method` whose handle is a literal `get_capability` (or a name
 * bound to one) gives `{type, method, args}`, in evaluation order (arguments before the call,
 * steps in sequence). An argument that only a run could compute is recorded as `null`; literal
 * arguments, quoted values and names bound to literals are recorded as written (a job records
 * them after validation, with defaults filled in). Calls inside `std.quote` are data, not calls.
 * Seeds come from each recorded call's trailing options object (`seed`, and `batch_size`
 * consecutive seeds as the generation plugins use them).
 *
 * Total: never throws, whatever JSON it is given; the walk is iterative, so nesting depth is no
 * risk either.
 */
export function recordedCallsFromScript(script: unknown): ScriptCalls {
  const calls: RecordedCall[] = [];
  const seeds: number[] = [];
  if (!Array.isArray(script)) return { calls, seeds };
  const bindings = new Map<string, Binding>();
  const pending: Visit[] = [{ node: script, exit: false }];
  while (pending.length > 0) {
    const visit = pending.pop()!;
    const node = visit.node;
    if (node[0] === 'std.quote') continue;
    if (!visit.exit) {
      pending.push({ node, exit: true });
      // Children pushed last-first, so they are walked in order.
      for (let index = node.length - 1; index >= 1; index--) {
        const child = node[index];
        if (Array.isArray(child)) pending.push({ node: child, exit: false });
      }
      continue;
    }
    if (node[0] === 'std.let' || node[0] === 'std.set') bind(node, bindings);
    if (node[0] !== 'std.call_method' || typeof node[2] !== 'string') continue;
    const type = handleType(node[1], bindings);
    if (type === undefined) continue;
    const args = node.slice(3).map((arg) => staticValue(arg, bindings) ?? null);
    calls.push({ type, method: node[2], args });
    seeds.push(...seedsOf(args.at(-1)));
  }
  return { calls, seeds };
}
