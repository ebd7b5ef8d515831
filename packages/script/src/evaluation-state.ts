import type { LogLevel } from './opcode.ts';
import { ScriptError, type ScriptPath, toScriptError } from './script-error.ts';

/** Budgets of one evaluation. */
export interface EvaluationLimits {
  /** Evaluated nodes allowed (literals included, loops charge per iteration). */
  gas: number;
  /** Nested lambda calls allowed. */
  maxDepth: number;
  /** Nesting units (lambda depth × body nesting) allowed before the host stack could be at risk. */
  maxStack: number;
  /** Wall time in ms, not counting time spent awaiting opcodes (capability calls). */
  timeoutMs: number;
  /** Bytes of logs plus the JSON result. */
  maxOutputBytes: number;
}

/** Defaults: generous for real workflows, small enough that a runaway script stops quickly. */
export const defaultLimits: EvaluationLimits = {
  gas: 50_000_000,
  maxDepth: 256,
  maxStack: 4_000,
  timeoutMs: 60_000,
  maxOutputBytes: 16 * 1024 * 1024,
};

/** Evaluations waiting to resume after a yield, oldest first. */
const resumeQueue: (() => void)[] = [];
let resumeScheduled = false;

function resumeOne(): void {
  resumeQueue.shift()?.();
  resumeScheduled = resumeQueue.length > 0;
  if (resumeScheduled) setTimeout(resumeOne, 0);
}

/**
 * Resolves on a later macrotask turn, one waiting evaluation per turn: however many scripts are
 * looping, the host gets to poll I/O between any two slices (all-at-once timers would run every
 * script's slice back to back before a single request is read).
 */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    resumeQueue.push(resolve);
    if (!resumeScheduled) {
      resumeScheduled = true;
      setTimeout(resumeOne, 0);
    }
  });
}

/** One log line of an evaluation. */
export interface LogEntry {
  level: LogLevel;
  message: string;
}

/** How often (in gas units) the clock and the abort signal are looked at. */
const CHECK_INTERVAL = 4096;

/**
 * Longest stretch of synchronous script work before loops hand the event loop back to the host
 * (so a server keeps answering, and an abort from a timer or a cancel request is noticed). 10 ms
 * keeps a trivial request's p99 under 50 ms while scripts loop (bench/limits); the yield itself
 * costs about a millisecond (one timer turn).
 */
const YIELD_INTERVAL_MS = 10;

/**
 * Mutable state of one evaluation, shared by every compiled node of it.
 *
 * Invariant: `gas` only decreases; whenever it drops below `nextCheck`, `tick` runs, so gas
 * exhaustion, cancellation and the deadline are noticed within CHECK_INTERVAL nodes even in a
 * loop whose body is empty.
 */
export class EvaluationState {
  gas: number;
  nextCheck: number;
  depth = 0;
  stackUnits = 0;
  pausedMs = 0;
  outputBytes = 0;
  /** Set by `tick` when loops should yield to the host at their next iteration. */
  yieldDue = false;
  /** Above zero while running code that must finish synchronously (a sort comparator). */
  syncOnly = 0;
  private lastYieldAt = Date.now();
  readonly logs: LogEntry[] = [];
  private readonly startedAt = Date.now();
  private readonly initialGas: number;

  constructor(
    readonly limits: EvaluationLimits,
    readonly signal: AbortSignal,
    readonly host: unknown,
    private readonly onLog?: (level: LogLevel, message: string) => void,
  ) {
    this.gas = limits.gas;
    this.initialGas = limits.gas;
    this.nextCheck = Math.max(limits.gas - CHECK_INTERVAL, 0);
  }

  get gasUsed(): number {
    return this.initialGas - Math.max(this.gas, 0);
  }

  /** Slow-path budget check; see the class invariant. */
  tick(path: ScriptPath): void {
    if (this.gas < 0) {
      throw new ScriptError('OutOfGas', `out of gas after ${this.initialGas} steps`, path);
    }
    this.checkInterrupts(path);
    this.nextCheck = Math.max(this.gas - CHECK_INTERVAL, 0);
    if (Date.now() - this.lastYieldAt > YIELD_INTERVAL_MS) this.yieldDue = true;
  }

  /** Whether a loop should yield now (never inside code that must stay synchronous). */
  shouldYield(): boolean {
    return this.yieldDue && this.syncOnly === 0;
  }

  /**
   * Lets the host run other tasks (a macrotask turn), with the script's clock paused meanwhile,
   * then notices cancellation and the deadline.
   */
  async yieldToHost(path: ScriptPath): Promise<void> {
    this.yieldDue = false;
    const pausedAt = Date.now();
    await nextTurn();
    this.lastYieldAt = Date.now();
    this.pausedMs += this.lastYieldAt - pausedAt;
    this.checkInterrupts(path);
  }

  /** Throws Cancelled or Timeout when due. */
  checkInterrupts(path: ScriptPath): void {
    if (this.signal.aborted) throw new ScriptError('Cancelled', 'evaluation was cancelled', path);
    if (Date.now() - this.startedAt - this.pausedMs > this.limits.timeoutMs) {
      throw new ScriptError(
        'Timeout',
        `evaluation exceeded ${this.limits.timeoutMs} ms of script time`,
        path,
      );
    }
  }

  log(level: LogLevel, message: string, path: ScriptPath): void {
    this.addOutput(message.length + 16, path);
    this.logs.push({ level, message });
    this.onLog?.(level, message);
  }

  addOutput(bytes: number, path: ScriptPath): void {
    this.outputBytes += bytes;
    if (this.outputBytes > this.limits.maxOutputBytes) {
      throw new ScriptError(
        'OutputLimit',
        `output exceeded ${this.limits.maxOutputBytes} bytes`,
        path,
      );
    }
  }

  /**
   * Awaits an opcode's promise with the wall clock paused (capability calls are slow by nature),
   * settling early with Cancelled when the evaluation is aborted.
   */
  async awaitExternal(pending: Promise<unknown>, path: ScriptPath): Promise<unknown> {
    const pausedAt = Date.now();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new ScriptError('Cancelled', 'evaluation was cancelled', path));
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([pending, aborted]);
    } catch (error) {
      throw toScriptError(error, path);
    } finally {
      if (onAbort) this.signal.removeEventListener('abort', onAbort);
      pending.catch(() => undefined);
      this.lastYieldAt = Date.now();
      this.pausedMs += this.lastYieldAt - pausedAt;
      this.checkInterrupts(path);
    }
  }
}
