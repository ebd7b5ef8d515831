/**
 * Static look at an untrusted script before its first run: which capabilities and methods it
 * calls and a compute estimate in megapixel-steps (`width*height*steps/1e6`, the unit handles
 * restrict). The script is never evaluated here.
 */
import type { CapabilityMetadata, ParamMetadata } from '@viwo/protocol';

/** One capability method a script calls. */
export interface CapabilityUse {
  type: string;
  method: string;
  /** How many times the call appears, multiplied by known loop lengths. */
  count: number;
  /** Estimated megapixel-steps of all those calls; null when the method has no steps/size. */
  cost: number | null;
}

/** What the confirmation dialog shows. */
export interface ScriptAnalysis {
  calls: CapabilityUse[];
  /** Capability types the script asks for with `get_capability`. */
  capabilityTypes: string[];
  /** Sum of the known costs. */
  estimatedCost: number;
  /** True when a call sits in a loop or function whose repeat count is unknown. */
  costIsLowerBound: boolean;
  /** Method calls whose capability could not be resolved statically. */
  unresolvedCalls: string[];
}

const DEFAULT_SIZE = 512;
const DEFAULT_STEPS = 20;

function isCall(value: unknown, opcode: string): value is unknown[] {
  return Array.isArray(value) && value[0] === opcode;
}

function literalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function fieldDefault(fields: ParamMetadata[] | undefined, name: string): number | undefined {
  return literalNumber(fields?.find((field) => field.name === name)?.default);
}

/** Literal length of a list expression (`list.new` args or a quoted array), if known. */
function literalListLength(value: unknown): number | undefined {
  if (isCall(value, 'list.new')) return value.length - 1;
  if (isCall(value, 'std.quote') && Array.isArray(value[1])) return value[1].length;
  if (isCall(value, 'list.range') && value.length >= 3) {
    const start = literalNumber(value[1]);
    const end = literalNumber(value[2]);
    if (start !== undefined && end !== undefined) return Math.max(0, Math.ceil(end - start));
  }
  return undefined;
}

function methodCost(
  capabilities: readonly CapabilityMetadata[],
  type: string,
  method: string,
  args: unknown[],
): number | null {
  const info = capabilities
    .find((entry) => entry.type === type)
    ?.methods.find((m) => m.name === method);
  const optionsParam = info?.params.find((param) => param.type === 'object' && param.fields);
  const fields = optionsParam?.fields;
  if (!fields?.some((field) => field.name === 'steps')) return null;
  const index = info!.params.indexOf(optionsParam!);
  const options = args[index];
  const read = (name: string, fallback: number) => {
    if (options && typeof options === 'object' && !Array.isArray(options)) {
      const value = literalNumber((options as Record<string, unknown>)[name]);
      if (value !== undefined) return value;
    }
    return fieldDefault(fields, name) ?? fallback;
  };
  const steps = read('steps', DEFAULT_STEPS);
  const strength = fields.some((field) => field.name === 'strength') ? read('strength', 1) : 1;
  return (read('width', DEFAULT_SIZE) * read('height', DEFAULT_SIZE) * steps * strength) / 1e6;
}

/** Analyses a script (JSON form) against the server's capability metadata. */
export function analyseScript(
  script: unknown,
  capabilities: readonly CapabilityMetadata[],
): ScriptAnalysis {
  const uses = new Map<string, CapabilityUse>();
  const types = new Set<string>();
  const unresolved: string[] = [];
  const bindings = new Map<string, string>();
  let lowerBound = false;

  const handleType = (handle: unknown): string | undefined => {
    if (isCall(handle, 'get_capability') && typeof handle[1] === 'string') return handle[1];
    if (isCall(handle, 'std.var') && typeof handle[1] === 'string') return bindings.get(handle[1]);
    return undefined;
  };

  const visit = (node: unknown, multiplier: number, unbounded: boolean): void => {
    if (!Array.isArray(node)) return;
    const [head] = node;
    if (head === 'std.quote') return;
    if (head === 'get_capability' && typeof node[1] === 'string') types.add(node[1]);
    if ((head === 'std.let' || head === 'std.set') && typeof node[1] === 'string') {
      const bound = handleType(node[2]);
      if (bound) bindings.set(node[1], bound);
    }
    if (head === 'std.call_method' && typeof node[2] === 'string') {
      const type = handleType(node[1]);
      if (!type) {
        unresolved.push(node[2]);
      } else {
        const key = `${type}.${node[2]}`;
        const use = uses.get(key) ?? { type, method: node[2], count: 0, cost: null };
        use.count += multiplier;
        const cost = methodCost(capabilities, type, node[2], node.slice(3));
        if (cost !== null) use.cost = (use.cost ?? 0) + cost * multiplier;
        uses.set(key, use);
        if (unbounded) lowerBound = true;
      }
    }
    if (head === 'std.for') {
      visit(node[2], multiplier, unbounded);
      const length = literalListLength(node[2]);
      visit(node[3], multiplier * (length ?? 1), unbounded || length === undefined);
      return;
    }
    if (head === 'std.while' || head === 'std.lambda') {
      for (const child of node.slice(1)) visit(child, multiplier, true);
      return;
    }
    for (const child of node.slice(1)) visit(child, multiplier, unbounded);
  };
  visit(script, 1, false);
  const calls = [...uses.values()];
  return {
    calls,
    capabilityTypes: [...types].sort(),
    estimatedCost: calls.reduce((sum, use) => sum + (use.cost ?? 0), 0),
    costIsLowerBound: lowerBound,
    unresolvedCalls: unresolved,
  };
}
