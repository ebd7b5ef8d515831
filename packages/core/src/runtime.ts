import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type OpcodeDefinition, type OpcodeMetadata, opcodeMetadata } from '@viwo/script';
import sharp from 'sharp';
import packageJson from '../package.json' with { type: 'json' };
import { CapabilityRegistry } from './capabilities/capability-registry.ts';
import { HandleTable } from './capabilities/handle-table.ts';
import type { RemoteCallDispatcher } from './capabilities/remote-calls.ts';
import { ResultCache } from './capabilities/result-cache.ts';
import type { CapabilityMetadata } from './capability-definition.ts';
import { coreError } from './errors.ts';
import { DEFAULT_MAX_IMAGE_PIXELS, FileImageStore } from './images/file-image-store.ts';
import type { JobFinishedListener } from './jobs/job-finished.ts';
import { type JobLimits, JobManager } from './jobs/job-manager.ts';
import { ResourceQueue } from './jobs/resource-queue.ts';
import { kernelOpcodes } from './kernel/kernel-opcodes.ts';
import { openBunSqlite } from './persistence/bun-sqlite.ts';
import { ConversationStore } from './persistence/conversation-store.ts';
import {
  DEFAULT_HISTORY_RETENTION,
  type HistoryRetention,
  pruneHistory,
} from './persistence/history-retention.ts';
import { HistoryStore, type InterruptedJob } from './persistence/history-store.ts';
import { runMigrations } from './persistence/migrations.ts';
import { TemplateStore } from './persistence/template-store.ts';
import { type UserRecord, UserStore } from './persistence/user-store.ts';
import type { Plugin } from './plugin.ts';
import { type PluginHealth, type PluginLogger, PluginManager } from './plugins/plugin-manager.ts';
import { type GrantPolicy, localUsersPolicy, type Principal } from './principal.ts';
import { Session, type SessionDeps } from './session.ts';
import type { SessionLink } from './session-link.ts';

/** Options of `createRuntime`. */
export interface RuntimeOptions {
  /** Where the database and images live (`VIWO_DATA`); created if missing. */
  dataDir: string;
  /** Plugins, initialised in this order. */
  plugins: readonly Plugin[];
  /** Who gets which capability types; default: local principals get everything. */
  policy?: GrantPolicy;
  /** Largest image (in pixels) stored or accepted on upload; default 4096×4096. */
  maxImagePixels?: number;
  /** Evaluation budgets per job (defaults: 1,000,000 gas, depth 256, 10 min, 4 MiB output). */
  limits?: Partial<JobLimits>;
  /** Capability calls with a compute cost run this many at a time; default 1 (one device). */
  deviceConcurrency?: number;
  /** Answer repeats of deterministic capability calls from the result cache; default true. */
  resultCache?: boolean;
  /**
   * Scripts evaluating at once across every session; more wait in a fair queue (status
   * `queued`). Default 4: loops share one event loop (they take turns, so a request waits for
   * one slice, not one per script), and a job waiting for the device holds its slot.
   */
  maxConcurrentJobs?: number;
  /** How much finished history to keep (default: the newest 10,000 entries; favorites always). */
  history?: HistoryRetention;
  /**
   * Mark jobs a previous process left unfinished as `interrupted` (default true). Maintenance
   * commands that may run beside a live server (`viwo gc`) pass false, or they would mark the
   * server's running jobs.
   */
  recoverInterrupted?: boolean;
  /** Queue mode: runs costed calls elsewhere (workers); default in-process. */
  remoteCalls?: RemoteCallDispatcher;
  /** Receives plugin log lines; default writes warnings and errors to stderr. */
  logger?: PluginLogger;
}

/** What `health()` returns (served at `GET /health`). */
export interface RuntimeHealth {
  status: 'ok' | 'degraded';
  plugins: PluginHealth[];
  execution_provider: 'cpu' | 'cuda';
  versions: Record<string, string>;
}

/** The embedding API every front end (server, CLI, tests) uses. */
export interface Runtime {
  readonly dataDir: string;
  readonly images: FileImageStore;
  readonly history: HistoryStore;
  /**
   * The jobs a previous process left unfinished, which this runtime marked `interrupted` when it
   * opened (oldest first; empty with `recoverInterrupted: false`). The server runs them again.
   */
  readonly interrupted: readonly InterruptedJob[];
  readonly templates: TemplateStore;
  /** Users and their hashed tokens and quotas (`viwo users …`); none means no sign-in. */
  readonly users: UserStore;
  /** The principal a signed-in user's sessions act as: owner scope and compute quota included. */
  userPrincipal(user: UserRecord): Principal;
  /** Conversations of the refine workflow (`conversations.*`). */
  readonly conversations: ConversationStore;
  health(): RuntimeHealth;
  /** Metadata of std, kernel and plugin opcodes (`get_opcodes`). */
  opcodeMetadata(): OpcodeMetadata[];
  /** Metadata of every registered capability type (`get_capability_metadata`). */
  capabilityMetadata(): CapabilityMetadata[];
  /** Opens a session for a principal (a bare string is a local principal id). */
  openSession(principal: Principal | string): Session;
  /**
   * Deletes stored images that no history entry, template or running job references. With
   * `olderThanMs`, images written more recently are kept (uploads a client is about to use).
   */
  gc(options?: { olderThanMs?: number }): Promise<{ removed: number }>;
  /**
   * Calls `listener` after every job ends (see {@link JobManager.onFinished}); returns the function
   * that removes it.
   */
  onJobFinished(listener: JobFinishedListener): () => void;
  /** Cancels running jobs, disposes plugins, closes the database. Safe to call twice. */
  dispose(): Promise<void>;
}

const DEFAULT_LIMITS: JobLimits = {
  gas: 1_000_000,
  maxGas: 100_000_000,
  maxDepth: 256,
  timeoutMs: 10 * 60 * 1000,
  maxOutputBytes: 4 * 1024 * 1024,
};

/**
 * Starts a runtime: opens (and migrates) the database, marks jobs a previous process left
 * unfinished as `interrupted`, loads plugins (isolating failures), and returns the facade.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  if (typeof options?.dataDir !== 'string' || options.dataDir.length === 0) {
    throw new Error('createRuntime: dataDir is required');
  }
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const db = openBunSqlite(resolve(dataDir, 'viwo.db'));
  try {
    runMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const history = new HistoryStore(db);
  const interrupted = options.recoverInterrupted !== false ? history.markInterrupted() : [];
  const retention = options.history ?? DEFAULT_HISTORY_RETENTION;
  pruneHistory(db, retention);
  const templates = new TemplateStore(db);
  const users = new UserStore(db);
  const conversations = new ConversationStore(db);
  const images = new FileImageStore(dataDir, {
    maxPixels: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
  });
  const registry = new CapabilityRegistry();
  const logger: PluginLogger =
    options.logger ??
    ((plugin, level, message) => {
      if (level !== 'info') console.error(`[${plugin}] ${level}: ${message}`);
    });
  const plugins = new PluginManager(registry, logger);
  const sessions = new Map<string, SessionLink>();
  let allOpcodes: OpcodeDefinition[] = [...kernelOpcodes];
  const shutdown = new AbortController();

  const jobs = new JobManager({
    images,
    history,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    queueMode: options.remoteCalls !== undefined,
    opcodes: () => allOpcodes,
    jobQueue: new ResourceQueue('jobs', options.maxConcurrentJobs ?? 4),
    pruneHistory: () => pruneHistory(db, retention),
  });
  const sessionDeps: SessionDeps = {
    registry,
    handles: new HandleTable(),
    policy: options.policy ?? localUsersPolicy,
    sessions,
    jobs,
    calls: {
      registry,
      images,
      deviceQueue: new ResourceQueue('device', options.deviceConcurrency ?? 1),
      ...(options.resultCache === false
        ? {}
        : { resultCache: new ResultCache(dataDir, (hash) => images.has(hash)) }),
      ...(options.remoteCalls ? { remoteCalls: options.remoteCalls } : {}),
    },
    shutdown: shutdown.signal,
  };

  await plugins.load(options.plugins ?? [], dataDir, images);
  allOpcodes = [...kernelOpcodes, ...plugins.opcodes()];

  let disposed: Promise<void> | undefined;

  return {
    dataDir,
    images,
    history,
    interrupted,
    templates,
    users,
    userPrincipal(user) {
      return {
        id: `user:${user.id}`,
        name: user.name,
        user: { id: user.id, name: user.name, admin: user.admin },
        quota: users.ledger(user.id),
      };
    },
    conversations,
    health() {
      const pluginHealth = plugins.health();
      return {
        status: pluginHealth.every((p) => p.status === 'ok') && !disposed ? 'ok' : 'degraded',
        plugins: pluginHealth,
        // What models really run on (after fallback), not what VIWO_EP asked for.
        execution_provider: pluginHealth.some((p) => p.execution_provider === 'cuda')
          ? 'cuda'
          : 'cpu',
        versions: {
          viwo: packageJson.version,
          ...(process.versions.bun ? { bun: process.versions.bun } : {}),
          node: process.versions.node,
          sharp: sharp.versions.sharp ?? 'unknown',
          libvips: sharp.versions.vips,
        },
      };
    },
    opcodeMetadata() {
      return opcodeMetadata(allOpcodes);
    },
    capabilityMetadata() {
      return registry.metadata();
    },
    openSession(principal) {
      if (disposed) throw new Error('the runtime has been disposed');
      const who: Principal =
        typeof principal === 'string' ? { id: principal, local: true } : principal;
      if (typeof who?.id !== 'string' || who.id.length === 0) {
        throw new Error('openSession: principal needs an id');
      }
      const session = new Session(sessionDeps, who);
      sessions.set(session.id, session);
      return session;
    },
    async gc(gcOptions = {}) {
      const referenced = new Set([
        ...history.referencedImages(),
        ...templates.referencedImages(),
        ...conversations.referencedImages(),
        ...jobs.liveImages(),
      ]);
      const cutoff = Date.now() - (gcOptions.olderThanMs ?? 0);
      let removed = 0;
      for (const hash of await images.list()) {
        if (referenced.has(hash)) continue;
        if (gcOptions.olderThanMs && (await images.modifiedAt(hash)) > cutoff) continue;
        await images.delete(hash);
        removed++;
      }
      return { removed };
    },
    onJobFinished(listener) {
      return jobs.onFinished(listener);
    },
    dispose() {
      disposed ??= (async () => {
        shutdown.abort(coreError('Cancelled', 'the server is shutting down'));
        await jobs.cancelAll('the server is shutting down');
        for (const session of [...sessions.values()]) (session as Session).close();
        await plugins.dispose();
        db.close();
      })();
      return disposed;
    },
  };
}
