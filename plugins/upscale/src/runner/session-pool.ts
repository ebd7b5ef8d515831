import { createSession, type ExecutionProvider } from '@viwo/onnx';
import type { InferenceSession } from 'onnxruntime-node';

/** Options for {@link SessionPool}. */
export interface SessionPoolOptions {
  /** Unload a session this long after its last use (ms). Default 5 minutes; 0 keeps them. */
  idleUnloadMs?: number;
  /** Intra-op threads per session; default onnxruntime's choice. */
  threads?: number;
  /** Receives the CUDA→CPU fallback warning and unload notices. */
  log?: (level: 'info' | 'warn', message: string) => void;
}

interface PooledSession {
  loading: Promise<{ session: InferenceSession; provider: ExecutionProvider }>;
  inUse: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Caches onnxruntime sessions by model path (provider from `VIWO_EP` via `createSession`).
 *
 * Invariant: a session is released only when no call holds it (`inUse === 0`) and it has been
 * idle for `idleUnloadMs`; a later `use` simply loads it again.
 */
export class SessionPool {
  private readonly sessions = new Map<string, PooledSession>();
  private readonly idleUnloadMs: number;

  constructor(private readonly options: SessionPoolOptions = {}) {
    this.idleUnloadMs = options.idleUnloadMs ?? 5 * 60_000;
  }

  /** Runs `work` with the session for `modelPath`, loading it on first use. */
  async use<T>(
    modelPath: string,
    work: (session: InferenceSession, provider: ExecutionProvider) => Promise<T>,
  ): Promise<T> {
    let entry = this.sessions.get(modelPath);
    if (!entry) {
      entry = {
        loading: createSession(modelPath, {
          ...(this.options.threads ? { threads: this.options.threads } : {}),
          onWarning: (message) => this.options.log?.('warn', message),
        }),
        inUse: 0,
      };
      this.sessions.set(modelPath, entry);
      entry.loading.catch(() => this.sessions.delete(modelPath));
    }
    if (entry.timer) clearTimeout(entry.timer);
    entry.inUse++;
    try {
      const { session, provider } = await entry.loading;
      return await work(session, provider);
    } finally {
      entry.inUse--;
      this.scheduleUnload(modelPath, entry);
    }
  }

  /** Whether a session for `modelPath` is loaded (or loading), so `use` will not read the file. */
  isLoaded(modelPath: string): boolean {
    return this.sessions.has(modelPath);
  }

  /** Paths of the sessions currently loaded (or loading). */
  loadedModels(): string[] {
    return [...this.sessions.keys()];
  }

  /** Releases every idle session now (used by dispose and by tests). */
  async unloadIdle(): Promise<void> {
    await Promise.all(
      [...this.sessions.entries()]
        .filter(([, entry]) => entry.inUse === 0)
        .map(([path, entry]) => this.unload(path, entry)),
    );
  }

  private scheduleUnload(path: string, entry: PooledSession): void {
    if (entry.inUse > 0 || this.idleUnloadMs <= 0) return;
    entry.timer = setTimeout(() => {
      void this.unload(path, entry);
    }, this.idleUnloadMs);
    // An idle timer must not keep the process alive.
    entry.timer.unref?.();
  }

  private async unload(path: string, entry: PooledSession): Promise<void> {
    if (entry.inUse > 0 || this.sessions.get(path) !== entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.sessions.delete(path);
    try {
      const { session } = await entry.loading;
      await session.release();
      this.options.log?.('info', `unloaded idle upscale model ${path}`);
    } catch {
      // A session that failed to load has nothing to release.
    }
  }
}
