import type { CapabilityRestrictions } from '../capability-definition.ts';
import { coreError } from '../errors.ts';

/** Keys that reach an object's prototype machinery; never accepted as a parameter name. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Bounds = Record<string, { min?: number; max?: number }>;

/**
 * Refuses a key that could reach `Object.prototype` (`__proto__`, `constructor`, `prototype`)
 * when script input becomes an object, naming where it appeared.
 */
export function assertSafeKey(key: string, where: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    throw coreError('InvalidArgument', `${where}: "${key}" is not allowed as a name`);
  }
}

/** A bounds record without a prototype, so no parameter name can reach Object.prototype. */
function emptyBounds(): Bounds {
  return Object.create(null) as Bounds;
}

/**
 * Reads restrictions as scripts write them: the structured form `{methods, bounds, maxCompute}`
 * plus shorthands `max_<param>` / `min_<param>` (→ bounds) and `max_compute` (→ maxCompute).
 * Anything else is an error naming the key, so a typo never grants more than intended.
 */
export function parseRestrictions(value: unknown, where: string): CapabilityRestrictions {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw coreError('InvalidArgument', `${where}: restrictions must be an object`);
  }
  const result: CapabilityRestrictions = {};
  const bounds = emptyBounds();
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    assertSafeKey(key, where);
    if (key === 'methods') {
      if (!Array.isArray(raw) || !raw.every((m) => typeof m === 'string')) {
        throw coreError('InvalidArgument', `${where}: methods must be a list of method names`);
      }
      result.methods = [...new Set(raw as string[])];
    } else if (key === 'maxCompute' || key === 'max_compute') {
      result.maxCompute = nonNegative(raw, `${where}: ${key}`);
    } else if (key === 'bounds') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw coreError('InvalidArgument', `${where}: bounds must be an object of {min?, max?}`);
      }
      for (const [param, bound] of Object.entries(raw as Record<string, unknown>)) {
        assertSafeKey(param, `${where}: bounds`);
        if (typeof bound !== 'object' || bound === null) {
          throw coreError('InvalidArgument', `${where}: bounds.${param} must be {min?, max?}`);
        }
        const { min, max, ...extra } = bound as Record<string, unknown>;
        const unknownKey = Object.keys(extra)[0];
        if (unknownKey !== undefined) {
          throw coreError(
            'InvalidArgument',
            `${where}: bounds.${param}.${unknownKey} is not min or max`,
          );
        }
        const entry = boundFor(bounds, param);
        if (min !== undefined) entry.min = finite(min, `${where}: bounds.${param}.min`);
        if (max !== undefined) entry.max = finite(max, `${where}: bounds.${param}.max`);
      }
    } else if (/^(max|min)_[a-z0-9_.]+$/i.test(key)) {
      const [side, ...rest] = key.split('_');
      const param = rest.join('_');
      assertSafeKey(param, `${where}: ${key}`);
      const entry = boundFor(bounds, param);
      entry[side === 'max' ? 'max' : 'min'] = finite(raw, `${where}: ${key}`);
    } else {
      throw coreError(
        'InvalidArgument',
        `${where}: unknown restriction "${key}" (use methods, bounds, maxCompute, max_<param>, min_<param>)`,
      );
    }
  }
  if (Object.keys(bounds).length > 0) result.bounds = bounds;
  return result;
}

/**
 * The restrictions of a handle derived from `parent` with `requested` on top. With `strict`
 * (delegate), anything wider than the parent is an error; without it (mint), the request is
 * intersected with the parent, so the result is never wider either way.
 */
export function narrowRestrictions(
  parent: CapabilityRestrictions,
  requested: CapabilityRestrictions,
  strict: boolean,
  where: string,
): CapabilityRestrictions {
  const result: CapabilityRestrictions = {};
  const deny = (message: string) => coreError('CapabilityDenied', `${where}: ${message}`);

  if (requested.methods !== undefined) {
    const wider = parent.methods
      ? requested.methods.filter((m) => !parent.methods!.includes(m))
      : [];
    if (strict && wider.length > 0) {
      throw deny(`cannot widen methods: ${wider.join(', ')} not allowed by the original handle`);
    }
    result.methods = requested.methods.filter((m) => !wider.includes(m));
  } else if (parent.methods !== undefined) {
    result.methods = [...parent.methods];
  }

  if (requested.maxCompute !== undefined) {
    if (parent.maxCompute !== undefined && requested.maxCompute > parent.maxCompute) {
      if (strict) {
        throw deny(`cannot widen maxCompute from ${parent.maxCompute} to ${requested.maxCompute}`);
      }
      result.maxCompute = parent.maxCompute;
    } else result.maxCompute = requested.maxCompute;
  } else if (parent.maxCompute !== undefined) {
    result.maxCompute = parent.maxCompute;
  }

  const bounds = emptyBounds();
  for (const [param, bound] of Object.entries(parent.bounds ?? {})) {
    assertSafeKey(param, where);
    bounds[param] = { ...bound };
  }
  for (const [param, bound] of Object.entries(requested.bounds ?? {})) {
    assertSafeKey(param, where);
    const entry = boundFor(bounds, param);
    if (bound.max !== undefined) {
      if (entry.max !== undefined && bound.max > entry.max) {
        if (strict) throw deny(`cannot widen ${param} max from ${entry.max} to ${bound.max}`);
      } else entry.max = bound.max;
    }
    if (bound.min !== undefined) {
      if (entry.min !== undefined && bound.min < entry.min) {
        if (strict) throw deny(`cannot widen ${param} min from ${entry.min} to ${bound.min}`);
      } else entry.min = bound.min;
    }
  }
  if (Object.keys(bounds).length > 0) result.bounds = bounds;
  return result;
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw coreError('InvalidArgument', `${where} must be a number`);
  }
  return value;
}

function nonNegative(value: unknown, where: string): number {
  const number = finite(value, where);
  if (number < 0) throw coreError('InvalidArgument', `${where} must be at least 0`);
  return number;
}

function boundFor(bounds: Bounds, param: string): { min?: number; max?: number } {
  const existing = Object.hasOwn(bounds, param) ? bounds[param] : undefined;
  if (existing) return existing;
  const created = {};
  bounds[param] = created;
  return created;
}
