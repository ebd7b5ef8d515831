import { coreError } from '../errors.ts';

interface Waiter {
  owner: string;
  grant: () => void;
  cancel: () => void;
}

/**
 * A semaphore per resource (e.g. the inference device) with fair ordering: waiters of one owner
 * (session) are served first-in first-out, and owners take turns round-robin, so one session
 * queueing many calls cannot starve another.
 */
export class ResourceQueue {
  private active = 0;
  private readonly waiting = new Map<string, Waiter[]>();
  /** Owners with waiters, in turn order; the head is served next. */
  private readonly turns: string[] = [];

  constructor(
    readonly name: string,
    readonly capacity = 1,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`resource ${name}: capacity must be a positive integer`);
    }
  }

  /** Calls waiting (not yet running). */
  get pending(): number {
    let count = 0;
    for (const list of this.waiting.values()) count += list.length;
    return count;
  }

  /** Calls holding the resource now. */
  get running(): number {
    return this.active;
  }

  /**
   * Waits for a slot. Resolves with a release function (call it exactly once, in `finally`);
   * rejects with the signal's reason if aborted while still waiting.
   */
  acquire(owner: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.capacity && this.pending === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        waiter.cancel();
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        owner,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        cancel: () => {
          const list = this.waiting.get(owner);
          const index = list?.indexOf(waiter) ?? -1;
          if (list && index >= 0) list.splice(index, 1);
          if (list && list.length === 0) this.forgetOwner(owner);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const list = this.waiting.get(owner);
      if (list) list.push(waiter);
      else {
        this.waiting.set(owner, [waiter]);
        this.turns.push(owner);
      }
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.dispatch();
    };
  }

  private dispatch(): void {
    while (this.active < this.capacity && this.turns.length > 0) {
      const owner = this.turns.shift()!;
      const list = this.waiting.get(owner)!;
      const waiter = list.shift()!;
      if (list.length === 0) this.waiting.delete(owner);
      else this.turns.push(owner); // back of the line: the other owners go first
      this.active++;
      waiter.grant();
    }
  }

  private forgetOwner(owner: string): void {
    this.waiting.delete(owner);
    const index = this.turns.indexOf(owner);
    if (index >= 0) this.turns.splice(index, 1);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error
    ? signal.reason
    : coreError('Cancelled', 'the call was cancelled while waiting for its turn');
}
