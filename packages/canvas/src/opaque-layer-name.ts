/**
 * Names of the locked layers that stand for non-canvas calls in Layer Mode. A bare opcode
 * (`std.call_method`, `std.let`) says nothing to a user; the name says what the call does:
 * `image = canvas.composite`, `upscale.upscale (esrgan-slim, ×4)`.
 */
import { recordedCallsFromScript } from '@viwo/protocol';

/** Longest name shown; longer ones end in `…`. */
const MAX_NAME = 60;

function clip(text: string): string {
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME - 1)}…` : text;
}

/** A short note of a call's literal model and factor options, e.g. ` (esrgan-slim, ×4)`. */
function optionNote(args: readonly unknown[]): string {
  const options = args.at(-1);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return '';
  const record = options as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['model', 'model_id']) {
    if (typeof record[key] === 'string') parts.push(record[key] as string);
  }
  if (typeof record.factor === 'number') parts.push(`×${record.factor}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A top-level `std.let`/`std.set` of a capability handle or a literal (no calls inside). */
function isStaticBinding(operation: unknown): boolean {
  if (!Array.isArray(operation)) return false;
  const [opcode, name, value] = operation;
  if ((opcode !== 'std.let' && opcode !== 'std.set') || typeof name !== 'string') return false;
  return (
    !Array.isArray(value) ||
    value[0] === 'std.quote' ||
    (value[0] === 'get_capability' && typeof value[1] === 'string')
  );
}

/**
 * The display name of top-level operation `index` of `operations` (the earlier ones are read
 * only for the capability handles and literals they bind). Capability calls inside it are named `type.method`;
 * other expressions by their opcode; a `std.let`/`std.set` is `name = …`.
 */
export function opaqueLayerName(operations: readonly unknown[], index: number): string {
  const operation = operations[index];
  if (!Array.isArray(operation)) return clip(JSON.stringify(operation) ?? 'value');
  // Its calls, read with the earlier bindings that can name a handle or a literal in scope. Those
  // bindings hold no calls themselves, so every call found is this operation's; the walk stays
  // linear in this operation (replay names every opaque layer on each canvas change).
  const bindings = operations.slice(0, index).filter(isStaticBinding);
  const { calls } = recordedCallsFromScript(['std.seq', ...bindings, operation]);
  const [opcode, name, value] = operation;
  const binds = (opcode === 'std.let' || opcode === 'std.set') && typeof name === 'string';
  let what: string;
  if (calls.length > 0) {
    const last = calls.at(-1)!;
    const chain = calls.map((call) => `${call.type}.${call.method}`).join(' → ');
    what = `${chain}${optionNote(last.args)}`;
  } else if (binds && Array.isArray(value) && typeof value[0] === 'string') {
    what = value[0];
  } else if (binds) {
    what = JSON.stringify(value) ?? 'value';
  } else {
    what = typeof opcode === 'string' && opcode !== '' ? opcode : 'expression';
  }
  return clip(binds ? `${name} = ${what}` : what);
}
