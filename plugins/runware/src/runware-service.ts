import {
  type CapabilityCallContext,
  type FileVideoStore,
  type ImageValue,
  type RawImage,
  ResourceQueue,
  readPngChunksNative,
} from '@viwo/core';
import { isPng, type VideoValue } from '@viwo/protocol';
import sharp from 'sharp';
import type { RunwareClient } from './client/runware-client.ts';
import type { RunwareItem } from './client/runware-messages.ts';
import { RunwarePluginError, redactKey } from './errors.ts';
import { probeMp4 } from './results/mp4-probe.ts';
import { resultBytes } from './results/result-bytes.ts';

/** Runtime settings of the service (plugin options with defaults applied). */
export interface RunwareSettings {
  url: string;
  taskTimeoutMs: number;
  videoTimeoutMs: number;
  pollIntervalMs: number;
  maxResultBytes: number;
  maxVideoBytes: number;
  maxPixels: number;
  outputType: 'base64Data' | 'dataURI' | 'URL';
  concurrency: number;
}

/**
 * Cropping a result back to the asked size: centred, or for outpaint anchored on the side the
 * original image sits (`keep` names the side that was extended, whose far edge is trimmed).
 */
export interface Crop {
  width: number;
  height: number;
  keep?: 'left' | 'right' | 'top' | 'bottom';
}

/** A checked result image: PNG bytes to store as they are, or decoded pixels. */
export type PreparedImage = { png: Uint8Array } | { raw: RawImage };

function badImage(error: unknown): RunwarePluginError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RunwarePluginError(
    'bad-response',
    `Runware answered badly: the result is not an image we accept (${reason})`,
  );
}

/** One progress-reporting helper per call: queued → sent → each result received. */
export interface CallProgress {
  queued(): void;
  sent(): void;
  received(index: number): void;
}

/** Where a crop starts: at 0 when the far side was extended, at the end when the near side was. */
function cropOffset(
  size: number,
  kept: number,
  extendedFar: boolean,
  extendedNear: boolean,
): number {
  if (extendedFar) return 0;
  if (extendedNear) return size - kept;
  return Math.floor((size - kept) / 2);
}

const UPLOAD_TTL_MS = 30 * 60 * 1000;
const UPLOADS_KEPT = 256;

/**
 * What the capability methods share: the client, the concurrency limit for cloud calls (separate
 * from the local device queue), the upload cache, and storing results.
 */
export class RunwareService {
  readonly queue: ResourceQueue;
  private readonly uploads = new Map<string, { uuid: string; at: number }>();

  constructor(
    readonly client: RunwareClient,
    readonly settings: RunwareSettings,
    readonly videos: FileVideoStore,
    private readonly currentKey: () => Promise<string | undefined>,
    private readonly pluginLog: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {
    this.queue = new ResourceQueue('runware', settings.concurrency);
  }

  /** Runs `work` holding one of the cloud-call slots; errors lose any echo of the key. */
  async withSlot<T>(
    context: CapabilityCallContext,
    progress: CallProgress,
    work: () => Promise<T>,
  ): Promise<T> {
    progress.queued();
    const release = await this.queue.acquire('runware', context.signal);
    try {
      return await work();
    } catch (error) {
      const scrubbed = await this.scrub(error);
      if (!context.signal.aborted) {
        // In the job's log (history) and the server's: both only ever see the scrubbed text.
        const message = scrubbed instanceof Error ? scrubbed.message : String(scrubbed);
        context.log('warn', `runware: ${message}`);
        this.pluginLog('warn', message);
      }
      throw scrubbed;
    } finally {
      release();
    }
  }

  /** Progress reports for one call producing `results` items. */
  progress(context: CapabilityCallContext, method: string, results: number): CallProgress {
    const total = results + 1;
    return {
      queued: () => context.progress({ label: `runware ${method}: queued`, step: 0, total }),
      sent: () => context.progress({ label: `runware ${method}: sent`, step: 1, total }),
      received: (index) =>
        context.progress({
          label: `runware ${method}: received ${index + 1} of ${results}`,
          step: Math.min(index + 2, total),
          total,
        }),
    };
  }

  /**
   * The imageUUID of one of our images on Runware: uploaded once (as a PNG data URI) and reused
   * for half an hour, so re-sent and repeated tasks stay small.
   */
  async upload(context: CapabilityCallContext, image: ImageValue): Promise<string> {
    const cached = this.uploads.get(image.$image);
    if (cached && Date.now() - cached.at < UPLOAD_TTL_MS) return cached.uuid;
    const png = await context.images.getPng(image.$image);
    const items = await this.client.run({
      task: {
        taskType: 'imageUpload',
        image: `data:image/png;base64,${Buffer.from(png).toString('base64')}`,
      },
      timeoutMs: this.settings.taskTimeoutMs,
      signal: context.signal,
      onItem: () => true,
      optionNames: { image: 'image' },
    });
    const uuid = items[0]?.imageUUID;
    if (typeof uuid !== 'string' || uuid.length === 0) {
      throw new RunwarePluginError(
        'bad-response',
        'Runware answered an upload without an imageUUID',
      );
    }
    this.uploads.set(image.$image, { uuid, at: Date.now() });
    if (this.uploads.size > UPLOADS_KEPT) {
      this.uploads.delete(this.uploads.keys().next().value as string);
    }
    return uuid;
  }

  /**
   * Fetches or decodes a result image and checks it (bytes, PNG structure, pixel count) without
   * storing it, so a batch with one bad result stores nothing. A PNG that needs no crop is kept
   * as it is (stored without re-encoding); anything else is decoded (and cropped) to pixels.
   */
  async prepareImage(
    context: CapabilityCallContext,
    item: RunwareItem,
    crop?: Crop,
  ): Promise<PreparedImage> {
    const bytes = await resultBytes(item, 'image', {
      endpoint: this.settings.url,
      maxBytes: this.settings.maxResultBytes,
      signal: context.signal,
    });
    if (context.images.putPng && isPng(bytes)) {
      let header: DataView;
      try {
        // zlib's CRC: the protocol's browser-safe JS one costs tens of ms on a 3 MB result.
        const first = readPngChunksNative(bytes)[0];
        if (first?.type !== 'IHDR' || first.data.length !== 13) throw new Error('no IHDR chunk');
        header = new DataView(first.data.buffer, first.data.byteOffset, 13);
      } catch (error) {
        throw badImage(error);
      }
      const width = header.getUint32(0);
      const height = header.getUint32(4);
      if (width * height > this.settings.maxPixels) {
        throw badImage(
          new Error(`${width}×${height} is over the ${this.settings.maxPixels}-pixel limit`),
        );
      }
      if (!crop || (width <= crop.width && height <= crop.height)) return { png: bytes };
    }
    return { raw: await this.decodeImage(bytes, crop) };
  }

  /** Stores a prepared result with our text chunks. */
  async storeImage(
    context: CapabilityCallContext,
    prepared: PreparedImage,
    chunks: Record<string, string>,
  ): Promise<ImageValue> {
    if (!('png' in prepared)) return context.images.putRaw(prepared.raw, chunks);
    try {
      return await context.images.putPng!(prepared.png, chunks);
    } catch (error) {
      throw badImage(error);
    }
  }

  private async decodeImage(bytes: Uint8Array, crop?: Crop): Promise<RawImage> {
    try {
      let pipeline = sharp(bytes, { limitInputPixels: this.settings.maxPixels, failOn: 'error' });
      const meta = await pipeline.metadata();
      const width = meta.width ?? 0;
      const height = meta.height ?? 0;
      if (crop && (width > crop.width || height > crop.height)) {
        const cropWidth = Math.min(crop.width, width);
        const cropHeight = Math.min(crop.height, height);
        pipeline = pipeline.extract({
          left: cropOffset(width, cropWidth, crop.keep === 'right', crop.keep === 'left'),
          top: cropOffset(height, cropHeight, crop.keep === 'bottom', crop.keep === 'top'),
          width: cropWidth,
          height: cropHeight,
        });
      }
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      return {
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        width: info.width,
        height: info.height,
        channels: info.channels as RawImage['channels'],
      };
    } catch (error) {
      throw badImage(error);
    }
  }

  /** Downloads (or decodes) a result video and stores it content-addressed. */
  async storeVideo(
    context: CapabilityCallContext,
    item: RunwareItem,
    info: { width: number; height: number; duration: number },
  ): Promise<VideoValue> {
    const bytes = await resultBytes(item, 'video', {
      endpoint: this.settings.url,
      maxBytes: this.settings.maxVideoBytes,
      signal: context.signal,
    });
    // The file's own header is the truth about size and length; the request is the fallback.
    const probed = probeMp4(bytes);
    try {
      return await this.videos.put(bytes, probed ?? info);
    } catch (error) {
      throw new RunwarePluginError(
        'bad-response',
        `Runware answered badly: ${(error as Error).message}`,
      );
    }
  }

  /** Records what Runware reported for one result: its seed and cost. */
  record(context: CapabilityCallContext, item: RunwareItem): void {
    if (typeof item.seed === 'number' && Number.isSafeInteger(item.seed))
      context.recordSeed(item.seed);
    if (typeof item.cost === 'number' && Number.isFinite(item.cost) && item.cost >= 0) {
      context.recordCost?.(item.cost);
    }
  }

  /** Whether an API key is configured (read locally: no network). */
  async hasKey(): Promise<boolean> {
    return (await this.currentKey()) !== undefined;
  }

  /** The error with every echo of the API key removed from its message (defence in depth). */
  async scrub(error: unknown): Promise<unknown> {
    if (!(error instanceof Error)) return error;
    const key = await this.currentKey();
    const message = redactKey(error.message, key);
    if (message === error.message) return error;
    if (error instanceof RunwarePluginError) {
      return new RunwarePluginError(error.failure, message, {
        ...(error.param === undefined ? {} : { param: error.param }),
      });
    }
    return new RunwarePluginError('unavailable', message);
  }
}
