import type { CapabilityDefinition, CapabilityMetadata } from '../capability-definition.ts';
import { capabilityMetadata, defineCapability } from './define-capability.ts';

interface RegisteredCapability {
  definition: CapabilityDefinition;
  plugin: string;
  /** The registering plugin's version (part of every result-cache key of its methods). */
  version: string;
}

/**
 * Every capability type the loaded plugins declared. Each definition is checked at registration;
 * metadata is derived from it whenever asked, because live parts of a declaration (installed
 * models, the default model) change while the server runs.
 */
export class CapabilityRegistry {
  private readonly byType = new Map<string, RegisteredCapability>();

  /** Registers a type; a second plugin declaring the same type is an error naming both. */
  register(definition: CapabilityDefinition, plugin: string, version = '0'): void {
    defineCapability(definition);
    const existing = this.byType.get(definition.type);
    if (existing) {
      throw new Error(
        `capability type ${definition.type} from plugin ${plugin} is already registered by ${existing.plugin}`,
      );
    }
    this.byType.set(definition.type, { definition, plugin, version });
  }

  /** The definition of a type, or undefined. */
  get(type: string): CapabilityDefinition | undefined {
    return this.byType.get(type)?.definition;
  }

  /** The plugin that registered a type, or undefined. */
  pluginOf(type: string): string | undefined {
    return this.byType.get(type)?.plugin;
  }

  /**
   * `plugin@version` of the plugin that registered a type, or undefined. A plugin bumps its
   * version when its outputs change, which retires every result it cached before.
   */
  implementationOf(type: string): string | undefined {
    const registered = this.byType.get(type);
    return registered ? `${registered.plugin}@${registered.version}` : undefined;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Metadata of every registered type, in registration order. */
  metadata(): CapabilityMetadata[] {
    return [...this.byType.values()].map((entry) => capabilityMetadata(entry.definition));
  }
}
