import { ScriptError, ScriptFunction } from '@viwo/script';

/** Bounds of {@link toWireValue}. */
export interface WireBounds {
  /** Largest encoded size accepted (approximate JSON bytes: characters, quotes, separators). */
  maxBytes: number;
  /** Deepest nesting accepted (a value nested deeper is refused, never a host stack overflow). */
  maxDepth?: number;
}

/** Raised by {@link toWireValue} when a value is larger than its bound. */
export class WireValueTooLarge extends ScriptError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
    what: string,
  ) {
    super('OutputLimit', `${what} is more than ${limit} bytes as JSON (at least ${bytes})`, []);
  }
}

const DEFAULT_MAX_DEPTH = 512;

/**
 * A copy of `value` that any encoder (JSON or msgpack) can write: plain objects and arrays,
 * strings, finite numbers, booleans and null. A lambda becomes the marker `{"$lambda": [params]}`
 * (what its `toJSON` gives), functions and symbols become null, `undefined` object members are
 * left out, non-finite numbers become null, typed arrays become lists of numbers.
 *
 * Work is bounded by `maxBytes`: every visit is charged, so a value that shares structure (a list
 * holding itself twice, doubled many times) costs what its JSON would, and stops with a
 * {@link WireValueTooLarge} (code `OutputLimit`) as soon as the budget is spent — before the
 * allocation that would exhaust memory. Cycles are refused the same way (they never fit).
 */
export function toWireValue(value: unknown, bounds: WireBounds, what = 'the value'): unknown {
  return toSizedWireValue(value, bounds, what).value;
}

/** {@link toWireValue} plus the approximate JSON bytes the value takes. */
export function toSizedWireValue(
  value: unknown,
  bounds: WireBounds,
  what = 'the value',
): { value: unknown; bytes: number } {
  const maxDepth = bounds.maxDepth ?? DEFAULT_MAX_DEPTH;
  let bytes = 0;
  const charge = (amount: number) => {
    bytes += amount;
    if (bytes > bounds.maxBytes) throw new WireValueTooLarge(bytes, bounds.maxBytes, what);
  };
  const convert = (node: unknown, depth: number): unknown => {
    if (node === null || node === undefined) {
      charge(4);
      return null;
    }
    switch (typeof node) {
      case 'string':
        charge(node.length + 2);
        return node;
      case 'number':
        charge(8);
        return Number.isFinite(node) ? node : null;
      case 'boolean':
        charge(5);
        return node;
      case 'bigint':
        charge(20);
        return Number(node);
      case 'function':
      case 'symbol':
        charge(4);
        return null;
    }
    if (depth >= maxDepth) {
      throw new ScriptError('OutputLimit', `${what} nests deeper than ${maxDepth} levels`, []);
    }
    if (node instanceof ScriptFunction) {
      charge(14);
      return { $lambda: node.params.map((param) => convert(param, depth + 1)) };
    }
    if (Array.isArray(node)) {
      charge(2);
      const out = new Array<unknown>(node.length);
      for (let index = 0; index < node.length; index++) {
        charge(1);
        out[index] = convert(node[index], depth + 1);
      }
      return out;
    }
    if (ArrayBuffer.isView(node)) {
      const items =
        node instanceof DataView ? [] : Array.from(node as unknown as ArrayLike<number>);
      return convert(items.map(Number), depth);
    }
    if (node instanceof Date) return convert(node.toISOString(), depth);
    charge(2);
    // A fresh plain object: members are copied by value, so no prototype or accessor leaks out.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(node)) {
      const member = (node as Record<string, unknown>)[key];
      if (member === undefined) continue;
      charge(key.length + 4);
      Object.defineProperty(out, key, {
        value: convert(member, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  const converted = convert(value, 0);
  return { value: converted, bytes };
}
