import { CAPABILITY_PARAM_TYPES } from '@viwo/protocol';
import type {
  CapabilityDefinition,
  CapabilityMetadata,
  CapabilityParam,
} from '../capability-definition.ts';

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
    if (!Array.isArray(method.params)) {
      problems.push(`method ${name}: params must be a list`);
      continue;
    }
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
  if (param.default !== undefined) copy.default = structuredClone(param.default);
  if (param.min !== undefined) copy.min = param.min;
  if (param.max !== undefined) copy.max = param.max;
  if (param.step !== undefined) copy.step = param.step;
  if (param.options !== undefined) copy.options = [...param.options];
  if (param.optional !== undefined) copy.optional = param.optional;
  if (param.fields !== undefined) copy.fields = param.fields.map(copyParam);
  if (param.items !== undefined) copy.items = copyParam(param.items);
  return copy;
}
