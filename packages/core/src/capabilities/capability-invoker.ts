import type { LogLevel } from '@viwo/script';
import { ScriptError } from '@viwo/script';
import type { CapabilityCallContext, ProgressReport } from '../capability-definition.ts';
import { coreError, redactHostText } from '../errors.ts';
import type { ImageStore, ImageValue } from '../image-value.ts';
import type { ResourceQueue } from '../jobs/resource-queue.ts';
import type { RecordedCall } from '../persistence/history-store.ts';
import { CapabilityError } from './capability-error.ts';
import type { CapabilityRegistry } from './capability-registry.ts';
import type { HandleRecord } from './handle-table.ts';
import type { RemoteCallDispatcher } from './remote-calls.ts';
import { type ResultCache, resultCacheKey } from './result-cache.ts';
import { validateArguments } from './validate-arguments.ts';

/** Where a capability call runs: the job (or direct call) that made it. */
export interface CallScope {
  readonly jobId: string;
  readonly sessionId: string;
  readonly signal: AbortSignal;
  /** The store the call writes through (jobs record what they produce). */
  readonly images: ImageStore;
  progress(report: ProgressReport): void;
  log(level: LogLevel, message: string): void;
  recordSeed(seed: number): void;
  recordCall(call: RecordedCall): void;
  /** Names a worker that ran one of the scope's calls (queue mode). */
  recordWorker?(workerId: string): void;
  /** Records images a remote call stored as produced by the scope's job (queue mode). */
  adoptImages?(images: ImageValue[]): void;
  /** Resolves another capability the session holds, for `CapabilityCallContext.invoke`. */
  invoke(type: string, method: string, args: unknown[]): Promise<unknown>;
}

/** What a call needs from the runtime: the capability definitions, images, the device slot. */
export interface CallEnvironment {
  readonly registry: Pick<CapabilityRegistry, 'get' | 'pluginOf' | 'implementationOf'>;
  /** The store arguments are checked against (image values must exist). */
  readonly images: ImageStore;
  /** Methods that declare a compute cost (inference) run here, one device at a time. */
  readonly deviceQueue: ResourceQueue;
  /** Answers repeats of deterministic calls; absent when disabled (`viwo run --no-cache`). */
  readonly resultCache?: ResultCache;
  /** Queue mode: where device work runs instead of in-process; absent when embedded. */
  readonly remoteCalls?: RemoteCallDispatcher;
}

/**
 * Runs `method` through a handle: method allowed by the handle → arguments valid (bounds
 * included) → compute within every budget on the handle's chain → a device slot if the method
 * has a cost → run with an AbortSignal that fires on job cancel or on revocation of the handle.
 */
export async function invokeThroughHandle(
  environment: CallEnvironment,
  record: HandleRecord,
  methodName: string,
  args: readonly unknown[],
  scope: CallScope,
): Promise<unknown> {
  const where = `${record.type}.${String(methodName)}`;
  if (record.revoked) throw coreError('Revoked', `${where}: this capability has been revoked`);
  const definition = environment.registry.get(record.type);
  if (!definition) {
    throw coreError(
      'CapabilityDenied',
      `${where}: capability type ${record.type} is no longer loaded`,
    );
  }
  if (typeof methodName !== 'string' || !Object.hasOwn(definition.methods, methodName)) {
    throw coreError(
      'InvalidArgument',
      `${record.type} has no method ${JSON.stringify(methodName)} (methods: ${Object.keys(definition.methods).join(', ')})`,
    );
  }
  const allowed = record.restrictions.methods;
  if (allowed && !allowed.includes(methodName)) {
    throw coreError(
      'CapabilityDenied',
      `${where}: this handle only allows ${allowed.length > 0 ? allowed.join(', ') : 'no methods'}`,
    );
  }
  const method = definition.methods[methodName]!;
  try {
    await method.prepare?.(args);
  } catch (error) {
    throw error instanceof ScriptError ? error : pluginFailure(error, where);
  }
  const normalised = await validateArguments(method.params, [...args], {
    where,
    images: environment.images,
    bounds: record.restrictions.bounds,
  });

  if (method.effects && record.restrictions.bounds) {
    checkEffects(method.effects(normalised), record.restrictions.bounds, where);
  }
  const cost = method.cost ? method.cost(normalised) : 0;
  checkBudgets(record, cost, normalised, where, scope.jobId);

  const cacheKey = await cacheKeyOf(environment, record.type, methodName, method, normalised);
  if (cacheKey) {
    const hit = await environment.resultCache!.get(cacheKey);
    if (hit) {
      // Nothing runs: no device slot, no compute charged; history still records the call.
      scope.recordCall({ type: record.type, method: methodName, args: normalised });
      for (const seed of hit.seeds) scope.recordSeed(seed);
      scope.progress({ label: `${where} (cached result)`, step: 1, total: 1 });
      return hit.result;
    }
  }

  const controller = new AbortController();
  const onScopeAbort = () => controller.abort(scope.signal.reason);
  if (scope.signal.aborted) onScopeAbort();
  else scope.signal.addEventListener('abort', onScopeAbort, { once: true });
  record.inflight.add(controller);
  const remote = environment.remoteCalls?.accepts({
    type: record.type,
    method: methodName,
    plugin: environment.registry.pluginOf(record.type) ?? '',
    costed: method.cost !== undefined,
    device: method.device === true,
  })
    ? environment.remoteCalls
    : undefined;
  let release: (() => void) | undefined;
  try {
    // Remote calls skip the local device slot: the queue and its workers schedule the devices.
    if (method.cost && !remote)
      release = await environment.deviceQueue.acquire(scope.sessionId, controller.signal);
    throwIfAborted(controller.signal);
    // Checked again now the slot is ours, in the same tick as the charge: calls that waited in the
    // queue together must not overspend a budget (or a user's quota) together.
    if (release) checkBudgets(record, cost, normalised, where, scope.jobId);
    // Charged when the call starts so concurrent calls cannot overspend a budget together.
    for (let node: HandleRecord | undefined = record; node; node = node.parent) {
      node.spent += cost;
      node.ledger?.charge(scope.jobId, cost);
    }
    const call: RecordedCall = { type: record.type, method: methodName, args: normalised };
    scope.recordCall(call);
    const seeds: number[] = [];
    const context: CapabilityCallContext = {
      signal: controller.signal,
      images: scope.images,
      restrictions: structuredClone(record.restrictions),
      progress: (report) => {
        if (!controller.signal.aborted) scope.progress(report);
      },
      log: (level, message) => scope.log(level, message),
      invoke: (type, innerMethod, innerArgs) => scope.invoke(type, innerMethod, innerArgs),
      recordSeed: (seed) => {
        seeds.push(seed);
        scope.recordSeed(seed);
      },
      recordCost: (usd) => {
        // Kept on the recorded call, so history shows which call cost what.
        if (Number.isFinite(usd) && usd >= 0) call.cost = roundCost((call.cost ?? 0) + usd);
      },
    };
    const result = remote
      ? await remote.run(
          {
            type: record.type,
            method: methodName,
            plugin: environment.registry.pluginOf(record.type) ?? '',
            costed: method.cost !== undefined,
            device: method.device === true,
            args: normalised,
            restrictions: structuredClone(record.restrictions),
            jobId: scope.jobId,
            sessionId: scope.sessionId,
          },
          {
            ...context,
            recordWorker: (id) => scope.recordWorker?.(id),
            adoptImages: (images) => scope.adoptImages?.(images),
          },
        )
      : await method.run(context, ...normalised);
    throwIfAborted(controller.signal);
    if (cacheKey) await environment.resultCache!.put(cacheKey, { result, seeds });
    return result;
  } catch (error) {
    if (controller.signal.aborted) throw abortError(controller.signal);
    if (error instanceof ScriptError) throw error;
    throw pluginFailure(error, where);
  } finally {
    release?.();
    record.inflight.delete(controller);
    scope.signal.removeEventListener('abort', onScopeAbort);
  }
}

/** The result-cache key of a deterministic call, or undefined when it must run. */
async function cacheKeyOf(
  environment: CallEnvironment,
  type: string,
  methodName: string,
  method: { cacheIdentity?(args: unknown[]): Promise<string | undefined> },
  args: unknown[],
): Promise<string | undefined> {
  if (!environment.resultCache || !method.cacheIdentity) return undefined;
  const identity = await method.cacheIdentity(args);
  if (identity === undefined) return undefined;
  // The plugin's name and version are part of the key, so a release that changes what a method
  // computes never answers from results an older version cached.
  const implementation = environment.registry.implementationOf(type) ?? '?';
  return resultCacheKey(type, methodName, args, `${implementation}|${identity}`);
}

function checkBudgets(
  record: HandleRecord,
  cost: number,
  args: unknown[],
  where: string,
  jobId: string,
): void {
  if (!Number.isFinite(cost) || cost < 0) {
    throw coreError('PluginError', `${where}: the plugin computed an invalid cost ${cost}`);
  }
  const options = args[args.length - 1];
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    const limit = (options as Record<string, unknown>).max_compute;
    if (typeof limit === 'number' && cost > limit) {
      throw coreError(
        'BudgetExceeded',
        `${where} would cost ${formatCompute(cost)} megapixel-steps, over max_compute ${formatCompute(limit)}`,
      );
    }
  }
  for (let node: HandleRecord | undefined = record; node; node = node.parent) {
    const refusal = node.ledger?.refusal(jobId, cost);
    if (refusal) throw coreError('BudgetExceeded', `${where}: ${refusal}`);
    const budget = node.restrictions.maxCompute;
    if (budget === undefined) continue;
    const left = budget - node.spent;
    if (cost > left + 1e-9) {
      throw coreError(
        'BudgetExceeded',
        `${where} would cost ${formatCompute(cost)} megapixel-steps, but the capability has ${formatCompute(Math.max(0, left))} of ${formatCompute(budget)} left`,
      );
    }
  }
}

/**
 * Bounds against a call's effects: a bound named like an effect (`factor`, or `options.factor`)
 * must hold for the effective value too, whatever argument produced it.
 */
function checkEffects(
  effects: Record<string, number>,
  bounds: Record<string, { min?: number; max?: number }>,
  where: string,
): void {
  for (const [name, value] of Object.entries(effects)) {
    if (typeof value !== 'number' || Number.isNaN(value)) continue;
    for (const [key, bound] of Object.entries(bounds)) {
      if (key !== name && !key.endsWith(`.${name}`)) continue;
      if (bound.max !== undefined && value > bound.max + 1e-9) {
        throw coreError(
          'CapabilityDenied',
          `${where}: the call's effective ${name} is ${formatCompute(value)}, over this handle's bound of ${bound.max}`,
        );
      }
      if (bound.min !== undefined && value < bound.min - 1e-9) {
        throw coreError(
          'CapabilityDenied',
          `${where}: the call's effective ${name} is ${formatCompute(value)}, under this handle's bound of ${bound.min}`,
        );
      }
    }
  }
}

/** Dollar amounts summed without float dust (providers report up to 10 decimals). */
export function roundCost(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}

function formatCompute(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

function abortError(signal: AbortSignal): ScriptError {
  return signal.reason instanceof ScriptError
    ? signal.reason
    : coreError('Cancelled', 'the call was cancelled');
}

/**
 * A plugin's failure as a ScriptError: a `CapabilityError` keeps its code and names the param at
 * fault; anything else is `PluginError`. The message names the method; the stack is dropped.
 */
function pluginFailure(error: unknown, where: string): ScriptError {
  if (error instanceof CapabilityError) {
    const at = error.param === undefined ? '' : `${error.param}: `;
    return new ScriptError(error.code, `${where}: ${at}${redactHostText(error.message)}`, []);
  }
  // Plugin errors often quote host errors (a missing model file): no absolute paths leave.
  const message = redactHostText(error instanceof Error ? error.message : String(error));
  return coreError('PluginError', `${where} failed: ${message}`);
}
