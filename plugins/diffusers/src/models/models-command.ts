import type { DownloadProgress } from './hub-download.ts';
import { pullHubModel } from './model-pull.ts';
import { ModelRegistry } from './model-registry.ts';

/** Where `models` writes its output lines (stdout-like) — the CLI passes console output. */
export interface ModelsCommandContext {
  dataDir: string;
  log(line: string): void;
  /** Progress bar output; defaults to `log`. A TTY may overwrite lines in place. */
  progress?(line: string): void;
  signal?: AbortSignal;
}

const USAGE =
  'usage: viwo models list | viwo models pull <hub-repo-id> [--revision REV] [--endpoint URL]';

/**
 * `viwo models …` for diffusers models: `list` prints installed models (default marked, test
 * models labelled), `pull <repo>` downloads an Optimum ONNX pipeline from the hub (resumable,
 * verified) and makes it the default. Returns the process exit code.
 */
export async function modelsCommand(
  args: readonly string[],
  context: ModelsCommandContext,
): Promise<number> {
  const [subcommand, ...rest] = args;
  try {
    if (subcommand === 'list') return await listModels(context);
    if (subcommand === 'pull') return await pullModel(rest, context);
    context.log(subcommand ? `unknown models command '${subcommand}'\n${USAGE}` : USAGE);
    return subcommand ? 1 : 0;
  } catch (error) {
    context.log(`error: ${(error as Error).message}`);
    return 1;
  }
}

async function listModels(context: ModelsCommandContext): Promise<number> {
  const registry = new ModelRegistry(context.dataDir);
  await registry.init({ installTestModels: false });
  const fallback = registry.defaultModel()?.id;
  const models = registry.list();
  if (models.length === 0)
    context.log(
      `no diffusers models in ${registry.root} (the server installs tiny test models on first start)`,
    );
  for (const model of models) {
    const flags = [model.test ? 'test' : '', model.id === fallback ? 'default' : '']
      .filter(Boolean)
      .join(', ');
    context.log(`${model.id}\t${model.family}\t${model.label}${flags ? `\t(${flags})` : ''}`);
  }
  for (const broken of registry.broken()) context.log(`${broken.id}\tbroken\t${broken.error}`);
  return 0;
}

async function pullModel(args: readonly string[], context: ModelsCommandContext): Promise<number> {
  let repoId: string | undefined;
  let revision: string | undefined;
  let endpoint: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--revision') revision = args[++index];
    else if (arg === '--endpoint') endpoint = args[++index];
    else if (!repoId && !arg.startsWith('--')) repoId = arg;
    else throw new Error(`unexpected argument '${arg}'\n${USAGE}`);
  }
  if (!repoId) throw new Error(`models pull needs a hub repository id\n${USAGE}`);
  const options = { endpoint, revision, signal: context.signal };
  const registry = new ModelRegistry(context.dataDir);
  await registry.init({ installTestModels: false });
  const bar = progressBar(context.progress ?? context.log);
  const info = await pullHubModel(registry, repoId, {
    ...options,
    log: context.log,
    onProgress: bar,
  });
  context.log(`installed ${info.id} (${info.family}); it is now the default model`);
  return 0;
}

/** A throttled text progress bar: one line per file per 10% (and at completion). */
function progressBar(write: (line: string) => void): (progress: DownloadProgress) => void {
  const lastDecile = new Map<string, number>();
  return ({ path, received, total }) => {
    const fraction = total > 0 ? Math.min(received / total, 1) : 0;
    const decile = Math.floor(fraction * 10);
    if (lastDecile.get(path) === decile) return;
    lastDecile.set(path, decile);
    const filled = Math.round(fraction * 30);
    write(
      `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${path} ${formatBytes(received)}/${formatBytes(total)}`,
    );
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
