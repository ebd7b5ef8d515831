import { stat } from 'node:fs/promises';
import { createSession } from '@viwo/onnx';
import type { InferenceSession } from 'onnxruntime-node';

/** Default cap on the estimated memory of open sessions (override with `VIWO_DIFFUSERS_MEMORY_MB`). */
const DEFAULT_CAP_BYTES = 8 * 1024 ** 3;

interface CacheEntry {
  session: InferenceSession;
  bytes: number;
}

/**
 * Open onnxruntime sessions keyed by model file, unloaded least-recently-used first when the
 * estimated footprint (file + external data size) exceeds the cap.
 *
 * Invariant: a session in use by a running call is never released — `acquire` marks the key busy
 * until its `release` runs, and eviction skips busy keys (so the cap is soft during a call).
 */
export class SessionCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly loading = new Map<string, Promise<CacheEntry>>();
  private readonly busy = new Map<string, number>();
  readonly capBytes: number;

  constructor(
    capBytes?: number,
    private readonly onWarning: (message: string) => void = () => {},
  ) {
    const fromEnv = Number(process.env.VIWO_DIFFUSERS_MEMORY_MB);
    this.capBytes =
      capBytes ??
      (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv * 1024 ** 2 : DEFAULT_CAP_BYTES);
  }

  /** Estimated bytes held by open sessions. */
  get usedBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.bytes;
    return total;
  }

  /** Keys of open sessions, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Returns the session for `path` (opening it if needed) and a release function; callers must
   * call `release` when their run ends.
   */
  async acquire(path: string): Promise<{ session: InferenceSession; release: () => void }> {
    this.busy.set(path, (this.busy.get(path) ?? 0) + 1);
    try {
      const entry = await this.open(path);
      // Re-insert to mark as most recently used.
      this.entries.delete(path);
      this.entries.set(path, entry);
      await this.evict();
      let released = false;
      return {
        session: entry.session,
        release: () => {
          if (released) return;
          released = true;
          this.unmarkBusy(path);
        },
      };
    } catch (error) {
      this.unmarkBusy(path);
      throw error;
    }
  }

  /** Releases every idle session. */
  async clear(): Promise<void> {
    for (const [key, entry] of [...this.entries]) {
      if (this.busy.has(key)) continue;
      this.entries.delete(key);
      await entry.session.release();
    }
  }

  private unmarkBusy(path: string): void {
    const count = (this.busy.get(path) ?? 1) - 1;
    if (count <= 0) this.busy.delete(path);
    else this.busy.set(path, count);
  }

  private async open(path: string): Promise<CacheEntry> {
    const cached = this.entries.get(path);
    if (cached) return cached;
    const pending = this.loading.get(path);
    if (pending) return pending;
    const promise = (async () => {
      let bytes: number;
      try {
        bytes = (await stat(path)).size;
      } catch {
        throw new Error(`model file missing: ${path}`);
      }
      const external = await stat(`${path}_data`).catch(() => undefined);
      if (external) bytes += external.size;
      try {
        const { session } = await createSession(path, { onWarning: this.onWarning });
        return { session, bytes: Math.ceil(bytes * 1.2) };
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new Error(`cannot load ONNX model ${path}: ${reason}`);
      }
    })();
    this.loading.set(path, promise);
    try {
      const entry = await promise;
      this.entries.set(path, entry);
      return entry;
    } finally {
      this.loading.delete(path);
    }
  }

  private async evict(): Promise<void> {
    for (const [key, entry] of [...this.entries]) {
      if (this.usedBytes <= this.capBytes) return;
      if (this.busy.has(key)) continue;
      this.entries.delete(key);
      await entry.session.release();
    }
  }
}
