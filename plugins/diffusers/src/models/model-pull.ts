import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DownloadProgress,
  downloadHubFile,
  type HubOptions,
  hubEndpoint,
  listHubFiles,
  modelIdForRepo,
  safeJoin,
  selectPipelineFiles,
} from './hub-download.ts';
import { type DiffusersModelInfo, readModelInfo } from './model-info.ts';
import type { ModelRegistry } from './model-registry.ts';

/** Options of {@link pullHubModel}. */
export interface PullOptions extends HubOptions {
  log?(line: string): void;
  onProgress?(progress: DownloadProgress & { fileIndex: number; fileCount: number }): void;
}

/**
 * Downloads an Optimum ONNX Stable Diffusion pipeline from the hub into the registry (resumable:
 * partial files continue with Range requests; every file verified), records where it came from,
 * makes it the default model and rescans. Shared by `viwo models pull` and `models.pull`.
 */
export async function pullHubModel(
  registry: ModelRegistry,
  repoId: string,
  options: PullOptions = {},
): Promise<DiffusersModelInfo> {
  const id = modelIdForRepo(repoId);
  const directory = join(registry.root, id);
  options.log?.(`listing ${repoId} on ${hubEndpoint(options)}`);
  const files = selectPipelineFiles(await listHubFiles(repoId, options));
  if (!files.some((file) => file.path === 'unet/model.onnx')) {
    throw new Error(
      `${repoId} has no ONNX pipeline in Optimum's layout (no unet/model.onnx at the top level)`,
    );
  }
  options.log?.(`downloading ${files.length} files into ${id}`);
  for (const [fileIndex, file] of files.entries()) {
    await downloadHubFile(repoId, file, safeJoin(directory, file.path), {
      ...options,
      onProgress: (progress) =>
        options.onProgress?.({ ...progress, fileIndex, fileCount: files.length }),
    });
  }
  const source = `${hubEndpoint(options)}/${repoId}`;
  await writeFile(
    join(directory, 'viwo-model.json'),
    `${JSON.stringify({ label: repoId, test: false, source, revision: options.revision ?? 'main' }, null, 2)}\n`,
  );
  const info = await readModelInfo(id, directory);
  await registry.setDefault(id);
  await registry.refresh();
  return info;
}
