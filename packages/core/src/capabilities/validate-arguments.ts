import type { CapabilityParam, CapabilityRestrictions } from '../capability-definition.ts';
import { coreError } from '../errors.ts';
import { type ImageStore, isImageValue } from '../image-value.ts';

/** What argument validation needs besides the declaration. */
export interface ValidationContext {
  /** `type.method`, used in messages. */
  where: string;
  /** Image params must name images that exist here. */
  images: ImageStore;
  /** The handle's bounds, keyed by param path (`options.width`) or plain name (`width`). */
  bounds?: CapabilityRestrictions['bounds'];
}

/**
 * Checks call arguments against a method's declared params and returns them normalised: missing
 * optional params and object fields get their declared defaults (so `cost()` and `run()` see the
 * values that really apply, and bounds are enforced on them too).
 *
 * Errors name the parameter path (`options.steps`, `controls[1].image`) and, for range errors, the
 * bound; unknown object keys and enum misses list what is allowed.
 */
export async function validateArguments(
  params: readonly CapabilityParam[],
  args: readonly unknown[],
  context: ValidationContext,
): Promise<unknown[]> {
  if (!Array.isArray(args)) {
    throw coreError('InvalidArgument', `${context.where}: arguments must be a list`);
  }
  if (args.length > params.length) {
    throw coreError(
      'InvalidArgument',
      `${context.where} takes at most ${params.length} argument(s) (${params.map((p) => p.name).join(', ')}), got ${args.length}`,
    );
  }
  const normalised: unknown[] = [];
  for (const [index, param] of params.entries()) {
    normalised.push(await validateValue(param, args[index], param.name, context));
  }
  // Trailing optional params without defaults stay absent rather than explicit `undefined`.
  while (normalised.length > args.length && normalised[normalised.length - 1] === undefined) {
    normalised.pop();
  }
  return normalised;
}

async function validateValue(
  param: CapabilityParam,
  value: unknown,
  path: string,
  context: ValidationContext,
): Promise<unknown> {
  if (value === undefined || value === null) {
    if (param.default !== undefined) value = structuredClone(param.default);
    else if (
      param.type === 'object' &&
      param.fields?.every((f) => f.optional || f.default !== undefined)
    ) {
      // An options object whose fields are all optional may be left out; the method still gets
      // one with the defaults filled in.
      value = {};
    } else if (param.optional) {
      return undefined;
    } else {
      throw invalid(context, path, `is required (${describeType(param)})`);
    }
  }
  switch (param.type) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') throw wrongType(context, path, param, value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(context, path, param, value);
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw wrongType(context, path, param, value);
      }
      checkRange(param, value, path, context);
      return value;
    case 'integer':
    case 'seed':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw wrongType(context, path, param, value);
      }
      if (param.type === 'seed' && (value < 0 || value > 0xffffffff) && param.min === undefined) {
        throw invalid(context, path, `must be a seed between 0 and 4294967295, got ${value}`);
      }
      checkRange(param, value, path, context);
      return value;
    case 'enum': {
      const options = param.options ?? [];
      if (!options.includes(value as string | number)) {
        throw invalid(
          context,
          path,
          `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${preview(value)}`,
        );
      }
      return value;
    }
    case 'image':
    case 'mask':
      if (!isImageValue(value) || !positiveSize(value))
        throw wrongType(context, path, param, value);
      if (!(await context.images.has(value.$image))) {
        throw invalid(context, path, `image ${value.$image} is not in the image store`);
      }
      return value;
    case 'list': {
      if (!Array.isArray(value)) throw wrongType(context, path, param, value);
      if (param.min !== undefined && value.length < param.min) {
        throw invalid(
          context,
          path,
          `must have at least ${param.min} item(s), got ${value.length}`,
        );
      }
      if (param.max !== undefined && value.length > param.max) {
        throw invalid(context, path, `must have at most ${param.max} item(s), got ${value.length}`);
      }
      const items = param.items;
      if (!items) return value;
      const out: unknown[] = [];
      for (const [index, item] of value.entries()) {
        out.push(await validateValue(items, item, `${path}[${index}]`, context));
      }
      return out;
    }
    case 'object': {
      if (
        typeof value !== 'object' ||
        value === null ||
        Array.isArray(value) ||
        isImageValue(value)
      ) {
        throw wrongType(context, path, param, value);
      }
      const fields = param.fields;
      if (!fields) return value;
      const record = value as Record<string, unknown>;
      const known = new Set(fields.map((f) => f.name));
      for (const key of Object.keys(record)) {
        if (!known.has(key)) {
          throw invalid(
            context,
            `${path}.${key}`,
            `is not a known option of ${path} (known: ${[...known].join(', ')})`,
          );
        }
      }
      const out: Record<string, unknown> = {};
      for (const field of fields) {
        const fieldValue = await validateValue(
          field,
          Object.hasOwn(record, field.name) ? record[field.name] : undefined,
          `${path}.${field.name}`,
          context,
        );
        if (fieldValue !== undefined) out[field.name] = fieldValue;
      }
      return out;
    }
  }
}

function checkRange(
  param: CapabilityParam,
  value: number,
  path: string,
  context: ValidationContext,
) {
  if (param.min !== undefined && value < param.min) {
    throw invalid(context, path, `must be at least ${param.min}, got ${value}`);
  }
  if (param.max !== undefined && value > param.max) {
    throw invalid(context, path, `must be at most ${param.max}, got ${value}`);
  }
  const leaf = path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
  const bound = context.bounds?.[path] ?? context.bounds?.[leaf];
  if (!bound) return;
  if (bound.min !== undefined && value < bound.min) {
    throw coreError(
      'CapabilityDenied',
      `${context.where}: ${path} ${value} is below this capability's bound (min ${bound.min})`,
    );
  }
  if (bound.max !== undefined && value > bound.max) {
    throw coreError(
      'CapabilityDenied',
      `${context.where}: ${path} ${value} is above this capability's bound (max ${bound.max})`,
    );
  }
}

function positiveSize(image: { width: number; height: number }): boolean {
  return (
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width >= 1 &&
    image.height >= 1
  );
}

function describeType(param: CapabilityParam): string {
  if (param.type === 'enum')
    return `one of ${(param.options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
  if (param.type === 'image' || param.type === 'mask')
    return `${param.type === 'image' ? 'an' : 'a'} ${param.type} value {$image, width, height}`;
  if (param.type === 'integer') return 'an integer';
  return `a ${param.type}`;
}

function wrongType(
  context: ValidationContext,
  path: string,
  param: CapabilityParam,
  value: unknown,
) {
  return invalid(context, path, `must be ${describeType(param)}, got ${preview(value)}`);
}

function invalid(context: ValidationContext, path: string, message: string) {
  return coreError('InvalidArgument', `${context.where}: ${path} ${message}`);
}

function preview(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
