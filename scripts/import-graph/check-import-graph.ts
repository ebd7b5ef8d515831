import type { GraphFile, ImportGraph } from './import-graph.ts';
import { LAYOUT_RULES, type LayoutRule } from './layout-rules.ts';

/** Which rule a problem breaks. */
export type ImportRule =
  | 'file-cycle'
  | 'workspace-cycle'
  | 'package-imports-app'
  | 'plugin-imports-plugin'
  | 'forbidden-layer'
  | 'unknown-workspace'
  | 'browser-unsafe'
  | 'external-dependency'
  | 'undeclared-dependency'
  | 'deep-import';

/** One broken rule, naming the files involved. */
export interface ImportProblem {
  rule: ImportRule;
  message: string;
  files: string[];
}

const SERVER_ONLY = /^(node:|bun$|bun:)/;

/**
 * Checks an import graph against the Layout rules: no cycle between files of a workspace (type
 * imports count), no cycle between workspaces, no package importing an app, no plugin importing
 * another plugin, only the imports the Layout table allows, and no Node/Bun APIs in browser code.
 * Pure: the graph comes in, problems come out (sorted, deterministic).
 */
export function checkImportGraph(
  graph: ImportGraph,
  rules: readonly LayoutRule[] = LAYOUT_RULES,
): ImportProblem[] {
  const byDir = new Map(rules.map((rule) => [rule.dir, rule]));
  const problems = [
    ...fileCycles(graph),
    ...workspaceCycles(graph),
    ...layerProblems(graph, byDir),
    ...manifestProblems(graph),
  ];
  return problems.sort(
    (a, b) => a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message),
  );
}

function fileCycles(graph: ImportGraph): ImportProblem[] {
  const edges = new Map<string, string[]>();
  const workspaceOf = new Map(graph.files.map((file) => [file.path, file.workspace]));
  for (const file of graph.files) {
    const targets = file.imports
      .map((edge) => edge.file)
      .filter((target): target is string => target !== undefined)
      .filter((target) => workspaceOf.get(target) === file.workspace);
    edges.set(file.path, [...new Set(targets)]);
  }
  return tangledComponents(edges).map((component) => {
    const cycle = cycleThrough(component, edges);
    // Breaking the shown cycle may leave another among the same files: name them all.
    const others = component.filter((path) => !cycle.includes(path)).sort();
    const rest = others.length > 0 ? ` (also tangled with ${others.join(', ')})` : '';
    return {
      rule: 'file-cycle' as const,
      message: `import cycle in ${workspaceOf.get(cycle[0]!)}: ${[...cycle, cycle[0]].join(' → ')}${rest}`,
      files: [...cycle, ...others],
    };
  });
}

function workspaceCycles(graph: ImportGraph): ImportProblem[] {
  const edges = new Map<string, Set<string>>();
  const witness = new Map<string, string>();
  for (const file of graph.files) {
    if (!file.source) continue;
    const targets = edges.get(file.workspace) ?? new Set<string>();
    edges.set(file.workspace, targets);
    for (const edge of file.imports) {
      if (edge.workspace === undefined || edge.workspace === file.workspace) continue;
      targets.add(edge.workspace);
      const key = `${file.workspace}\u0000${edge.workspace}`;
      if (!witness.has(key)) witness.set(key, file.path);
    }
  }
  const plain = new Map([...edges].map(([from, to]) => [from, [...to]]));
  return cyclesOf(plain).map((cycle) => {
    const files = cycle.map(
      (from, index) => witness.get(`${from}\u0000${cycle[(index + 1) % cycle.length]}`) ?? from,
    );
    return {
      rule: 'workspace-cycle' as const,
      message: `import cycle between workspaces: ${[...cycle, cycle[0]].join(' → ')} (via ${files.join(', ')})`,
      files,
    };
  });
}

function layerProblems(graph: ImportGraph, byDir: Map<string, LayoutRule>): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const unknown = new Map<string, string>();
  for (const file of graph.files) {
    if (!file.source) continue;
    const rule = byDir.get(file.workspace);
    if (!rule) {
      if (!unknown.has(file.workspace)) unknown.set(file.workspace, file.path);
      continue;
    }
    for (const edge of file.imports) problems.push(...edgeProblems(file, edge, rule, byDir));
  }
  for (const [workspace, path] of unknown) {
    problems.push({
      rule: 'unknown-workspace',
      message: `${workspace} is not in the Layout table (scripts/import-graph/layout-rules.ts): add its row`,
      files: [path],
    });
  }
  return problems;
}

function edgeProblems(
  file: GraphFile,
  edge: GraphFile['imports'][number],
  rule: LayoutRule,
  byDir: Map<string, LayoutRule>,
): ImportProblem[] {
  const where = `${file.path} imports '${edge.specifier}'`;
  if (rule.browserSafe && SERVER_ONLY.test(edge.specifier)) {
    return [
      {
        rule: 'browser-unsafe',
        message: `${where}: ${rule.dir} runs in the browser`,
        files: [file.path],
      },
    ];
  }
  if (edge.workspace === undefined) {
    const external = !edge.specifier.startsWith('.') && !edge.specifier.startsWith('/');
    if (
      external &&
      rule.kind === 'package' &&
      rule.mayImport !== '*' &&
      rule.mayImport.length === 0
    ) {
      return [
        {
          rule: 'external-dependency',
          message: `${where}: ${rule.dir} has no dependencies`,
          files: [file.path],
        },
      ];
    }
    return [];
  }
  if (edge.workspace === file.workspace) return [];
  const target = byDir.get(edge.workspace);
  if (target?.kind === 'app' && (rule.kind === 'package' || rule.kind === 'plugin')) {
    return [
      {
        rule: 'package-imports-app',
        message: `${where}: a ${rule.kind} never imports an app`,
        files: [file.path],
      },
    ];
  }
  if (target?.kind === 'plugin' && rule.kind === 'plugin') {
    return [
      {
        rule: 'plugin-imports-plugin',
        message: `${where}: plugins compose through context.invoke, never by import`,
        files: [file.path],
      },
    ];
  }
  if (rule.mayImport !== '*' && !rule.mayImport.includes(edge.workspace)) {
    const allowed = rule.mayImport.length > 0 ? rule.mayImport.join(', ') : 'nothing';
    return [
      {
        rule: 'forbidden-layer',
        message: `${where}: ${rule.dir} may import only ${allowed}`,
        files: [file.path],
      },
    ];
  }
  return [];
}

/**
 * Source files reach other workspaces only through their package name, and only names their
 * package.json declares (the hoisted install would let an undeclared import work by accident).
 */
function manifestProblems(graph: ImportGraph): ImportProblem[] {
  const problems: ImportProblem[] = [];
  for (const file of graph.files) {
    if (!file.source) continue;
    const declared = graph.declared?.[file.workspace];
    for (const edge of file.imports) {
      if (edge.workspace === undefined || edge.workspace === file.workspace) continue;
      const where = `${file.path} imports '${edge.specifier}'`;
      if (edge.specifier.startsWith('.') || edge.specifier.startsWith('/')) {
        problems.push({
          rule: 'deep-import',
          message: `${where}: import another workspace by its package name, not by path`,
          files: [file.path],
        });
        continue;
      }
      const segments = edge.specifier.startsWith('@') ? 2 : 1;
      const name = edge.specifier.split('/').slice(0, segments).join('/');
      if (declared && !declared.includes(name)) {
        problems.push({
          rule: 'undeclared-dependency',
          message: `${where}: add "${name}" to ${file.workspace}/package.json`,
          files: [file.path],
        });
      }
    }
  }
  return problems;
}

/**
 * One concrete cycle per strongly connected component that has one, each starting at the
 * component's smallest member.
 */
export function cyclesOf(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  return tangledComponents(edges)
    .map((component) => cycleThrough(component, edges))
    .sort();
}

/**
 * Every strongly connected component with a cycle (Tarjan, iterative so deep graphs cannot
 * overflow the stack): its members can all reach each other.
 */
function tangledComponents(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, next] = frame;
      const targets = edges.get(node) ?? [];
      if (next < targets.length) {
        frame[1]++;
        const target = targets[next]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push([target, 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) !== index.get(node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && (edges.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  }
  return components;
}

/** A shortest cycle from the component's smallest member back to itself (breadth-first). */
function cycleThrough(
  component: string[],
  edges: ReadonlyMap<string, readonly string[]>,
): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of edges.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start];
}
