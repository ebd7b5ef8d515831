import type { OpcodeMetadata } from './opcode.ts';

/** Accepted argument counts of an opcode, derived from its metadata (the single truth). */
export interface Arity {
  min: number;
  max: number;
}

/**
 * Required = params that are neither optional nor the variadic tail (which repeats zero or more
 * times); max is unbounded for variadic opcodes.
 */
export function arityOf(metadata: OpcodeMetadata): Arity {
  const last = metadata.params.length - 1;
  let min = 0;
  metadata.params.forEach((parameter, index) => {
    if (!parameter.optional && !(metadata.variadic && index === last)) min++;
  });
  return { min, max: metadata.variadic ? Number.POSITIVE_INFINITY : metadata.params.length };
}

/** Human description of an arity for error messages. */
export function describeArity(arity: Arity): string {
  if (arity.max === Number.POSITIVE_INFINITY) return `at least ${arity.min}`;
  if (arity.min === arity.max) return `exactly ${arity.min}`;
  return `${arity.min} to ${arity.max}`;
}
