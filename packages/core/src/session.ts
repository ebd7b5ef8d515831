import { randomBytes } from 'node:crypto';
import type { RpcNotificationArgs } from '@viwo/protocol';
import {
  type CallEnvironment,
  type CallScope,
  invokeThroughHandle,
} from './capabilities/capability-invoker.ts';
import type { CapabilityRegistry } from './capabilities/capability-registry.ts';
import {
  type CapabilityHandle,
  type HandleRecord,
  type HandleTable,
  toHandle,
} from './capabilities/handle-table.ts';
import { narrowRestrictions, parseRestrictions } from './capabilities/restrictions.ts';
import type { CapabilityRestrictions } from './capability-definition.ts';
import { coreError } from './errors.ts';
import type { KernelSession } from './jobs/job-host.ts';
import type { JobManager, JobResult, JobSummary } from './jobs/job-manager.ts';
import { progressParams } from './jobs/job-progress.ts';
import { type AccessScope, accessScopeOf } from './persistence/access-scope.ts';
import type { JobSource } from './persistence/history-store.ts';
import type { GrantPolicy, Principal } from './principal.ts';
import type { SessionLink } from './session-link.ts';

/** Receives `job.progress`, `job.log` and `job.done` notifications for a session's jobs. */
export type SessionNotifier = (...notification: RpcNotificationArgs) => void;

/** What a session needs from the runtime it belongs to. */
export interface SessionDeps {
  readonly registry: CapabilityRegistry;
  readonly handles: HandleTable;
  readonly policy: GrantPolicy;
  /** Open sessions by id (this one adds itself on open and removes itself on close). */
  readonly sessions: Map<string, SessionLink>;
  readonly jobs: JobManager;
  readonly calls: CallEnvironment;
  /** Aborted by `dispose`: direct method calls (outside jobs) stop with it. */
  readonly shutdown: AbortSignal;
}

/**
 * One principal's connection to the runtime (a WebSocket, the CLI). Holds capability handles that
 * are valid only here; runs scripts as jobs; receives their notifications while connected.
 *
 * Invariant: closing a session never cancels its jobs (results land in history); its handles are
 * revoked once its last job has finished.
 */
export class Session implements SessionLink, KernelSession {
  readonly id = randomBytes(16).toString('base64url');
  private notifier: SessionNotifier | null = null;
  private closedFlag = false;
  /** The handle get_capability returns per type and filter, so repeated asks do not pile up handles. */
  private readonly granted = new Map<string, HandleRecord>();

  constructor(
    private readonly deps: SessionDeps,
    readonly principal: Principal,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sets (or with null, clears) where notifications go. */
  setNotifier(notifier: SessionNotifier | null): void {
    this.notifier = notifier;
  }

  /** Delivers a notification to the connected client, if any; a failing notifier never breaks a job. */
  notify(...notification: RpcNotificationArgs): void {
    if (!this.notifier) return;
    try {
      this.notifier(...notification);
    } catch {
      // The transport is gone or broken; the job goes on and its result lands in history.
    }
  }

  /**
   * A handle for a capability type this session's principal is granted (or was given). A filter
   * (`{methods, bounds, maxCompute}` or `max_<param>` shorthands) returns a narrowed handle.
   */
  getCapability(type: string, filter?: unknown): CapabilityHandle {
    if (typeof type !== 'string' || !this.deps.registry.has(type)) {
      throw coreError(
        'InvalidArgument',
        `unknown capability type ${JSON.stringify(type)} (available: ${this.deps.registry.types().join(', ') || 'none'})`,
      );
    }
    const requested = parseRestrictions(filter, `get_capability ${type}`);
    const narrowed = Object.keys(requested).length > 0;
    const key = `${type}\u0000${narrowed ? JSON.stringify(requested) : ''}`;
    const cached = this.granted.get(key);
    if (cached && !cached.revoked) return toHandle(cached);

    let base = this.rootFor(type);
    if (!base) {
      base = this.deps.handles
        .heldBy(this.id)
        .find((record) => record.type === type && record.parent?.sessionId !== this.id);
      if (!base) {
        throw coreError('CapabilityDenied', `this session was not granted the ${type} capability`);
      }
    }
    const record = narrowed
      ? this.deps.handles.issue(
          this.id,
          type,
          narrowRestrictions(base.restrictions, requested, false, `get_capability ${type}`),
          base,
        )
      : base;
    this.granted.set(key, record);
    return toHandle(record);
  }

  /** Mints a handle of `type` from an authority handle of the same type, attenuated by `params`. */
  mint(authority: unknown, type: string, params: unknown): CapabilityHandle {
    const parent = this.deps.handles.resolve(this.id, authority, 'mint authority');
    if (parent.type !== type) {
      throw coreError('CapabilityDenied', `mint: a ${parent.type} authority cannot mint ${type}`);
    }
    const requested = parseRestrictions(params, `mint ${type}`);
    const restrictions = narrowRestrictions(parent.restrictions, requested, false, `mint ${type}`);
    return toHandle(this.deps.handles.issue(this.id, type, restrictions, parent));
  }

  /** A narrower handle derived from one this session holds; anything wider is an error. */
  delegate(handle: unknown, restrictions: unknown): CapabilityHandle {
    const parent = this.deps.handles.resolve(this.id, handle, 'delegate');
    const requested = parseRestrictions(restrictions, `delegate ${parent.type}`);
    const narrowed = narrowRestrictions(
      parent.restrictions,
      requested,
      true,
      `delegate ${parent.type}`,
    );
    return toHandle(this.deps.handles.issue(this.id, parent.type, narrowed, parent));
  }

  /** Gives every open session named by `target` (a session id or principal id) a derived handle. */
  giveCapability(handle: unknown, target: unknown): boolean {
    const parent = this.deps.handles.resolve(this.id, handle, 'give_capability');
    const targets = this.resolveTargets(target, 'give_capability');
    for (const session of targets) {
      this.deps.handles.issue(
        session.id,
        parent.type,
        structuredClone(parent.restrictions),
        parent,
      );
    }
    return true;
  }

  /**
   * Whether a session (id or principal id; null means this one) could use `type`: it holds a live
   * handle of it, or its policy grants it. A filter's `methods` must all be allowed.
   */
  hasCapability(target: unknown, type: string, filter?: unknown): boolean {
    const sessions =
      target === null || target === undefined || target === this.id
        ? [this as SessionLink]
        : this.resolveTargets(target, 'has_capability');
    const wanted = parseRestrictions(filter, 'has_capability').methods ?? [];
    const allows = (restrictions: CapabilityRestrictions) =>
      wanted.every((method) => !restrictions.methods || restrictions.methods.includes(method));
    return sessions.some((session) => {
      if (!this.deps.registry.has(type)) return false;
      const grant = this.deps.policy(session.principal, type);
      if (grant !== false && allows(grant === true ? {} : grant)) return true;
      return this.deps.handles
        .heldBy(session.id)
        .some((record) => record.type === type && allows(record.restrictions));
    });
  }

  /** Revokes a handle this session holds and everything derived from it. */
  revoke(handle: unknown): number {
    const record = this.deps.handles.resolve(this.id, handle, 'revoke');
    return this.deps.handles.revoke(record);
  }

  /**
   * Calls a method outside any script (RPC `std.call_method`); progress is reported under a call
   * id. `signal` (a queue worker's cancel) aborts the call as a job cancel would.
   */
  async callMethod(
    handle: unknown,
    method: string,
    args: unknown[] = [],
    options: { signal?: AbortSignal } = {},
  ): Promise<unknown> {
    this.assertOpen();
    if (!Array.isArray(args))
      throw coreError('InvalidArgument', 'std.call_method: args must be a list');
    const callId = `call_${randomBytes(9).toString('base64url')}`;
    const scope: CallScope = {
      jobId: callId,
      sessionId: this.id,
      signal: options.signal
        ? eitherSignal(this.deps.shutdown, options.signal)
        : this.deps.shutdown,
      images: this.deps.calls.images,
      progress: (report) => this.notify('job.progress', progressParams(callId, report)),
      log: (level, message) => this.notify('job.log', { job_id: callId, level, message }),
      recordSeed: () => {},
      recordCall: () => {},
      invoke: (type, innerMethod, innerArgs) =>
        this.callInScope(this.getCapability(type), innerMethod, innerArgs, scope),
    };
    return this.callInScope(handle, method, args, scope);
  }

  /** Calls through a handle within a job's (or call's) scope; used by `std.call_method`. */
  callInScope(
    handle: unknown,
    method: string,
    args: unknown[],
    scope: CallScope,
  ): Promise<unknown> {
    const record = this.deps.handles.resolve(this.id, handle, 'std.call_method');
    return invokeThroughHandle(this.deps.calls, record, method, args, scope);
  }

  /**
   * Runs a script (JSON or text form) as a job and resolves with its result. `parent_id` links the
   * history entry to the one it was derived from (a re-run or variation); `source` records who
   * started it (`queue`: the server queue, which reruns its own jobs after a restart).
   */
  executeScript(
    script: unknown,
    options: { gas?: number; parent_id?: string; source?: JobSource } = {},
  ): Promise<JobResult> {
    this.assertOpen();
    return this.deps.jobs.execute(this, script, options);
  }

  /** Requests cancellation of a job of this principal; it stops at its next step. */
  cancelJob(jobId: string): JobSummary {
    return this.deps.jobs.cancel(this.principal, jobId);
  }

  /** Jobs of this principal known to this process, newest first (a page of at most `limit`). */
  listJobs(limit?: number): JobSummary[] {
    return this.deps.jobs.list(this.principal, limit);
  }

  /** One job, from memory or (after a restart or disconnect) from history. */
  getJob(jobId: string): JobSummary {
    return this.deps.jobs.get(this.principal, jobId);
  }

  /** Which owned rows (history, templates, conversations) this session's principal may see. */
  get scope(): AccessScope {
    return accessScopeOf(this.principal);
  }

  /** Disconnects: stops notifications; running jobs continue and land in history. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.notifier = null;
    this.deps.sessions.delete(this.id);
    void this.deps.jobs.whenSessionIdle(this.id).then(() => this.deps.handles.dropSession(this.id));
  }

  private rootFor(type: string): HandleRecord | undefined {
    const grant = this.deps.policy(this.principal, type);
    if (grant === false) return undefined;
    const key = `${type}\u0000`;
    const cached = this.granted.get(key);
    if (cached && !cached.revoked) return cached;
    const restrictions = grant === true ? {} : parseRestrictions(grant, `policy for ${type}`);
    // The user's quota rides on every root: derived handles are charged through it too.
    const record = this.deps.handles.issue(
      this.id,
      type,
      restrictions,
      undefined,
      this.principal.quota,
    );
    this.granted.set(key, record);
    return record;
  }

  private resolveTargets(target: unknown, where: string): SessionLink[] {
    if (typeof target !== 'string' || target.length === 0) {
      throw coreError('InvalidArgument', `${where}: target must be a session id or principal id`);
    }
    const direct = this.deps.sessions.get(target);
    if (direct) return [direct];
    const byPrincipal = [...this.deps.sessions.values()].filter((s) => s.principal.id === target);
    if (byPrincipal.length === 0) {
      throw coreError(
        'InvalidArgument',
        `${where}: no open session or principal ${JSON.stringify(target)}`,
      );
    }
    return byPrincipal;
  }

  /** Client entry points refuse a closed session; kernel calls from its still-running jobs do not. */
  private assertOpen(): void {
    if (this.closedFlag) throw coreError('CapabilityDenied', 'this session is closed');
  }
}

/**
 * A signal aborted when either source aborts. Built by hand rather than with `AbortSignal.any`,
 * whose result sources hold only weakly: the call must see the abort however long it runs.
 */
function eitherSignal(first: AbortSignal, second: AbortSignal): AbortSignal {
  const controller = new AbortController();
  for (const source of [first, second]) {
    if (source.aborted) controller.abort(source.reason);
    else source.addEventListener('abort', () => controller.abort(source.reason), { once: true });
  }
  return controller.signal;
}
