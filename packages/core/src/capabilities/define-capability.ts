import { CAPABILITY_PARAM_TYPES } from '@viwo/protocol';
import type {
  CapabilityCallContext,
  CapabilityDefinition,
  CapabilityMetadata,
  CapabilityMethod,
  CapabilityParam,
} from '../capability-definition.ts';
import { type ArgsOf, implicitDefaultOf } from './param.ts';

export { CAPABILITY_PARAM_TYPES } from '@viwo/protocol';

/**
 * Declares a capability type. Returns the definition unchanged after checking the declaration is
 * complete (so a plugin with a broken declaration fails at load, naming the bad part, instead of
 * serving broken metadata).
 */
export function defineCapability<Definition extends CapabilityDefinition>(
  definition: Definition,
): Definition {
  const problems = definitionProblems(definition);
  if (problems.length > 0) {
    throw new Error(
      `capability ${definition?.type ?? '(unnamed)'} is declared incorrectly: ${problems.join('; ')}`,
    );
  }
  return definition;
}

/** A method declared with `param` builders: `cost` and `run` get the typed arguments. */
export interface TypedMethod<Params extends readonly CapabilityParam[]> {
  label: string;
  description: string;
  params: Params;
  returns: string;
  /** Compute cost in megapixel-steps of the validated arguments (see `CapabilityMethod.cost`). */
  cost?(args: ArgsOf<Params>): number;
  /** Device work without a cost of its own (see `CapabilityMethod.device`). */
  device?: boolean;
  /** Runs before validation with the raw arguments (see `CapabilityMethod.prepare`). */
  prepare?(args: readonly unknown[]): Promise<void>;
  /** Runs on arguments core has already validated against `params` (defaults filled in). */
  run(context: CapabilityCallContext, ...args: ArgsOf<Params>): Promise<unknown>;
}

/**
 * Declares one capability method from its params: `run` and `cost` receive arguments typed by the
 * builders (no casts), already validated by core against the same declaration.
 */
export function defineMethod<const Params extends readonly CapabilityParam[]>(
  method: TypedMethod<Params>,
): CapabilityMethod {
  // Core validates arguments against `params` before calling, so the untyped view is sound.
  return method as unknown as CapabilityMethod;
}

/** Lists what is wrong with a capability declaration (empty when it is complete). */
export function definitionProblems(definition: CapabilityDefinition): string[] {
  const problems: string[] = [];
  if (typeof definition !== 'object' || definition === null)
    return ['definition must be an object'];
  if (typeof definition.type !== 'string' || !/^[a-z][a-z0-9_.-]*$/i.test(definition.type)) {
    problems.push('type must be a name like "upscale" or "diffusers.generate"');
  }
  if (!nonEmpty(definition.label)) problems.push('label is missing');
  if (!nonEmpty(definition.description)) problems.push('description is missing');
  const methods = Object.entries(definition.methods ?? {});
  if (methods.length === 0) problems.push('it declares no methods');
  for (const [name, method] of methods) {
    if (!nonEmpty(method.label)) problems.push(`method ${name}: label is missing`);
    if (!nonEmpty(method.description)) problems.push(`method ${name}: description is missing`);
    if (!nonEmpty(method.returns)) problems.push(`method ${name}: returns is missing`);
    if (typeof method.run !== 'function') problems.push(`method ${name}: run is not a function`);
    for (const hook of ['cost', 'prepare'] as const) {
      if (method[hook] !== undefined && typeof method[hook] !== 'function') {
        problems.push(`method ${name}: ${hook} is not a function`);
      }
    }
    if (!Array.isArray(method.params)) {
      problems.push(`method ${name}: params must be a list`);
      continue;
    }
    problems.push(...duplicateNames(method.params, `method ${name}`));
    let sawOptional = false;
    for (const param of method.params) {
      problems.push(...paramProblems(param, `method ${name}: param ${param?.name ?? '?'}`));
      if (param.optional || param.default !== undefined) sawOptional = true;
      else if (sawOptional) {
        problems.push(`method ${name}: required param ${param.name} follows an optional one`);
      }
    }
  }
  return problems;
}

function paramProblems(param: CapabilityParam, where: string): string[] {
  const problems: string[] = [];
  if (typeof param !== 'object' || param === null) return [`${where} must be an object`];
  if (!nonEmpty(param.name)) problems.push(`${where}: name is missing`);
  if (!CAPABILITY_PARAM_TYPES.includes(param.type)) {
    problems.push(
      `${where}: type ${String(param.type)} is not one of ${CAPABILITY_PARAM_TYPES.join(', ')}`,
    );
  }
  if (param.type === 'enum' && (!Array.isArray(param.options) || param.options.length === 0)) {
    problems.push(`${where}: enum needs options`);
  }
  if (param.type === 'object' && param.fields !== undefined) {
    if (!Array.isArray(param.fields)) problems.push(`${where}: fields must be a list`);
    else {
      problems.push(...duplicateNames(param.fields, where));
      for (const field of param.fields) {
        problems.push(...paramProblems(field, `${where}.${field?.name ?? '?'}`));
      }
    }
  }
  if (param.type === 'list' && param.items !== undefined) {
    problems.push(...paramProblems(param.items, `${where}[]`));
  }
  if (param.min !== undefined && param.max !== undefined && param.min > param.max) {
    problems.push(`${where}: min ${param.min} is above max ${param.max}`);
  }
  for (const [label, value] of [
    ['default', param.default],
    ['implicit default', implicitDefaultOf(param)],
  ] as const) {
    const problem = value === undefined ? undefined : defaultProblem(param, value);
    if (problem) problems.push(`${where}: ${label} ${JSON.stringify(value)} ${problem}`);
  }
  return problems;
}

/** Why a declared default cannot be a value of the param (undefined when it can). */
function defaultProblem(param: CapabilityParam, value: unknown): string | undefined {
  switch (param.type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? undefined : 'is not a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'is not a boolean';
    case 'enum':
      return param.options?.includes(value as string | number) ? undefined : 'is not an option';
    case 'number':
    case 'integer':
    case 'seed': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'is not a number';
      if (param.type !== 'number' && !Number.isInteger(value)) return 'is not an integer';
      if (param.min !== undefined && value < param.min) return `is below min ${param.min}`;
      if (param.max !== undefined && value > param.max) return `is above max ${param.max}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

function duplicateNames(params: readonly CapabilityParam[], where: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const param of params) {
    if (seen.has(param?.name)) problems.push(`${where}: param ${param.name} is declared twice`);
    seen.add(param?.name);
  }
  return problems;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.trim().length > 0;
}

/**
 * The wire metadata of a capability type, derived from its declaration (never written by hand):
 * methods in declaration order, params copied without implementation details.
 */
export function capabilityMetadata(definition: CapabilityDefinition): CapabilityMetadata {
  return {
    type: definition.type,
    label: definition.label,
    description: definition.description,
    methods: Object.entries(definition.methods).map(([name, method]) => ({
      name,
      label: method.label,
      description: method.description,
      params: method.params.map(copyParam),
      returns: method.returns,
    })),
  };
}

function copyParam(param: CapabilityParam): CapabilityParam {
  const copy: CapabilityParam = { name: param.name, type: param.type };
  if (param.label !== undefined) copy.label = param.label;
  if (param.description !== undefined) copy.description = param.description;
  const shownDefault = param.default ?? implicitDefaultOf(param);
  if (shownDefault !== undefined) copy.default = structuredClone(shownDefault);
  if (param.min !== undefined) copy.min = param.min;
  if (param.max !== undefined) copy.max = param.max;
  if (param.step !== undefined) copy.step = param.step;
  if (param.options !== undefined) copy.options = [...param.options];
  if (param.optional !== undefined) copy.optional = param.optional;
  if (param.fields !== undefined) copy.fields = param.fields.map(copyParam);
  if (param.items !== undefined) copy.items = copyParam(param.items);
  return copy;
}
