import type { OpcodeDefinition } from '@viwo/script';
import type { CapabilityRegistry } from '../capabilities/capability-registry.ts';
import type { ImageStore } from '../image-value.ts';
import type { Plugin, PluginContext } from '../plugin.ts';

/** A plugin's state as `health()` reports it. */
export interface PluginHealth {
  name: string;
  version: string;
  status: 'ok' | 'failed' | 'disposed';
  error?: string;
  /** The provider the plugin's models really run on (absent for plugins without models). */
  execution_provider?: 'cpu' | 'cuda';
}

/** Where plugin log lines go (the server prints them; tests collect them). */
export type PluginLogger = (
  plugin: string,
  level: 'info' | 'warn' | 'error',
  message: string,
) => void;

/**
 * Loads plugins in the configured order. A plugin whose init, declarations or opcodes fail is
 * marked failed and reported (its capabilities are not registered); the others still load.
 */
export class PluginManager {
  private readonly loaded: { plugin: Plugin; health: PluginHealth }[] = [];
  private readonly opcodeList: OpcodeDefinition[] = [];

  constructor(
    private readonly registry: CapabilityRegistry,
    private readonly logger: PluginLogger,
  ) {}

  /** Initialises each plugin in order and registers what it declares. */
  async load(plugins: readonly Plugin[], dataDir: string, images: ImageStore): Promise<void> {
    for (const plugin of plugins) {
      const name = typeof plugin?.name === 'string' ? plugin.name : '(unnamed plugin)';
      const health: PluginHealth = { name, version: String(plugin?.version ?? '?'), status: 'ok' };
      this.loaded.push({ plugin, health });
      const context: PluginContext = {
        dataDir,
        images,
        availableCapabilityTypes: () => this.registry.types(),
        log: (level, message) => this.logger(name, level, message),
      };
      try {
        await plugin.init(context);
        const definitions = plugin.capabilities();
        const opcodes = plugin.opcodes?.() ?? [];
        const taken = new Set(this.opcodeList.map((op) => op.metadata.opcode));
        for (const opcode of opcodes) {
          if (taken.has(opcode.metadata.opcode)) {
            throw new Error(
              `opcode ${opcode.metadata.opcode} is already defined by another plugin`,
            );
          }
        }
        for (const definition of definitions) {
          if (this.registry.has(definition.type)) {
            throw new Error(`capability type ${definition.type} is already registered`);
          }
        }
        // Register only once everything checked out, so a failing plugin leaves nothing behind.
        for (const definition of definitions)
          this.registry.register(definition, name, health.version);
        this.opcodeList.push(...opcodes);
        this.logger(
          name,
          'info',
          `loaded ${definitions.length} capability type(s), ${opcodes.length} opcode(s)`,
        );
      } catch (error) {
        health.status = 'failed';
        health.error = error instanceof Error ? error.message : String(error);
        this.logger(name, 'error', `failed to load: ${health.error}`);
        await this.safeDispose(plugin);
      }
    }
  }

  /** Opcodes contributed by the plugins that loaded. */
  opcodes(): OpcodeDefinition[] {
    return [...this.opcodeList];
  }

  health(): PluginHealth[] {
    return this.loaded.map((entry) => {
      const health: PluginHealth = { ...entry.health };
      if (entry.health.status === 'ok' && typeof entry.plugin.executionProvider === 'function') {
        try {
          health.execution_provider = entry.plugin.executionProvider();
        } catch {
          // A plugin that cannot say is reported without a provider rather than failing health.
        }
      }
      return health;
    });
  }

  /** Disposes loaded plugins in reverse order; a failing dispose is logged, never thrown. */
  async dispose(): Promise<void> {
    for (const entry of [...this.loaded].reverse()) {
      if (entry.health.status !== 'ok') continue;
      await this.safeDispose(entry.plugin);
      entry.health.status = 'disposed';
    }
  }

  private async safeDispose(plugin: Plugin): Promise<void> {
    try {
      await plugin.dispose?.();
    } catch (error) {
      this.logger(plugin?.name ?? '(unnamed plugin)', 'warn', `dispose failed: ${String(error)}`);
    }
  }
}
