import type { OpcodeDefinition } from '@viwo/script';
import type { CapabilityRegistry } from './capabilities/capability-registry.ts';
import type { HandleTable } from './capabilities/handle-table.ts';
import type { CapabilityRestrictions } from './capability-definition.ts';
import type { FileImageStore } from './images/file-image-store.ts';
import type { JobManager } from './jobs/job-manager.ts';
import type { ResourceQueue } from './jobs/resource-queue.ts';
import type { HistoryStore } from './persistence/history-store.ts';
import type { TemplateStore } from './persistence/template-store.ts';

/** Who a session acts for. `local` principals (loopback clients, the CLI) get the default grants. */
export interface Principal {
  id: string;
  local?: boolean;
  name?: string;
}

/**
 * Decides what a principal may obtain with `get_capability`: `true` for the full type, a
 * restrictions object for an attenuated grant, `false` to deny.
 */
export type GrantPolicy = (principal: Principal, type: string) => boolean | CapabilityRestrictions;

/** The default policy: local users get every type, others nothing. */
export const localUsersPolicy: GrantPolicy = (principal) => principal.local === true;

/** Evaluation limits applied to every job unless the call asks for less gas. */
export interface JobLimits {
  /** Gas a job gets when the client asks for none. */
  gas: number;
  /** Most gas a client may ask for; larger requests are capped to it. */
  maxGas: number;
  maxDepth: number;
  timeoutMs: number;
  maxOutputBytes: number;
}

/** A session as the rest of the runtime sees it (notifications go to whoever is connected now). */
export interface SessionLink {
  readonly id: string;
  readonly principal: Principal;
  readonly closed: boolean;
  notify(method: string, params: Record<string, unknown>): void;
}

/** Shared state of one runtime; internal to core. */
export interface RuntimeCore {
  readonly dataDir: string;
  readonly registry: CapabilityRegistry;
  readonly handles: HandleTable;
  readonly images: FileImageStore;
  readonly history: HistoryStore;
  readonly templates: TemplateStore;
  readonly policy: GrantPolicy;
  readonly limits: JobLimits;
  readonly sessions: Map<string, SessionLink>;
  /** Queue for methods that declare a compute cost (inference): one device, one at a time. */
  readonly deviceQueue: ResourceQueue;
  /** Jobs evaluating at once across all sessions; more wait here (queued), never refused. */
  readonly jobQueue: ResourceQueue;
  readonly jobs: JobManager;
  /** Aborted by `dispose`: direct method calls (outside jobs) stop with it. */
  readonly shutdown: AbortSignal;
  /** Plugin opcodes plus core's kernel opcodes, handed to every evaluation. */
  opcodes(): OpcodeDefinition[];
  /** Applies the history retention policy (after each finished job). */
  pruneHistory(): void;
}
