import type { CapabilityDefinition } from '../capability-definition.ts';
import type { Plugin } from '../plugin.ts';

/** A real plugin whose method runs are counted, and the counts. */
export interface CountedPlugin {
  plugin: Plugin;
  /** How often `type.method`'s `run` was entered (a result-cache hit does not enter it). */
  runs(type: string, method: string): number;
}

/**
 * Wraps a plugin so every capability method counts the times its `run` is entered, delegating
 * everything (declaration, cost, cache identity, run) to the real plugin unchanged. Tests use the
 * count to tell a call answered from the result cache from one that ran the model.
 */
export function countMethodRuns(inner: Plugin): CountedPlugin {
  const counts = new Map<string, number>();
  const wrap = (definition: CapabilityDefinition): CapabilityDefinition => ({
    ...definition,
    methods: Object.fromEntries(
      Object.entries(definition.methods).map(([name, method]) => [
        name,
        {
          ...method,
          run(context, ...args) {
            const key = `${definition.type}.${name}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
            return method.run(context, ...args);
          },
        },
      ]),
    ),
  });
  const plugin: Plugin = {
    name: inner.name,
    version: inner.version,
    init: (context) => inner.init(context),
    capabilities: () => inner.capabilities().map(wrap),
    dispose: () => inner.dispose(),
    ...(inner.opcodes ? { opcodes: () => inner.opcodes!() } : {}),
    ...(inner.executionProvider ? { executionProvider: () => inner.executionProvider!() } : {}),
  };
  return { plugin, runs: (type, method) => counts.get(`${type}.${method}`) ?? 0 };
}
