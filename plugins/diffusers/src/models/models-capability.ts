import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type CapabilityDefinition, CapabilityError, defineMethod, param } from '@viwo/core';
import type { ModelSummary } from '@viwo/protocol';
import { type DiffusersModelInfo, runsWithoutControlnet } from './model-info.ts';
import { pullHubModel } from './model-pull.ts';
import type { ModelRegistry } from './model-registry.ts';
import type { SessionCache } from './session-cache.ts';

/** What `models.list` says about one installed model (the protocol's shape). */
export type ModelEntry = ModelSummary;

async function folderBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function describe(model: DiffusersModelInfo, defaultId: string | undefined) {
  // A ControlNet export's UNet needs the ControlNet's residuals: it serves apply only.
  const purposes = runsWithoutControlnet(model)
    ? [model.unetInChannels === 9 ? 'inpaint' : 'txt2img']
    : ['controlnet'];
  const source = model.metadata.source;
  return {
    id: model.id,
    label: model.label,
    family: model.family,
    kind: model.test ? 'test' : 'real',
    bytes: await folderBytes(model.directory),
    native_size: model.nativeSize,
    purposes,
    source: typeof source === 'string' ? source : null,
    default: model.id === defaultId,
    defaults: {
      steps: model.defaults.steps,
      guidance_scale: model.defaults.guidanceScale,
      scheduler: model.defaults.scheduler,
    },
  } satisfies ModelEntry;
}

/**
 * Capability `models`: the diffusers model manager behind the `models.list`, `models.pull` and
 * `models.delete` RPC methods (and usable from scripts). `pull` reports per-file download
 * progress, honours cancellation and resumes an interrupted download when run again.
 */
export function createModelsCapability(
  registry: ModelRegistry,
  cache: SessionCache,
): CapabilityDefinition {
  return {
    type: 'models',
    label: 'Models',
    description: 'Installed diffusion models: list, pull from the hub, delete',
    methods: {
      list: {
        label: 'List models',
        description: 'Installed models with family, kind (test or real), size on disk and source',
        params: [],
        returns: 'list',
        async run() {
          await registry.refresh();
          const defaultId = registry.defaultModel()?.id;
          return Promise.all(registry.list().map((model) => describe(model, defaultId)));
        },
      },
      pull: defineMethod({
        label: 'Pull model',
        description: 'Downloads an ONNX Stable Diffusion pipeline (Optimum layout) from the hub',
        params: [
          param.string({
            name: 'repo',
            label: 'Hub repository',
            description: 'e.g. onnx-community/stable-diffusion-v1-5-ONNX',
          }),
          param.object(
            {
              revision: param.string({
                label: 'Revision',
                description: 'Branch, tag or commit (default main)',
                optional: true,
              }),
            },
            {
              name: 'options',
              label: 'Options',
              description: 'Revision to download',
              optional: true,
            },
          ),
        ],
        returns: 'object',
        async run(context, repo, { revision }) {
          if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
            throw new CapabilityError('InvalidArgument', 'repo must look like "owner/name"', {
              param: 'repo',
            });
          }
          const info = await pullHubModel(registry, repo, {
            signal: context.signal,
            ...(revision ? { revision } : {}),
            log: (line) => context.log('info', line),
            onProgress: ({ path, received, total, fileIndex, fileCount }) =>
              context.progress({
                label: `${path} (${fileIndex + 1}/${fileCount})`,
                step: Math.min(received, Math.max(total, 1)),
                total: Math.max(total, 1),
              }),
          });
          return describe(info, registry.defaultModel()?.id);
        },
      }),
      delete: defineMethod({
        label: 'Delete model',
        description: 'Removes an installed model from disk',
        params: [param.string({ name: 'id', label: 'Model id', description: 'Model to delete' })],
        returns: 'object',
        async run(_context, id) {
          await registry.refresh();
          const known = registry.list().find((model) => model.id === id);
          if (!known) {
            throw new CapabilityError('InvalidArgument', `unknown model '${id}'`, { param: 'id' });
          }
          // Open sessions hold the files; close them before the folder goes.
          await cache.clear();
          await rm(known.directory, { recursive: true, force: true });
          await registry.refresh();
          return { ok: true };
        },
      }),
    },
  };
}
