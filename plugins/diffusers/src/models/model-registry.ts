import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TINY_MODELS } from '../tiny-models/tiny-model-catalog.ts';
import { writeModelFolder } from '../tiny-models/tiny-model-files.ts';
import { TINY_SD_MODEL_IDS } from '../tiny-models/tiny-sd-model.ts';
import { type DiffusersModelInfo, readModelInfo } from './model-info.ts';

/** Where diffusers models live under a data dir. */
export function diffusersModelsRoot(dataDir: string): string {
  return join(dataDir, 'models', 'diffusers');
}

/** A folder that failed to load, kept for `models list` and health output. */
export interface BrokenModel {
  id: string;
  error: string;
}

/**
 * Installed models under `${dataDir}/models/diffusers/<id>`.
 *
 * Invariants: with no models at all, `init` writes the tiny test models (so a fresh data dir can
 * generate immediately); the default is the model named in `registry.json` (set by `pull`), else
 * the first non-test model, else the first tiny one.
 */
export class ModelRegistry {
  readonly root: string;
  private models = new Map<string, DiffusersModelInfo>();
  private brokenModels: BrokenModel[] = [];
  private preferredDefault: string | undefined;

  constructor(
    dataDir: string,
    private readonly log: (level: 'info' | 'warn' | 'error', message: string) => void = () => {},
  ) {
    this.root = diffusersModelsRoot(dataDir);
  }

  /** Scans the models folder, installing the tiny test models when it holds none. */
  async init(options: { installTestModels?: boolean } = {}): Promise<void> {
    await mkdir(this.root, { recursive: true });
    if ((await this.modelFolders()).length === 0 && options.installTestModels !== false) {
      await this.installTestModels();
    }
    await this.refresh();
  }

  /** Writes every tiny layout of the catalog (labelled `test`). */
  async installTestModels(): Promise<void> {
    for (const builder of TINY_MODELS) {
      this.log('info', `installing tiny test model ${builder.id}`);
      await writeModelFolder(join(this.root, builder.id), builder.build());
    }
  }

  /** Re-reads every model folder. */
  async refresh(): Promise<void> {
    const models = new Map<string, DiffusersModelInfo>();
    const broken: BrokenModel[] = [];
    for (const id of await this.modelFolders()) {
      try {
        models.set(id, await readModelInfo(id, join(this.root, id)));
      } catch (error) {
        broken.push({ id, error: (error as Error).message });
        this.log('warn', `diffusers model ${id} skipped: ${(error as Error).message}`);
      }
    }
    this.models = models;
    this.brokenModels = broken;
    this.preferredDefault = await this.readPreferredDefault();
  }

  /** Installed, loadable models: real ones first, then test models, each by id. */
  list(): DiffusersModelInfo[] {
    return [...this.models.values()].sort(
      (left, right) => Number(left.test) - Number(right.test) || left.id.localeCompare(right.id),
    );
  }

  /** Whether a loadable model `id` is installed (as of the last scan). */
  has(id: string): boolean {
    return this.models.has(id);
  }

  /**
   * Rescans when `id` is unknown, so a model pulled by the CLI while the server runs becomes usable
   * without a restart.
   */
  async ensureKnown(id: unknown): Promise<void> {
    if (typeof id === 'string' && !this.models.has(id)) await this.refresh();
  }

  /** Folders that failed to load. */
  broken(): BrokenModel[] {
    return [...this.brokenModels];
  }

  /** The model used when a call names none. */
  defaultModel(): DiffusersModelInfo | undefined {
    if (this.preferredDefault) {
      const preferred = this.models.get(this.preferredDefault);
      if (preferred) return preferred;
    }
    const real = this.list().find((model) => !model.test);
    if (real) return real;
    return this.models.get(TINY_SD_MODEL_IDS[0]!) ?? this.list()[0];
  }

  /** The model with `id` (or the default when `id` is undefined); clear error when unknown. */
  get(id?: string): DiffusersModelInfo {
    if (id === undefined) {
      const fallback = this.defaultModel();
      if (!fallback) throw new Error(`no diffusers models installed under ${this.root}`);
      return fallback;
    }
    const model = this.models.get(id);
    if (model) return model;
    const broken = this.brokenModels.find((entry) => entry.id === id);
    if (broken) throw new Error(`model '${id}' cannot be used: ${broken.error}`);
    throw new Error(
      `unknown model '${id}' (installed: ${[...this.models.keys()].join(', ') || 'none'})`,
    );
  }

  /** Makes `id` the default (used by `models pull`). */
  async setDefault(id: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeFile(
      join(this.root, 'registry.json'),
      `${JSON.stringify({ default: id }, null, 2)}\n`,
    );
    this.preferredDefault = id;
  }

  private async readPreferredDefault(): Promise<string | undefined> {
    try {
      const parsed = JSON.parse(await readFile(join(this.root, 'registry.json'), 'utf8')) as {
        default?: unknown;
      };
      return typeof parsed.default === 'string' ? parsed.default : undefined;
    } catch {
      return undefined;
    }
  }

  private async modelFolders(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries
      .filter(
        (entry) =>
          entry.isDirectory() && !entry.name.endsWith('.partial') && !entry.name.startsWith('.'),
      )
      .map((entry) => entry.name)
      .sort();
  }
}
