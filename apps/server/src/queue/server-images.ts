import { createHash } from 'node:crypto';
import type { FileImageStore, ImageValue } from '@viwo/core';
import { coreError } from '@viwo/core';
import { WORKER_HEADER } from './queue-settings.ts';

/**
 * A worker's view of the server's image store over HTTP: inputs are read by hash and checked
 * against it (a proxy or a bug cannot slip in other bytes); results are uploaded verbatim so they
 * keep the hash they have here.
 */
export class ServerImages {
  constructor(
    private readonly serverUrl: string,
    private readonly workerId: string,
    private readonly token: string | undefined,
  ) {}

  private headers(): Record<string, string> {
    return {
      [WORKER_HEADER]: this.workerId,
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
    };
  }

  /** Copies an image from the server into `store` unless it is already there. */
  async fetchInto(store: FileImageStore, hash: string): Promise<void> {
    if (await store.has(hash)) return;
    const response = await fetch(`${this.serverUrl}/images/${hash}.png`, {
      headers: this.headers(),
    });
    if (!response.ok) {
      throw coreError(
        response.status === 404 ? 'NotFound' : 'PluginError',
        `input image ${hash} could not be read from the server (HTTP ${response.status}: ${await bodyText(response)})`,
      );
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== hash) {
      throw coreError(
        'PluginError',
        `input image ${hash} arrived with different bytes (sha256 ${actual}); refusing to use it`,
      );
    }
    await store.putPngVerbatim(bytes);
  }

  /** Uploads a stored image to the server verbatim and checks the server kept its hash. */
  async upload(store: FileImageStore, image: ImageValue): Promise<void> {
    const bytes = await store.getPng(image.$image);
    let response: Response;
    try {
      response = await fetch(`${this.serverUrl}/images`, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'image/png' },
        body: new Blob([new Uint8Array(bytes)]),
      });
    } catch (error) {
      throw coreError(
        'PluginError',
        `could not store a result image on the server: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (response.status === 413) {
      throw coreError(
        'InvalidArgument',
        `the result image (${image.width}×${image.height}, ${bytes.length} bytes) is larger than the server accepts`,
      );
    }
    if (!response.ok) {
      throw coreError(
        'PluginError',
        `the server refused a result image (HTTP ${response.status}: ${await bodyText(response)})`,
      );
    }
    const stored = (await response.json()) as Partial<ImageValue>;
    if (stored.$image !== image.$image) {
      throw coreError(
        'PluginError',
        `the server stored a result image as ${String(stored.$image)}, not ${image.$image}: it re-encoded it (is this worker's token accepted?)`,
      );
    }
  }
}

async function bodyText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  return text.slice(0, 200);
}
