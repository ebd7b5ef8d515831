import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { GraphFile, ImportEdge, ImportGraph } from './import-graph.ts';

/** Top-level folders holding workspaces, and the loose folders that count as one workspace each. */
const WORKSPACE_PARENTS = ['packages', 'plugins', 'apps'];
const LOOSE_WORKSPACES = ['tests', 'bench', 'scripts'];
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'data']);
const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;

interface Workspace {
  dir: string;
  name?: string;
  exports: Record<string, string>;
  /** Declared dependency names; undefined for folders without a package.json. */
  dependencies?: string[];
}

/**
 * Reads every TypeScript file of the repository's workspaces and resolves its imports (static,
 * dynamic, `import type` and re-exports alike, as TypeScript's own pre-processor lists them).
 */
export function collectImportGraph(root: string): ImportGraph {
  const workspaces = findWorkspaces(root);
  const byName = new Map(workspaces.flatMap((w) => (w.name ? [[w.name, w] as const] : [])));
  const files: GraphFile[] = [];
  for (const workspace of workspaces) {
    for (const path of sourceFiles(join(root, workspace.dir))) {
      const rel = relative(root, path);
      const text = readFileSync(path, 'utf8');
      const imports = ts
        .preProcessFile(text, true, true)
        .importedFiles.map((entry) =>
          resolveImport(root, path, entry.fileName, byName, workspaces),
        );
      files.push({
        path: rel,
        workspace: workspace.dir,
        source: rel.startsWith(`${workspace.dir}/src/`) || workspace.dir === 'scripts',
        imports,
      });
    }
  }
  const declared: Record<string, string[]> = {};
  for (const workspace of workspaces) {
    if (workspace.dependencies) declared[workspace.dir] = workspace.dependencies;
  }
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), declared };
}

function findWorkspaces(root: string): Workspace[] {
  const found: Workspace[] = [];
  for (const parent of WORKSPACE_PARENTS) {
    const base = join(root, parent);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base).sort()) {
      const manifest = join(base, entry, 'package.json');
      if (!existsSync(manifest)) continue;
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        exports?: Record<string, string> | string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      const exports =
        typeof json.exports === 'string' ? { '.': json.exports } : (json.exports ?? {});
      const dependencies = Object.keys({
        ...json.dependencies,
        ...json.devDependencies,
        ...json.peerDependencies,
        ...json.optionalDependencies,
      }).sort();
      found.push({
        dir: `${parent}/${entry}`,
        ...(json.name ? { name: json.name } : {}),
        exports,
        dependencies,
      });
    }
  }
  for (const loose of LOOSE_WORKSPACES) {
    if (existsSync(join(root, loose))) found.push({ dir: loose, exports: {} });
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of readdirSync(current)) {
      if (SKIPPED.has(entry)) continue;
      const path = join(current, entry);
      if (statSync(path).isDirectory()) pending.push(path);
      else if (SOURCE_FILE.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
    }
  }
  return out.sort();
}

function workspaceOf(root: string, path: string, workspaces: Workspace[]): string | undefined {
  const rel = relative(root, path);
  return workspaces
    .filter((w) => rel === w.dir || rel.startsWith(`${w.dir}/`))
    .sort((a, b) => b.dir.length - a.dir.length)[0]?.dir;
}

function resolveImport(
  root: string,
  from: string,
  specifier: string,
  byName: Map<string, Workspace>,
  workspaces: Workspace[],
): ImportEdge {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const file = existingFile(resolve(dirname(from), specifier));
    const target = file ?? resolve(dirname(from), specifier);
    const workspace = workspaceOf(root, target, workspaces);
    return {
      specifier,
      ...(file ? { file: relative(root, file) } : {}),
      ...(workspace ? { workspace } : {}),
    };
  }
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0]!;
  const workspace = byName.get(name);
  if (!workspace) return { specifier };
  const subpath = `.${specifier.slice(name.length)}`;
  const exported = workspace.exports[subpath];
  const file = exported ? existingFile(join(root, workspace.dir, exported)) : undefined;
  return { specifier, workspace: workspace.dir, ...(file ? { file: relative(root, file) } : {}) };
}

function existingFile(path: string): string | undefined {
  for (const candidate of [path, `${path}.ts`, `${path}.tsx`, join(path, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}
