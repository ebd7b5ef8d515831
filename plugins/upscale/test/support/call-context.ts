import type { CapabilityCallContext, ProgressReport } from '@viwo/core';
import type { MemoryImageStore } from './memory-image-store.ts';

/** A recording capability call context for direct method tests. */
export function callContext(
  images: MemoryImageStore,
  overrides: { signal?: AbortSignal; invoke?: CapabilityCallContext['invoke'] } = {},
): CapabilityCallContext & { reports: ProgressReport[]; invocations: unknown[][] } {
  const reports: ProgressReport[] = [];
  const invocations: unknown[][] = [];
  return {
    signal: overrides.signal ?? new AbortController().signal,
    images,
    restrictions: {},
    reports,
    invocations,
    progress: (report) => reports.push(report),
    log: () => {},
    invoke:
      overrides.invoke ??
      (async (type, method, args) => {
        invocations.push([type, method, args]);
        throw new Error(`no capability ${type}`);
      }),
    recordSeed: () => {},
  };
}
