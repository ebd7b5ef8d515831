/**
 * Literals of a script the save dialog offers to expose as template inputs: the arguments and
 * option values of capability calls (prompts, seeds, steps, factors, input images…), with their
 * JSON paths. Labels come from the capability metadata when the call's handle is a literal
 * `get_capability` (e.g. "Text to image · Prompt"), else from the method and argument position.
 */
import type { CapabilityMetadata, ParamMetadata } from '@viwo/protocol';
import type { ExposedParam } from './template-file.ts';

const isImageValue = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && '$image' in value;

function typeOf(key: string, value: unknown): string | undefined {
  if (isImageValue(value)) return 'image';
  if (key === 'seed' && typeof value === 'number') return 'seed';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

const nameOf = (param: ParamMetadata | undefined) => param?.label ?? param?.name;

/** Every exposable literal, in script order. */
export function exposedCandidates(
  script: unknown,
  capabilities: readonly CapabilityMetadata[] = [],
): ExposedParam[] {
  const found: ExposedParam[] = [];
  const visit = (node: unknown, path: (string | number)[]) => {
    if (!Array.isArray(node) || node[0] === 'std.quote') return;
    if (node[0] === 'std.call_method' && typeof node[2] === 'string') {
      const method = node[2];
      const handle = node[1];
      const type =
        Array.isArray(handle) && handle[0] === 'get_capability' ? String(handle[1]) : undefined;
      const info = capabilities
        .find((capability) => capability.type === type)
        ?.methods.find((candidate) => candidate.name === method);
      const prefix = info?.label ?? method;
      node.forEach((argument, index) => {
        if (index < 3) return;
        const argumentPath = [...path, index];
        const param = info?.params[index - 3];
        const argumentType = typeOf(param?.name ?? '', argument);
        if (argumentType) {
          const label = nameOf(param)
            ? `${prefix} · ${nameOf(param)}`
            : `${method} argument ${index - 2}`;
          found.push({ path: argumentPath, label, type: argumentType });
        } else if (argument && typeof argument === 'object' && !Array.isArray(argument)) {
          for (const [key, value] of Object.entries(argument)) {
            const valueType = typeOf(key, value);
            const field = param?.fields?.find((candidate) => candidate.name === key);
            if (valueType)
              found.push({
                path: [...argumentPath, key],
                label: info ? `${prefix} · ${nameOf(field) ?? key}` : `${method} ${key}`,
                type: valueType,
              });
          }
        }
      });
    }
    node.forEach((child, index) => {
      if (index > 0) visit(child, [...path, index]);
    });
  };
  visit(script, []);
  return found;
}
