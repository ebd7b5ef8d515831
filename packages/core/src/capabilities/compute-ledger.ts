/**
 * A compute budget kept outside one handle: a user's quota per job and per day, shared by every
 * handle the user's sessions are granted. A handle carrying a ledger consults it on each call,
 * exactly like its own `maxCompute`, so the quota cannot be escaped by delegating or minting
 * (children are charged through their ancestors).
 */
export interface ComputeLedger {
  /**
   * Why a call of `cost` megapixel-steps inside job (or direct call) `jobId` would go over the
   * quota, or null when it fits.
   */
  refusal(jobId: string, cost: number): string | null;
  /** Records `cost` as spent by `jobId` (called when the call starts, after `refusal`). */
  charge(jobId: string, cost: number): void;
}
