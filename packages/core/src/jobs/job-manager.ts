import { randomBytes } from 'node:crypto';
import type { JobLog, JobProgress, JobResult, JobSummary, LogLevel } from '@viwo/protocol';
import { check, evaluate, type OpcodeDefinition, ScriptError } from '@viwo/script';
import type { CallScope } from '../capabilities/capability-invoker.ts';
import { coreError, redactHostText } from '../errors.ts';
import type { ImageStore, ImageValue } from '../image-value.ts';
import { collectImageHashes, collectImageValues } from '../images/collect-image-hashes.ts';
import { accessScopeOf, visibleTo } from '../persistence/access-scope.ts';
import {
  type HistoryEntry,
  type HistoryStore,
  type JobSource,
  type JobStatus,
  type RecordedCall,
  totalCost,
} from '../persistence/history-store.ts';
import type { Principal } from '../principal.ts';
import { toWireValue } from '../rpc/wire-value.ts';
import type { SessionLink } from '../session-link.ts';
import { type JobFinishedListener, JobFinishedListeners } from './job-finished.ts';
import { JobHost, type KernelSession, RecordingImageStore } from './job-host.ts';
import { type ProgressReport, progressParams } from './job-progress.ts';
import { retainedLogs, retainedResult } from './job-retention.ts';
import { parseScriptInput } from './parse-script-input.ts';
import type { ResourceQueue } from './resource-queue.ts';

export type { JobLog, JobResult, JobSummary } from '@viwo/protocol';

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

/** What the job manager needs from the runtime. */
export interface JobManagerDeps {
  /** The shared store; each job writes through its own recording wrapper. */
  readonly images: ImageStore;
  readonly history: HistoryStore;
  readonly limits: JobLimits;
  /** Plugin opcodes plus core's kernel opcodes, handed to every evaluation. */
  opcodes(): OpcodeDefinition[];
  /** Jobs evaluating at once across all sessions; more wait here (queued), never refused. */
  readonly jobQueue: ResourceQueue;
  /** Applies the history retention policy (after each finished job). */
  pruneHistory(): void;
  /** Queue mode: job summaries list the workers that ran their device calls. */
  readonly queueMode?: boolean;
}

interface JobState {
  id: string;
  sessionId: string;
  principalId: string;
  /** The user the job belongs to (null without users). */
  owner: string | null;
  status: JobStatus;
  created: number;
  durationMs: number | null;
  controller: AbortController;
  /** The job's recording store: everything it wrote so far. */
  store: RecordingImageStore;
  images: ImageValue[];
  progress?: JobProgress;
  progressStart: Map<string, { time: number; step: number }>;
  error?: JobSummary['error'];
  result?: unknown;
  workers: Set<string>;
  settled: Promise<void>;
}

/** How many finished jobs stay in memory for `job.list` (history keeps all of them). */
const FINISHED_JOBS_KEPT = 200;

/** `job.list` page size: the default, and the most one call returns (a larger limit is clamped). */
export const JOB_LIST_DEFAULT = 50;
export const JOB_LIST_MAX = 200;

/**
 * Runs scripts as jobs: parse → check → evaluate with budgets, an AbortSignal and a fresh host →
 * finalizers → history. Notifications go to the session that started the job while it is
 * connected: every `job.progress`/`job.log` before the result is returned, `job.done` after it.
 */
export class JobManager {
  private readonly jobs = new Map<string, JobState>();
  private readonly finished = new JobFinishedListeners((error) =>
    console.error(`job-finished listener failed: ${redactHostText(String(error))}`),
  );

  constructor(private readonly deps: JobManagerDeps) {}

  /**
   * Calls `listener` after each job ends (any status), once its reply and `job.done` are sent;
   * returns the function that removes it. Listener failures never reach the job or its client.
   */
  onFinished(listener: JobFinishedListener): () => void {
    return this.finished.add(listener);
  }

  /** Runs one script for a session; rejects with a ScriptError (never a host error). */
  async execute(
    link: SessionLink & KernelSession,
    input: unknown,
    options: { gas?: number; parent_id?: string; source?: JobSource },
  ): Promise<JobResult> {
    const script = parseScriptInput(input);
    const opcodes = this.deps.opcodes();
    const { errors } = check(script, opcodes);
    if (errors.length > 0) {
      // Checked before a job exists, so an invalid script leaves no history entry. Same codes and
      // message shape as `evaluate`'s own check: too deep is a budget failure, not a syntax one.
      const first = errors[0]!;
      const code = errors.every((p) => p.code === 'DepthExceeded')
        ? 'DepthExceeded'
        : 'InvalidScript';
      const message =
        errors.length === 1 ? first.message : `${errors.length} problems; first: ${first.message}`;
      throw new ScriptError(code, message, first.path, { errors });
    }
    const requestedGas = options.gas ?? this.deps.limits.gas;
    if (!Number.isInteger(requestedGas) || requestedGas < 1) {
      throw coreError(
        'InvalidArgument',
        `gas must be a positive integer, got ${String(options.gas)}`,
      );
    }
    // A client may ask for less gas than the server maximum, never more.
    const gas = Math.min(requestedGas, this.deps.limits.maxGas);

    const id = `job_${randomBytes(12).toString('base64url')}`;
    const started = performance.now();
    let release!: () => void;
    // Jobs past the global limit wait their turn (fair between sessions) instead of being refused.
    const mustWait = this.deps.jobQueue.running >= this.deps.jobQueue.capacity;
    const state: JobState = {
      id,
      sessionId: link.id,
      principalId: link.principal.id,
      owner: accessScopeOf(link.principal).owner,
      status: mustWait ? 'queued' : 'running',
      created: Date.now(),
      durationMs: null,
      controller: new AbortController(),
      store: new RecordingImageStore(this.deps.images),
      images: [],
      progressStart: new Map(),
      workers: new Set(),
      settled: new Promise<void>((resolve) => {
        release = resolve;
      }),
    };
    this.jobs.set(id, state);
    const parentId = typeof options.parent_id === 'string' ? options.parent_id : undefined;
    // Inserted in one write: `running`, or `queued` while the global job limit is reached.
    this.deps.history.begin({
      jobId: id,
      sessionId: link.id,
      script,
      parentId,
      status: state.status,
      owner: state.owner,
      ...(options.source ? { source: options.source } : {}),
    });

    const logs: JobLog[] = [];
    const seeds: number[] = [];
    const calls: RecordedCall[] = [];
    const previews = new Set<string>();
    const images = state.store;
    const log = (level: LogLevel, message: string) => {
      logs.push({ level, message });
      link.notify('job.log', { job_id: id, level, message });
    };
    const scope: CallScope = {
      jobId: id,
      sessionId: link.id,
      signal: state.controller.signal,
      images,
      progress: (report) => {
        if (report.preview) previews.add(report.preview.$image);
        state.progress = progressParams(id, report, this.eta(state, report));
        link.notify('job.progress', state.progress);
      },
      log,
      recordSeed: (seed) => seeds.push(seed),
      recordCall: (call) => calls.push(call),
      recordWorker: (workerId) => state.workers.add(workerId),
      adoptImages: (adopted) => images.adopt(adopted),
      invoke: (type, method, args) =>
        link.callInScope(link.getCapability(type), method, args, scope),
    };
    const host = new JobHost(id, images, link, scope);

    let status: JobStatus = 'error';
    let releaseSlot: (() => void) | undefined;
    try {
      releaseSlot = await this.deps.jobQueue.acquire(link.id, state.controller.signal);
      if (state.status === 'queued') {
        state.status = 'running';
        this.deps.history.setStatus(id, 'running');
      }
      if (gas < requestedGas) {
        log('warn', `gas ${requestedGas} is over the server maximum; the job runs with ${gas}`);
      }
      const evaluation = await evaluate(script, {
        opcodes,
        gas,
        maxDepth: this.deps.limits.maxDepth,
        timeoutMs: this.deps.limits.timeoutMs,
        maxOutputBytes: this.deps.limits.maxOutputBytes,
        signal: state.controller.signal,
        host,
        onLog: (level: LogLevel, message: string) => log(level, message),
      });
      const finalImages: ImageValue[] = [];
      for (const finalizer of host.finalizers) {
        const image = await finalizer();
        if (image) finalImages.push(image);
      }
      // Wire-safe before it leaves the job: a lambda becomes a marker, and a value (shared
      // structure included) larger than the output budget is an OutputLimit error, not a crash.
      const result = toWireValue(
        evaluation.value,
        { maxBytes: this.deps.limits.maxOutputBytes },
        'the result',
      );
      state.images = producedImages(images.produced, previews, result, finalImages);
      state.result = retainedResult(result);
      status = 'done';
      const duration = performance.now() - started;
      this.settle(state, link, status, duration, { calls, seeds, logs });
      const cost = totalCost(calls);
      return {
        job_id: id,
        result,
        images: state.images,
        logs,
        duration_ms: Math.round(duration),
        ...(cost === undefined ? {} : { cost }),
      };
    } catch (caught) {
      const error = toScriptError(caught);
      status =
        state.controller.signal.aborted && error.code === 'Cancelled' ? 'cancelled' : 'error';
      if (state.controller.signal.aborted) status = 'cancelled';
      state.images = producedImages(images.produced, previews, undefined, []);
      state.error = { code: error.code, message: error.message, path: [...(error.path ?? [])] };
      this.settle(state, link, status, performance.now() - started, { calls, seeds, logs });
      throw error;
    } finally {
      releaseSlot?.();
      release();
    }
  }

  /**
   * Requests cancellation of a running job; the job ends as `cancelled` at its next step. Another
   * user's job answers exactly like an unknown job id.
   */
  cancel(principal: Principal, jobId: string): JobSummary {
    const state = this.jobs.get(jobId);
    if (!state) return this.get(principal, jobId);
    if (principal.user) {
      if (!visibleTo(accessScopeOf(principal), state.owner)) throw unknownJob(jobId);
    } else if (state.principalId !== principal.id && !principal.local) {
      throw coreError('CapabilityDenied', `job ${jobId} belongs to another principal`);
    }
    if (state.status === 'running' || state.status === 'queued') {
      state.controller.abort(coreError('Cancelled', `job ${jobId} was cancelled`));
    }
    return this.summary(state);
  }

  /**
   * Jobs of a principal (a user's own; an admin's: everyone's) in this process, newest first, at
   * most `limit` (default {@link JOB_LIST_DEFAULT}; above {@link JOB_LIST_MAX} it is clamped).
   */
  list(principal: Principal, limit = JOB_LIST_DEFAULT): JobSummary[] {
    const count = Math.max(1, Math.min(JOB_LIST_MAX, Math.floor(limit) || JOB_LIST_DEFAULT));
    const scope = accessScopeOf(principal);
    return [...this.jobs.values()]
      .filter((state) =>
        principal.user ? visibleTo(scope, state.owner) : state.principalId === principal.id,
      )
      .reverse()
      .slice(0, count)
      .map((state) => this.summary(state));
  }

  /**
   * A job from memory, or from history when this process no longer (or never) held it. A job of
   * another user answers exactly like an unknown id (no oracle for other users' job ids).
   */
  get(principal: Principal, jobId: string): JobSummary {
    const scope = accessScopeOf(principal);
    const state = typeof jobId === 'string' ? this.jobs.get(jobId) : undefined;
    if (state) {
      if (!visibleTo(scope, state.owner)) throw unknownJob(jobId);
      return this.summary(state);
    }
    let entry: HistoryEntry;
    try {
      entry = this.deps.history.get(String(jobId), scope);
    } catch {
      throw unknownJob(jobId);
    }
    const summary: JobSummary = {
      job_id: entry.job_id,
      status: entry.status,
      created: entry.created,
      duration_ms: entry.duration_ms,
      images: entry.images,
    };
    if (entry.error) summary.error = entry.error;
    if (entry.result !== undefined) summary.result = entry.result;
    return summary;
  }

  /** Hashes of images written by jobs still running (not yet in history; gc must keep them). */
  liveImages(): Set<string> {
    const hashes = new Set<string>();
    for (const state of this.jobs.values()) {
      if (state.status !== 'running') continue;
      for (const image of state.store.produced) hashes.add(image.$image);
    }
    return hashes;
  }

  /** Resolves once no job of the session is running. */
  async whenSessionIdle(sessionId: string): Promise<void> {
    const running = [...this.jobs.values()].filter(
      (s) => s.sessionId === sessionId && (s.status === 'running' || s.status === 'queued'),
    );
    await Promise.all(running.map((s) => s.settled));
  }

  /** Cancels every running job and waits until each has written its outcome. */
  async cancelAll(reason: string): Promise<void> {
    const running = [...this.jobs.values()].filter(
      (s) => s.status === 'running' || s.status === 'queued',
    );
    for (const state of running) state.controller.abort(coreError('Cancelled', reason));
    await Promise.all(running.map((s) => s.settled));
  }

  private settle(
    state: JobState,
    link: SessionLink,
    status: JobStatus,
    duration: number,
    recorded: { calls: RecordedCall[]; seeds: number[]; logs: JobLog[] },
  ): void {
    state.status = status;
    state.durationMs = Math.round(duration);
    try {
      this.deps.history.finish(state.id, {
        status,
        params: recorded.calls,
        seeds: recorded.seeds,
        images: state.images,
        result: status === 'done' ? state.result : undefined,
        error: state.error,
        logs: retainedLogs(recorded.logs),
        duration_ms: duration,
      });
      this.deps.pruneHistory();
    } catch (error) {
      // The job's answer still reaches the client; the failed write is reported in its logs.
      recorded.logs.push({
        level: 'error',
        message: `history write failed: ${redactHostText(String(error))}`,
      });
    }
    const ended = Date.now();
    // A macrotask, not a microtask: the caller's reply (sent when this promise settles) goes first.
    setTimeout(() => {
      link.notify('job.done', { job_id: state.id, status });
      this.finished.emit({
        jobId: state.id,
        status,
        images: state.images,
        ...(link.principal.user ? { user: link.principal.user } : {}),
        ended,
        log: (level, message) => {
          link.notify('job.log', { job_id: state.id, level, message });
          try {
            this.deps.history.appendLog(state.id, { level, message });
          } catch {
            // The database may be closed already (shutdown): the notification is all that is left.
          }
        },
      });
    }, 0);
    this.prune();
  }

  private eta(state: JobState, report: ProgressReport): number | null {
    const now = performance.now();
    const start = state.progressStart.get(report.label);
    if (!start || report.step < start.step) {
      state.progressStart.set(report.label, { time: now, step: report.step });
      return null;
    }
    const done = report.step - start.step;
    if (done <= 0 || report.total <= 0) return null;
    return Math.max(0, Math.round(((now - start.time) / done) * (report.total - report.step)));
  }

  private summary(state: JobState): JobSummary {
    const summary: JobSummary = {
      job_id: state.id,
      status: state.status,
      created: state.created,
      duration_ms: state.durationMs,
      images: state.images,
    };
    if (state.progress) summary.progress = state.progress;
    if (state.error) summary.error = state.error;
    if (state.status === 'done') summary.result = state.result;
    if (this.deps.queueMode) summary.workers = [...state.workers];
    return summary;
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter(
      (s) => s.status !== 'running' && s.status !== 'queued',
    );
    for (const state of finished.slice(0, Math.max(0, finished.length - FINISHED_JOBS_KEPT))) {
      this.jobs.delete(state.id);
    }
  }
}

/**
 * Every image a job produced: those written through its store (in order, without progress-only
 * previews), then image values in the result the job did not write (e.g. an upload), then the
 * finalizers' images last (a canvas script's final composite is always the last image).
 */
function producedImages(
  written: ImageValue[],
  previews: Set<string>,
  result: unknown,
  finalImages: ImageValue[],
): ImageValue[] {
  const inResult = collectImageHashes(result, new Set());
  const seen = new Set(finalImages.map((image) => image.$image));
  const images: ImageValue[] = [];
  for (const image of written) {
    if (seen.has(image.$image)) continue;
    if (previews.has(image.$image) && !inResult.has(image.$image)) continue;
    seen.add(image.$image);
    images.push({ $image: image.$image, width: image.width, height: image.height });
  }
  collectImageValues(result, seen, images);
  collectImageValues(finalImages, new Set(), images);
  return images;
}

/** The one error for a job id that does not exist or belongs to another user. */
function unknownJob(jobId: unknown): ScriptError {
  return coreError('NotFound', `job ${String(jobId)} does not exist`);
}

/** Any failure as a ScriptError; unexpected host errors lose their stack and any paths. */
function toScriptError(error: unknown): ScriptError {
  if (error instanceof ScriptError) return error;
  return coreError(
    'InternalError',
    redactHostText(error instanceof Error ? error.message : String(error)),
  );
}
