import type { LogLevel } from '@viwo/script';
import type { ImageStore, ImageValue } from './image-value.ts';

/** Param types allowed in capability metadata (ARCHITECTURE.md). */
export type CapabilityParamType =
  | 'string'
  | 'text'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'seed'
  | 'image'
  | 'mask'
  | 'object'
  | 'list';

/**
 * One parameter of a capability method. For `object`, `fields` describes its keys (unknown keys
 * are rejected); for `enum`, `options` lists the allowed values; for `list`, `items` may describe
 * each element.
 */
export interface CapabilityParam {
  name: string;
  type: CapabilityParamType;
  label?: string;
  description?: string;
  default?: unknown;
  min?: number;
  max?: number;
  step?: number;
  options?: (string | number)[];
  optional?: boolean;
  fields?: CapabilityParam[];
  items?: CapabilityParam;
}

/** A progress report from a running method; core turns it into `job.progress`. */
export interface ProgressReport {
  label: string;
  step: number;
  total: number;
  /** Optional low-resolution preview, already stored. */
  preview?: ImageValue;
}

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
  params: CapabilityParam[];
  returns: string;
  /**
   * Compute cost in megapixel-steps for the given (already validated) arguments; checked against
   * the handle's `maxCompute` before `run` starts. Omit for methods with negligible cost.
   */
  cost?(args: unknown[]): number;
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

/** Capability metadata on the wire (`get_capability_metadata`). */
export interface CapabilityMetadata {
  type: string;
  label: string;
  description: string;
  methods: {
    name: string;
    label: string;
    description: string;
    params: CapabilityParam[];
    returns: string;
  }[];
}
