/**
 * Static problems of the shared script, found in the browser by `@viwo/script`'s checker with the
 * server's opcode metadata (kernel and canvas opcodes included), so mistakes show on their blocks
 * before anything runs.
 */

import { check, type OpcodeDefinition, type OpcodeMetadata } from '@viwo/script';

/** One checker problem with its JSON path. */
export interface ScriptProblem {
  code: string;
  message: string;
  path: (string | number)[];
}

/** Checks `script` against the opcodes the server offers. */
export function scriptProblems(
  script: unknown,
  opcodes: readonly OpcodeMetadata[],
): ScriptProblem[] {
  const extra: OpcodeDefinition[] = opcodes.map((metadata) => ({
    metadata: metadata as OpcodeMetadata,
    // The checker reads metadata only; these definitions never run in the browser.
    eval() {
      throw new Error(`${metadata.opcode} runs on the server only`);
    },
  }));
  return check(script, extra).errors.map((problem) => ({
    code: problem.code,
    message: problem.message,
    path: [...(problem.path ?? [])],
  }));
}
