import { CapabilityError, throwIfCancelled } from '@viwo/core';
import type { InferenceSession } from 'onnxruntime-node';
import { type PixelImage, resampleClassical } from './classical.ts';
import type { ConvertedModelInfo } from './converter/keras-to-onnx.ts';
import { convertedModelIdentity, ensureConvertedModel } from './converter/model-cache.ts';
import { discoverInstalledModels, type UpscaleModelEntry } from './converter/model-catalog.ts';
import { type RgbImage, runEsrganTiled } from './runner/esrgan-runner.ts';
import { SessionPool } from './runner/session-pool.ts';
import {
  DEFAULT_OVERLAP,
  MAX_TILE_SIZE,
  MIN_TILE_SIZE,
  planTiles,
  tileSizeForMemoryCap,
} from './runner/tiling.ts';

/** Options for {@link EsrganUpscaler}. */
export interface EsrganUpscalerOptions {
  /** `VIWO_DATA`; converted models are cached under `models/upscale`. */
  dataDir: string;
  /** Activation memory one tile may use; picks the tile size. Default 512 MiB. */
  memoryCapBytes?: number;
  /** Idle time before a model's session is unloaded. Default 5 minutes. */
  idleUnloadMs?: number;
  /** onnxruntime intra-op threads. */
  threads?: number;
  /** Installed models; discovered from the `@upscalerjs/*` packages when omitted. */
  models?: UpscaleModelEntry[];
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** Per-call options of {@link EsrganUpscaler.upscale}. */
export interface EsrganUpscaleRequest {
  model: string;
  factor: number;
  /** Tile side in input pixels; default from the memory cap. */
  tileSize?: number;
  signal?: AbortSignal;
  onTile?: (done: number, total: number) => void;
}

/** Result of a model upscale: pixels plus what produced them (for the PNG text chunk). */
export interface EsrganUpscaleResult {
  image: PixelImage;
  model: string;
  scale: number;
  tiling: { tile_size: number; overlap: number; tiles: number };
  alpha: 'none' | 'lanczos';
}

const DEFAULT_MEMORY_CAP = 512 * 1024 * 1024;

/**
 * Model-based upscaling: finds installed models, converts on first use (cached on disk), keeps
 * sessions in a pool, tiles large images and re-attaches alpha upscaled classically (ESRGAN is
 * trained on RGB only).
 */
export class EsrganUpscaler {
  private readonly pool: SessionPool;
  private readonly memoryCap: number;
  private readonly prepared = new Map<string, { path: string; info: ConvertedModelInfo }>();

  private constructor(
    private readonly options: EsrganUpscalerOptions,
    readonly models: readonly UpscaleModelEntry[],
  ) {
    this.pool = new SessionPool({
      ...(options.idleUnloadMs !== undefined ? { idleUnloadMs: options.idleUnloadMs } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.memoryCap = options.memoryCapBytes ?? DEFAULT_MEMORY_CAP;
  }

  /** Discovers the installed models (or takes the given list) and returns a ready upscaler. */
  static async create(options: EsrganUpscalerOptions): Promise<EsrganUpscaler> {
    const models = options.models ?? (await discoverInstalledModels());
    return new EsrganUpscaler(options, models);
  }

  /** Model ids in catalog order, each with the factors it offers (ascending). */
  offeredFactors(): Map<string, number[]> {
    const offered = new Map<string, number[]>();
    for (const entry of this.models)
      offered.set(entry.id, [...(offered.get(entry.id) ?? []), entry.scale]);
    for (const factors of offered.values()) factors.sort((a, b) => a - b);
    return offered;
  }

  /** The entry for `model` at `factor`, or a clear error naming what is offered. */
  resolve(model: string, factor: number): UpscaleModelEntry {
    const offered = this.offeredFactors();
    const factors = offered.get(model);
    if (!factors) {
      const known = [...offered.keys()].join(', ') || 'none installed';
      throw new CapabilityError(
        'InvalidArgument',
        `unknown upscale model '${model}' (installed: ${known})`,
        { param: 'options.model' },
      );
    }
    const entry = this.models.find(
      (candidate) => candidate.id === model && candidate.scale === factor,
    );
    if (!entry) {
      throw new CapabilityError(
        'InvalidArgument',
        `model ${model} does not offer factor ${factor} (offered: ${factors.join(', ')})`,
        { param: 'options.factor' },
      );
    }
    return entry;
  }

  /** Converts (or validates the cache of) a model without running it. */
  prepare(
    entry: UpscaleModelEntry,
  ): Promise<{ path: string; info: ConvertedModelInfo; converted: boolean }> {
    return ensureConvertedModel(entry, this.options.dataDir, this.options.log);
  }

  /**
   * The converted model for a call. Validating the cache hashes the weights and the ONNX file, so
   * it is done when the session has to be (re)loaded from disk, not on every call while the
   * session is in memory (a loaded session never reads the file again).
   */
  private async preparedModel(
    entry: UpscaleModelEntry,
  ): Promise<{ path: string; info: ConvertedModelInfo }> {
    const key = `${entry.id}\u0000${entry.scale}`;
    const known = this.prepared.get(key);
    if (known && this.pool.isLoaded(known.path)) return known;
    const fresh = await this.prepare(entry);
    this.prepared.set(key, fresh);
    return fresh;
  }

  /**
   * Result-cache identity of an upscale with `model` at `factor` (see core's `cacheIdentity`): the
   * converted model's identity (weights hash, converter version, value ranges) and the memory cap
   * that picks the default tile size (tiles blend, so the tiling shows in the pixels). Undefined
   * when the pair is not installed: that call fails in `run` with the precise error.
   */
  async cacheIdentity(model: string, factor: number): Promise<string | undefined> {
    let entry: UpscaleModelEntry;
    try {
      entry = this.resolve(model, factor);
    } catch {
      return undefined;
    }
    return `esrgan:${entry.id}x${entry.scale}:${await convertedModelIdentity(entry)}:cap${this.memoryCap}`;
  }

  /** The tile side the memory cap allows for a converted model. */
  autoTileSize(info: ConvertedModelInfo): number {
    return tileSizeForMemoryCap(this.memoryCap, info.peakElementsPerInputPixel);
  }

  /** Upscales `image` with `request.model` at `request.factor`. */
  async upscale(image: PixelImage, request: EsrganUpscaleRequest): Promise<EsrganUpscaleResult> {
    const entry = this.resolve(request.model, request.factor);
    if (request.tileSize !== undefined) {
      if (
        !Number.isInteger(request.tileSize) ||
        request.tileSize < MIN_TILE_SIZE ||
        request.tileSize > MAX_TILE_SIZE
      ) {
        throw new CapabilityError(
          'InvalidArgument',
          `tile_size must be a whole number from ${MIN_TILE_SIZE} to ${MAX_TILE_SIZE}, got ${request.tileSize}`,
          { param: 'options.tile_size' },
        );
      }
    }
    const { path, info } = await this.preparedModel(entry);
    throwIfCancelled(request.signal, 'upscale');
    const tileSize = request.tileSize ?? this.autoTileSize(info);
    // Small tiles get a proportionally smaller overlap so each tile still advances.
    const plan = planTiles(
      image.width,
      image.height,
      tileSize,
      Math.min(DEFAULT_OVERLAP, Math.floor(tileSize / 4)),
    );
    const rgb = toRgb(image);
    const upscaled = await this.pool.use(path, (session) =>
      runEsrganTiled(session, rgb, entry.scale, plan, {
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onTile ? { onTile: request.onTile } : {}),
      }),
    );
    const alpha = await upscaledAlpha(image, upscaled.width, upscaled.height);
    return {
      image: alpha ? attachAlpha(upscaled, alpha) : { ...upscaled, channels: 3 },
      model: entry.id,
      scale: entry.scale,
      tiling: { tile_size: tileSize, overlap: plan.overlap, tiles: plan.tiles.length },
      alpha: alpha ? 'lanczos' : 'none',
    };
  }

  /**
   * Runs `work` with the pooled onnxruntime session of `model` at `factor` (the one `upscale`
   * uses), e.g. to time a bare `session.run` against the full pipeline on the same session.
   */
  async withSession<T>(
    model: string,
    factor: number,
    work: (session: InferenceSession) => Promise<T>,
  ): Promise<T> {
    const { path } = await this.preparedModel(this.resolve(model, factor));
    return this.pool.use(path, (session) => work(session));
  }

  /** Paths of loaded sessions (for tests and health). */
  loadedModels(): string[] {
    return this.pool.loadedModels();
  }

  /** Releases every idle session. */
  async dispose(): Promise<void> {
    await this.pool.unloadIdle();
  }
}

/** Interleaved RGB from grey, grey+alpha, RGB or RGBA (alpha dropped here, re-attached later). */
function toRgb(image: PixelImage): RgbImage {
  if (image.channels === 3) return image;
  const pixels = image.width * image.height;
  const rgb = new Uint8Array(pixels * 3);
  const colour = image.channels >= 3;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const base = pixel * image.channels;
    rgb[pixel * 3] = image.data[base]!;
    rgb[pixel * 3 + 1] = image.data[colour ? base + 1 : base]!;
    rgb[pixel * 3 + 2] = image.data[colour ? base + 2 : base]!;
  }
  return { data: rgb, width: image.width, height: image.height };
}

/** The alpha plane upscaled with Lanczos-3, or undefined when the image is fully opaque. */
async function upscaledAlpha(
  image: PixelImage,
  width: number,
  height: number,
): Promise<Uint8Array | undefined> {
  if (image.channels !== 2 && image.channels !== 4) return undefined;
  const pixels = image.width * image.height;
  const alpha = new Uint8Array(pixels);
  let opaque = true;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const value = image.data[pixel * image.channels + image.channels - 1]!;
    alpha[pixel] = value;
    if (value !== 255) opaque = false;
  }
  if (opaque) return undefined;
  const resized = await resampleClassical(
    { data: alpha, width: image.width, height: image.height, channels: 1 },
    width,
    height,
    'lanczos',
  );
  return resized.data;
}

function attachAlpha(rgb: RgbImage, alpha: Uint8Array): PixelImage {
  const pixels = rgb.width * rgb.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let pixel = 0; pixel < pixels; pixel++) {
    rgba[pixel * 4] = rgb.data[pixel * 3]!;
    rgba[pixel * 4 + 1] = rgb.data[pixel * 3 + 1]!;
    rgba[pixel * 4 + 2] = rgb.data[pixel * 3 + 2]!;
    rgba[pixel * 4 + 3] = alpha[pixel]!;
  }
  return { data: rgba, width: rgb.width, height: rgb.height, channels: 4 };
}
