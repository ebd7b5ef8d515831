import { dataOpcodes } from './data-opcodes.ts';
import { listOpcodes } from './list-opcodes.ts';
import { mathOpcodes } from './math-opcodes.ts';
import { describe, type NativeOpcode, param } from './native-opcode.ts';
import { objectOpcodes } from './object-opcodes.ts';
import type { OpcodeDefinition, OpcodeMetadata } from './opcode.ts';
import { specialFormMetadata } from './special-forms.ts';
import { stringOpcodes } from './string-opcodes.ts';
import type { ScriptFunction } from './values.ts';

/** Every eager standard-library opcode, by name. */
export const nativeOpcodes: ReadonlyMap<string, NativeOpcode> = new Map(
  [...mathOpcodes, ...listOpcodes, ...objectOpcodes, ...stringOpcodes, ...dataOpcodes].map(
    (opcode) => [opcode.metadata.opcode, opcode],
  ),
);

/** Metadata of the whole standard library (special forms included), in a stable order. */
export const stdMetadata: OpcodeMetadata[] = [
  ...specialFormMetadata,
  ...[...nativeOpcodes.values()].map((opcode) => opcode.metadata),
];

/** Standard metadata by opcode name. */
export const stdMetadataByName: ReadonlyMap<string, OpcodeMetadata> = new Map(
  stdMetadata.map((metadata) => [metadata.opcode, metadata]),
);

/**
 * The eager standard opcodes in the public OpcodeDefinition form (special forms are compiled by
 * the interpreter and appear only in metadata).
 */
export const stdOpcodes: OpcodeDefinition[] = [...nativeOpcodes.values()].map((opcode) => ({
  metadata: opcode.metadata,
  eval(args, context) {
    return opcode.impl(args, {
      path: [...context.path],
      call: (fn: ScriptFunction, callArgs: unknown[]) => context.callFunction(fn, callArgs),
      // The public context only calls lambdas asynchronously; list.sort reports that clearly.
      callSync: (fn: ScriptFunction, callArgs: unknown[]) => context.callFunction(fn, callArgs),
      log: (level, message) => context.log(level, message),
      charge: (units) => context.charge(units),
    });
  },
}));

/** Metadata for `get_opcodes`: the standard library plus the embedder's opcodes. */
export function opcodeMetadata(extra: OpcodeDefinition[] = []): OpcodeMetadata[] {
  const names = new Set(stdMetadataByName.keys());
  return [
    ...stdMetadata,
    ...extra
      .map((definition) => definition.metadata)
      .filter((metadata) => !names.has(metadata.opcode)),
  ];
}

// Keeps the metadata helper reachable for embedders that describe their own opcodes.
export { describe as describeOpcode, param as opcodeParam };
