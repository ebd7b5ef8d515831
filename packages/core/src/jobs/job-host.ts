import type { CallScope } from '../capabilities/capability-invoker.ts';
import type { CapabilityHandle } from '../capabilities/handle-table.ts';
import type { ImageStore, ImageValue, RawImage } from '../image-value.ts';
import type { ScriptHost } from '../script-host.ts';

/** What kernel opcodes may do on behalf of the session running a job. */
export interface KernelSession {
  getCapability(type: string, filter?: unknown): CapabilityHandle;
  mint(authority: unknown, type: string, params: unknown): CapabilityHandle;
  delegate(handle: unknown, restrictions: unknown): CapabilityHandle;
  giveCapability(handle: unknown, target: unknown): boolean;
  hasCapability(target: unknown, type: string, filter?: unknown): boolean;
  revoke(handle: unknown): number;
  callInScope(handle: unknown, method: string, args: unknown[], scope: CallScope): Promise<unknown>;
}

/** Kernel access for each live host; a WeakMap keeps it off the object scripts' opcodes see. */
const kernelAccess = new WeakMap<object, { session: KernelSession; scope: CallScope }>();

/** The session and call scope behind an opcode's `context.host`, or a clear error. */
export function kernelOf(host: unknown): { session: KernelSession; scope: CallScope } {
  const access = typeof host === 'object' && host !== null ? kernelAccess.get(host) : undefined;
  if (!access)
    throw new Error('capability opcodes need the viwo runtime (no session in this evaluation)');
  return access;
}

/**
 * An image store that remembers every image written through it, in order, so a job can report
 * all the images it produced.
 */
export class RecordingImageStore implements ImageStore {
  readonly produced: ImageValue[] = [];

  constructor(private readonly inner: ImageStore) {}

  async putRaw(image: RawImage, textChunks?: Record<string, string>): Promise<ImageValue> {
    return this.record(await this.inner.putRaw(image, textChunks));
  }
  async putEncoded(bytes: Uint8Array): Promise<ImageValue> {
    return this.record(await this.inner.putEncoded(bytes));
  }
  async putPng(png: Uint8Array, textChunks?: Record<string, string>): Promise<ImageValue> {
    if (!this.inner.putPng) throw new Error('this image store cannot store PNG bytes verbatim');
    return this.record(await this.inner.putPng(png, textChunks));
  }
  getPng(hash: string): Promise<Uint8Array> {
    return this.inner.getPng(hash);
  }
  getRaw(image: ImageValue, channels?: 3 | 4): Promise<RawImage> {
    return this.inner.getRaw(image, channels);
  }
  getText(hash: string): Promise<Record<string, string>> {
    return this.inner.getText(hash);
  }
  has(hash: string): Promise<boolean> {
    return this.inner.has(hash);
  }

  /** Records images stored elsewhere (by a worker) as produced here, without writing them again. */
  adopt(images: ImageValue[]): void {
    for (const image of images) this.record(image);
  }

  private record(image: ImageValue): ImageValue {
    this.produced.push(image);
    return image;
  }
}

/** The per-job `ScriptHost` (fresh for every evaluation, so opcode state never leaks). */
export class JobHost implements ScriptHost {
  readonly attachments = new Map<string, unknown>();
  readonly finalizers: (() => Promise<ImageValue | undefined>)[] = [];

  constructor(
    readonly jobId: string,
    readonly images: RecordingImageStore,
    session: KernelSession,
    scope: CallScope,
  ) {
    kernelAccess.set(this, { session, scope });
  }

  addFinalizer(finalizer: () => Promise<ImageValue | undefined>): void {
    this.finalizers.push(finalizer);
  }
}
