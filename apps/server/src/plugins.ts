import type { Plugin } from '@viwo/core';

/**
 * The plugins the server and CLI install, imported dynamically so a plugin whose module fails to
 * load (missing native binary, broken install) is reported as a failed plugin in `/health`
 * instead of keeping the server from starting.
 */
const PLUGIN_MODULES: { name: string; load: () => Promise<Plugin> }[] = [
  { name: 'canvas', load: async () => (await import('@viwo/core')).createCanvasPlugin() },
  // Diffusers before upscale: the upscale plugin offers its hybrid mode only when it sees
  // diffusers.generate among the capabilities already registered at its init.
  {
    name: 'diffusers',
    load: async () => (await import('@viwo/plugin-diffusers')).createDiffusersPlugin(),
  },
  {
    name: 'upscale',
    load: async () => (await import('@viwo/plugin-upscale')).createUpscalePlugin(),
  },
  { name: 'refine', load: async () => (await import('@viwo/plugin-refine')).createRefinePlugin() },
  {
    name: 'runware',
    load: async () => (await import('@viwo/plugin-runware')).createRunwarePlugin(),
  },
];

/** A plugin that could not even be imported: its init fails with the import error. */
function unloadablePlugin(name: string, error: unknown): Plugin {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    name,
    version: '0.0.0',
    async init() {
      throw new Error(`plugin module failed to load: ${reason}`);
    },
    capabilities: () => [],
    async dispose() {},
  };
}

/** Loads every installed plugin; `only` restricts to the named ones (tests, `--plugins`). */
export async function loadPlugins(only?: readonly string[]): Promise<Plugin[]> {
  const wanted = PLUGIN_MODULES.filter((entry) => !only || only.includes(entry.name));
  return Promise.all(
    wanted.map(async (entry) => {
      try {
        return await entry.load();
      } catch (error) {
        return unloadablePlugin(entry.name, error);
      }
    }),
  );
}
