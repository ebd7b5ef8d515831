/**
 * Checks before a template import: the same workflow already stored (importing it again would
 * only make a duplicate), and opcodes the script calls that this server does not have (it
 * would import fine and then fail on every run).
 */

/** Opcode-like call heads (`family.name`) in `script` that are not in `known`, sorted. */
export function unknownOpcodes(script: unknown, known: ReadonlySet<string>): string[] {
  const missing = new Set<string>();
  const visit = (node: unknown) => {
    if (!Array.isArray(node) || node[0] === 'std.quote') return;
    const head = node[0];
    // Only dotted names count: lazy argument lists (lambda parameters, obj.new pairs) hold plain
    // strings at their head that are not calls.
    if (typeof head === 'string' && /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(head)) {
      if (!known.has(head)) missing.add(head);
    }
    for (const child of node.slice(1)) visit(child);
  };
  visit(script);
  return [...missing].sort();
}

/** The stored template holding exactly this script, if any. */
export function sameWorkflow<T extends { script?: unknown }>(
  stored: readonly T[],
  script: unknown,
): T | undefined {
  const text = JSON.stringify(script);
  return stored.find((template) => JSON.stringify(template.script) === text);
}
