import type { CapabilityCallContext, CapabilityRestrictions } from '../capability-definition.ts';
import type { ImageValue } from '../image-value.ts';

/** What the invoker tells a dispatcher about a call before deciding where it runs. */
export interface RemoteCallTarget {
  type: string;
  method: string;
  /** The plugin that registered the type (e.g. `diffusers`). */
  plugin: string;
  /** Whether the method declares a compute cost (device work). */
  costed: boolean;
  /** Whether the method declares itself device work without a cost (preprocessors). */
  device: boolean;
}

/** A validated call handed to a dispatcher: arguments already normalised and budget-checked. */
export interface RemoteCall extends RemoteCallTarget {
  args: unknown[];
  restrictions: CapabilityRestrictions;
  /** The job (or direct call id) the call belongs to. */
  jobId: string;
  /** The session that made it (fairness between sessions). */
  sessionId: string;
}

/** The call context plus what only a remote run needs to report back. */
export interface RemoteCallContext extends CapabilityCallContext {
  /** Names a worker that ran (part of) the call, for `job.get`'s `workers`. */
  recordWorker(workerId: string): void;
  /** Images the remote run stored in our image store, recorded as produced by the job. */
  adoptImages(images: ImageValue[]): void;
}

/**
 * Where costed capability calls run when not in-process (queue mode). Injected through
 * `RuntimeOptions.remoteCalls`; core only asks `accepts` and, if so, awaits `run` instead of the
 * method's own `run` (and skips the local device queue: the remote side schedules the device).
 */
export interface RemoteCallDispatcher {
  accepts(target: RemoteCallTarget): boolean;
  run(call: RemoteCall, context: RemoteCallContext): Promise<unknown>;
}
