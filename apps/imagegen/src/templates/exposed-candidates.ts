/**
 * Literals of a script the save dialog offers to expose as template inputs: the arguments and
 * option values of capability calls (prompts, seeds, steps, factors…), with their JSON paths.
 */
import type { ExposedParam } from './template-file.ts';

function typeOf(key: string, value: unknown): string | undefined {
  if (key === 'seed' && typeof value === 'number') return 'seed';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

/** Every exposable literal, in script order. */
export function exposedCandidates(script: unknown): ExposedParam[] {
  const found: ExposedParam[] = [];
  const visit = (node: unknown, path: (string | number)[]) => {
    if (!Array.isArray(node) || node[0] === 'std.quote') return;
    if (node[0] === 'std.call_method' && typeof node[2] === 'string') {
      const method = node[2];
      node.forEach((argument, index) => {
        if (index < 3) return;
        const argumentPath = [...path, index];
        const type = typeOf('', argument);
        if (type) {
          found.push({ path: argumentPath, label: `${method} argument ${index - 2}`, type });
        } else if (argument && typeof argument === 'object' && !Array.isArray(argument)) {
          for (const [key, value] of Object.entries(argument)) {
            const valueType = typeOf(key, value);
            if (valueType)
              found.push({
                path: [...argumentPath, key],
                label: `${method} ${key}`,
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
