import type { CapabilityParam, LogLevel } from '@viwo/protocol';
import type { ImageStore } from './image-value.ts';
import type { ProgressReport } from './jobs/job-progress.ts';

export type {
  CapabilityMetadata,
  CapabilityParam,
  CapabilityParamType,
} from '@viwo/protocol';
export type { ProgressReport } from './jobs/job-progress.ts';

/** What a capability method receives besides its arguments. */
export interface CapabilityCallContext {
  /** Aborted on job cancel or handle revocation; check it between steps/tiles. */
  readonly signal: AbortSignal;
  readonly images: ImageStore;
  /** Restrictions carried by the (possibly minted/delegated) handle used for this call. */
  readonly restrictions: CapabilityRestrictions;
  progress(report: ProgressReport): void;
  log(level: LogLevel, message: string): void;
  /**
   * Calls another capability the calling session holds (composition without imports, e.g. the
   * hybrid upscaler calling `diffusers.generate.imageToImage`). Throws if the session lacks it.
   */
  invoke(type: string, method: string, args: unknown[]): Promise<unknown>;
  /** Records the seed(s) a generation really used, for history. */
  recordSeed(seed: number): void;
  /**
   * Records what a paid (cloud) call cost, in US dollars as the provider reported it; kept on the
   * call in history and summed into the job's `cost`. Optional so hosts without billing need not
   * provide it.
   */
  recordCost?(usd: number): void;
}

/**
 * Attenuation carried by a handle: which methods it may call, per-parameter bounds, and a compute
 * budget in megapixel-steps (`width*height*steps/1e6`). Delegation may only narrow these.
 */
export interface CapabilityRestrictions {
  methods?: string[];
  bounds?: Record<string, { min?: number; max?: number }>;
  maxCompute?: number;
}

/** A method declaration: metadata plus the implementation. */
export interface CapabilityMethod {
  label: string;
  description: string;
  params: readonly CapabilityParam[];
  returns: string;
  /**
   * Compute cost in megapixel-steps for the given (already validated) arguments; checked against
   * the handle's `maxCompute` before `run` starts. Omit for methods with negligible cost.
   */
  cost?(args: unknown[]): number;
  /**
   * Device work without a compute budget of its own (e.g. preprocessors running a model): in
   * queue mode it goes to the workers like costed methods. Costed methods are device work anyway.
   */
  device?: boolean;
  /**
   * Runs before validation with the raw arguments, so a declaration whose live lists come from
   * outside the process (models pulled by the CLI while the server runs) can rescan first.
   */
  prepare?(args: readonly unknown[]): Promise<void>;
  /**
   * For deterministic calls: what else decides the result besides the arguments (e.g. the hash of
   * the model file), so repeats are answered from the result cache. Undefined (or omitted) when
   * the call is not deterministic (no seed given, outside services).
   */
  cacheIdentity?(args: unknown[]): Promise<string | undefined>;
  /**
   * What the call will really do, as parameter-named numbers (e.g. `{factor, width, height}` of
   * the output when `width`/`height` override `factor`). A handle's bounds apply to these too, so
   * a bound limits the effect rather than one spelling of it. Given the validated arguments.
   */
  effects?(args: unknown[]): Record<string, number>;
  run(context: CapabilityCallContext, ...args: unknown[]): Promise<unknown>;
}

/**
 * A capability type as a plugin declares it. Metadata served by `get_capability_metadata` is
 * derived from this declaration, never written separately.
 */
export interface CapabilityDefinition {
  type: string;
  label: string;
  description: string;
  methods: Record<string, CapabilityMethod>;
}
