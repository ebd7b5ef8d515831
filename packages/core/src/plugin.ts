import type { OpcodeDefinition } from '@viwo/script';
import type { CapabilityDefinition } from './capability-definition.ts';
import type { ImageStore } from './image-value.ts';

/** What a plugin gets at init: where to keep data, the image store, and a logger. */
export interface PluginContext {
  /** `VIWO_DATA` (absolute); plugins keep their files under `${dataDir}/<plugin name>` or `models`. */
  readonly dataDir: string;
  readonly images: ImageStore;
  /** Names of the other plugins that initialised, for optional composition (e.g. hybrid upscale). */
  readonly availableCapabilityTypes: () => string[];
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/**
 * The plugin contract: small on purpose. A plugin names itself, registers capability types and
 * optional opcodes, and owns its resources between `init` and `dispose`.
 *
 * Invariant: `capabilities()` is called after `init` resolves, so metadata may list what init
 * found installed (models, scales).
 */
export interface Plugin {
  name: string;
  version: string;
  init(context: PluginContext): Promise<void>;
  capabilities(): CapabilityDefinition[];
  opcodes?(): OpcodeDefinition[];
  /**
   * The execution provider the plugin's sessions really run on after any fallback (plugins that
   * run no models omit it); `/health` reports it per plugin.
   */
  executionProvider?(): 'cpu' | 'cuda';
  dispose(): Promise<void>;
}
