import type { RuntimeOptions } from '@viwo/core';

/** Environment settings of the hardening limits (all optional; defaults live in core/server). */
export interface LimitSettings {
  runtime: Partial<Pick<RuntimeOptions, 'limits' | 'maxConcurrentJobs' | 'history'>>;
  maxConnections?: number;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Reads the limits an operator may set: `VIWO_MAX_GAS` (most gas a client may ask for, default
 * 1e8), `VIWO_MAX_JOBS` (scripts evaluating at once, server-wide; more wait queued),
 * `VIWO_MAX_CONNECTIONS` (open WebSockets), `VIWO_HISTORY_MAX_ENTRIES` and
 * `VIWO_HISTORY_MAX_AGE_DAYS` (history retention; favorites are always kept).
 */
export function limitSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LimitSettings {
  const maxGas = positiveInteger(env, 'VIWO_MAX_GAS');
  const maxJobs = positiveInteger(env, 'VIWO_MAX_JOBS');
  const maxEntries = positiveInteger(env, 'VIWO_HISTORY_MAX_ENTRIES');
  const maxAgeDays = positiveInteger(env, 'VIWO_HISTORY_MAX_AGE_DAYS');
  const maxConnections = positiveInteger(env, 'VIWO_MAX_CONNECTIONS');
  const runtime: LimitSettings['runtime'] = {};
  if (maxGas !== undefined) runtime.limits = { maxGas };
  if (maxJobs !== undefined) runtime.maxConcurrentJobs = maxJobs;
  if (maxEntries !== undefined || maxAgeDays !== undefined) {
    runtime.history = {
      ...(maxEntries === undefined ? {} : { maxEntries }),
      ...(maxAgeDays === undefined ? {} : { maxAgeMs: maxAgeDays * 24 * 60 * 60 * 1000 }),
    };
  }
  return maxConnections === undefined ? { runtime } : { runtime, maxConnections };
}
