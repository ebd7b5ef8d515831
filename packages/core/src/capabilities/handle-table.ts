import { randomBytes } from 'node:crypto';
import { type CapabilityHandle, isCapabilityHandle } from '@viwo/protocol';
import type { CapabilityRestrictions } from '../capability-definition.ts';
import { coreError } from '../errors.ts';
import type { ComputeLedger } from './compute-ledger.ts';

export type { CapabilityHandle } from '@viwo/protocol';
export { isCapabilityHandle };

/**
 * One issued handle. Handles form a tree: `delegate`, `mint` and `give_capability` create children,
 * and revoking a node revokes its whole subtree (aborting calls in flight through any of them).
 */
export interface HandleRecord {
  readonly id: string;
  readonly type: string;
  readonly sessionId: string;
  readonly restrictions: CapabilityRestrictions;
  readonly parent: HandleRecord | undefined;
  readonly children: Set<HandleRecord>;
  revoked: boolean;
  /** Compute charged through this handle and its descendants, in megapixel-steps. */
  spent: number;
  /** Calls running through this handle right now. */
  readonly inflight: Set<AbortController>;
  /** A quota kept outside the handle (a user's per-job and per-day compute), if any. */
  readonly ledger?: ComputeLedger;
}

/**
 * All handles of one runtime. Ids are 128 random bits (base64url), so they cannot be guessed, and
 * lookups also check the owning session, so a handle leaked to another session is worthless there.
 */
export class HandleTable {
  private readonly records = new Map<string, HandleRecord>();

  /** Issues a handle to `sessionId`, as a child of `parent` when given, charging `ledger` too. */
  issue(
    sessionId: string,
    type: string,
    restrictions: CapabilityRestrictions,
    parent?: HandleRecord,
    ledger?: ComputeLedger,
  ): HandleRecord {
    const record: HandleRecord = {
      ...(ledger ? { ledger } : {}),
      id: randomBytes(16).toString('base64url'),
      type,
      sessionId,
      restrictions,
      parent,
      children: new Set(),
      revoked: false,
      spent: 0,
      inflight: new Set(),
    };
    parent?.children.add(record);
    this.records.set(record.id, record);
    return record;
  }

  /**
   * The live record behind a handle value, if `sessionId` holds it. A handle of another session is
   * reported exactly like an unknown one (no oracle for other sessions' ids).
   */
  resolve(sessionId: string, value: unknown, where: string): HandleRecord {
    if (!isCapabilityHandle(value)) {
      throw coreError('InvalidArgument', `${where}: expected a capability handle {$cap, type}`);
    }
    const record = this.records.get(value.$cap);
    if (!record || record.sessionId !== sessionId) {
      throw coreError('CapabilityDenied', `${where}: this session holds no such capability handle`);
    }
    if (record.type !== value.type) {
      throw coreError(
        'CapabilityDenied',
        `${where}: the handle's type does not match ${value.type}`,
      );
    }
    if (record.revoked) {
      throw coreError('Revoked', `${where}: this ${record.type} capability has been revoked`);
    }
    return record;
  }

  /** Live handles held by a session. */
  heldBy(sessionId: string): HandleRecord[] {
    return [...this.records.values()].filter((r) => r.sessionId === sessionId && !r.revoked);
  }

  /**
   * Revokes a handle and everything derived from it; aborts every call in flight through them with
   * a `Revoked` error. Returns how many handles were revoked.
   */
  revoke(record: HandleRecord): number {
    let count = 0;
    const stack = [record];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (!current.revoked) {
        current.revoked = true;
        count++;
      }
      for (const controller of current.inflight) {
        controller.abort(
          coreError('Revoked', `the ${current.type} capability was revoked during the call`),
        );
      }
      stack.push(...current.children);
    }
    return count;
  }

  /** Handles in the table (live and revoked-but-busy), for leak checks. */
  get size(): number {
    return this.records.size;
  }

  /**
   * Forgets a session's handles (revoking them, so their delegates stop too). Every revoked record
   * without a call in flight leaves the table — roots with children included (a revoked child
   * can never be used again, so nothing needs the root); a busy one goes when the next session
   * drops.
   */
  dropSession(sessionId: string): void {
    for (const record of [...this.records.values()]) {
      if (record.sessionId !== sessionId) continue;
      this.revoke(record);
    }
    for (const [id, record] of this.records) {
      if (record.revoked && record.inflight.size === 0) {
        record.parent?.children.delete(record);
        record.children.clear();
        this.records.delete(id);
      }
    }
  }
}

/** The wire value of a record. */
export function toHandle(record: HandleRecord): CapabilityHandle {
  return { $cap: record.id, type: record.type };
}
