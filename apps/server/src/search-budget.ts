/**
 * How many Runware model searches each principal may start per minute. A search spends no
 * credits but does use the server owner's API key, so a client looping on `settings.runware.models`
 * could get that key rate-limited by Runware for everyone; the client's debounce is no defence.
 *
 * Invariant: at most `perWindow` searches of one principal started within any `windowMs`.
 */
export class SearchBudget {
  private readonly started = new Map<string, number[]>();

  constructor(
    readonly perWindow = 30,
    readonly windowMs = 60_000,
  ) {}

  /**
   * Takes one search for `who` at `now`; returns 0 when allowed, else the milliseconds until one
   * is free again (nothing is taken then).
   */
  take(who: string, now: number): number {
    const recent = (this.started.get(who) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.perWindow) {
      this.started.set(who, recent);
      return recent[0]! + this.windowMs - now;
    }
    recent.push(now);
    this.started.set(who, recent);
    return 0;
  }
}
