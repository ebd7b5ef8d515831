import { describe, expect, test } from 'bun:test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { checkImportGraph, cyclesOf } from '../../scripts/import-graph/check-import-graph.ts';
import { collectImportGraph } from '../../scripts/import-graph/collect-import-graph.ts';
import type { GraphFile, ImportGraph } from '../../scripts/import-graph/import-graph.ts';

/** A source file of `workspace` importing the given files of the same or other workspaces. */
function file(path: string, ...imports: string[]): GraphFile {
  const workspace = path.split('/').slice(0, 2).join('/');
  return {
    path,
    workspace,
    source: path.includes('/src/'),
    imports: imports.map((target) => ({
      specifier: target,
      file: target,
      workspace: target.split('/').slice(0, 2).join('/'),
    })),
  };
}

describe('import graph checker on fake graphs', () => {
  test('a cycle between files of a package is reported with its files in order', () => {
    const graph: ImportGraph = {
      files: [
        file('packages/core/src/a.ts', 'packages/core/src/b.ts'),
        file('packages/core/src/b.ts', 'packages/core/src/c.ts'),
        file('packages/core/src/c.ts', 'packages/core/src/a.ts', 'packages/protocol/src/x.ts'),
        file('packages/protocol/src/x.ts'),
      ],
    };
    expect(checkImportGraph(graph)).toEqual([
      {
        rule: 'file-cycle',
        message:
          'import cycle in packages/core: packages/core/src/a.ts → packages/core/src/b.ts → packages/core/src/c.ts → packages/core/src/a.ts',
        files: ['packages/core/src/a.ts', 'packages/core/src/b.ts', 'packages/core/src/c.ts'],
      },
    ]);
  });

  test('a cycle inside a larger tangle names every file of the tangle', () => {
    const graph: ImportGraph = {
      files: [
        file('packages/core/src/a.ts', 'packages/core/src/b.ts'),
        file('packages/core/src/b.ts', 'packages/core/src/a.ts', 'packages/core/src/c.ts'),
        file('packages/core/src/c.ts', 'packages/core/src/d.ts'),
        file('packages/core/src/d.ts', 'packages/core/src/b.ts'),
      ],
    };
    const [problem, ...others] = checkImportGraph(graph);
    expect(others).toEqual([]);
    expect(problem?.files).toEqual([
      'packages/core/src/a.ts',
      'packages/core/src/b.ts',
      'packages/core/src/c.ts',
      'packages/core/src/d.ts',
    ]);
    expect(problem?.message).toEndWith(
      '(also tangled with packages/core/src/c.ts, packages/core/src/d.ts)',
    );
  });

  test('cycles between packages, app imports, plugin-to-plugin and layer breaks name the files', () => {
    const graph: ImportGraph = {
      files: [
        file('packages/script/src/s.ts', 'packages/canvas/src/c.ts'),
        file('packages/canvas/src/c.ts', 'packages/script/src/s.ts'),
        file('packages/core/src/k.ts', 'apps/server/src/server.ts'),
        file('plugins/upscale/src/u.ts', 'plugins/diffusers/src/d.ts'),
        file('plugins/diffusers/src/d.ts', 'packages/onnx/src/o.ts'),
        file('packages/onnx/src/o.ts', 'packages/core/src/k.ts'),
        file('apps/server/src/server.ts'),
      ],
    };
    const problems = checkImportGraph(graph);
    expect(problems.map((problem) => [problem.rule, problem.files])).toEqual([
      ['forbidden-layer', ['packages/onnx/src/o.ts']],
      ['forbidden-layer', ['packages/script/src/s.ts']],
      ['package-imports-app', ['packages/core/src/k.ts']],
      ['plugin-imports-plugin', ['plugins/upscale/src/u.ts']],
      ['workspace-cycle', ['packages/canvas/src/c.ts', 'packages/script/src/s.ts']],
    ]);
    expect(problems[0]?.message).toContain('packages/onnx may import only packages/protocol');
  });

  test('browser code may not import Node or Bun; the protocol package imports nothing', () => {
    const graph: ImportGraph = {
      files: [
        { ...file('packages/canvas/src/c.ts'), imports: [{ specifier: 'node:fs' }] },
        { ...file('packages/protocol/src/p.ts'), imports: [{ specifier: 'zod' }] },
        { ...file('plugins/new-thing/src/n.ts'), imports: [] },
        { ...file('apps/server/src/s.ts'), imports: [{ specifier: 'bun' }] },
      ],
    };
    expect(checkImportGraph(graph).map((problem) => [problem.rule, problem.files])).toEqual([
      ['browser-unsafe', ['packages/canvas/src/c.ts']],
      ['external-dependency', ['packages/protocol/src/p.ts']],
      ['unknown-workspace', ['plugins/new-thing/src/n.ts']],
    ]);
  });

  test('workspaces are imported by declared package name, never by a path into them', () => {
    const graph: ImportGraph = {
      files: [
        {
          ...file('packages/core/src/k.ts'),
          imports: [
            { specifier: '@viwo/canvas', workspace: 'packages/canvas' },
            { specifier: '@viwo/script/x', workspace: 'packages/script' },
            { specifier: '../../script/src/s.ts', workspace: 'packages/script' },
          ],
        },
      ],
      declared: { 'packages/core': ['@viwo/script', 'sharp'] },
    };
    expect(checkImportGraph(graph).map((problem) => [problem.rule, problem.message])).toEqual([
      [
        'deep-import',
        "packages/core/src/k.ts imports '../../script/src/s.ts': import another workspace by its package name, not by path",
      ],
      [
        'undeclared-dependency',
        'packages/core/src/k.ts imports \'@viwo/canvas\': add "@viwo/canvas" to packages/core/package.json',
      ],
    ]);
  });

  test('test files may form package edges without breaking layer rules, but not file cycles', () => {
    const graph: ImportGraph = {
      files: [
        file('packages/canvas/test/t.ts', 'packages/core/src/k.ts', 'packages/canvas/test/u.ts'),
        file('packages/canvas/test/u.ts', 'packages/canvas/test/t.ts'),
        file('packages/core/src/k.ts'),
      ],
    };
    expect(checkImportGraph(graph).map((problem) => problem.rule)).toEqual(['file-cycle']);
  });

  test('cyclesOf reports one real cycle per strongly connected component (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })), {
          maxLength: 20,
        }),
        (pairs) => {
          const edges = new Map<string, string[]>();
          for (let node = 0; node < 8; node++) edges.set(`n${node}`, []);
          for (const [from, to] of pairs) edges.get(`n${from}`)!.push(`n${to}`);
          const reaches = (from: string, to: string): boolean => {
            const seen = new Set<string>();
            const pending = [...(edges.get(from) ?? [])];
            while (pending.length > 0) {
              const node = pending.pop()!;
              if (node === to) return true;
              if (seen.has(node)) continue;
              seen.add(node);
              pending.push(...(edges.get(node) ?? []));
            }
            return false;
          };
          const cycles = cyclesOf(edges);
          for (const cycle of cycles) {
            cycle.forEach((node, index) => {
              expect(edges.get(node)).toContain(cycle[(index + 1) % cycle.length]!);
            });
          }
          // Distinct cycles lie in distinct components.
          for (const [i, first] of cycles.entries()) {
            for (const second of cycles.slice(i + 1)) {
              expect(reaches(first[0]!, second[0]!) && reaches(second[0]!, first[0]!)).toBe(false);
            }
          }
          // A node is on a cycle exactly when it shares a component with a reported cycle.
          const starts = cycles.map((cycle) => cycle[0]!);
          for (const node of edges.keys()) {
            const covered = starts.some(
              (start) => start === node || (reaches(node, start) && reaches(start, node)),
            );
            expect(covered).toBe(reaches(node, node));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('import graph collector on a real tree', () => {
  test('type imports, re-exports and package names resolve; a cycle through them is found', async () => {
    const root = await mkdtemp(join(tmpdir(), 'viwo-imports-'));
    try {
      const files: Record<string, string> = {
        'packages/protocol/package.json': JSON.stringify({
          name: '@viwo/protocol',
          exports: { '.': './src/index.ts' },
        }),
        'packages/protocol/src/index.ts': "export type { A } from './a.ts';\n",
        'packages/protocol/src/a.ts':
          "import type { B } from './b';\nexport interface A { b: B }\n",
        'packages/protocol/src/b.ts': "import type { A } from './a.ts';\nexport type B = A[];\n",
        'packages/script/package.json': JSON.stringify({
          name: '@viwo/script',
          exports: {},
          dependencies: { '@viwo/protocol': 'workspace:*' },
        }),
        'packages/script/src/s.ts':
          "// import '@viwo/nothing' in a comment is not an import\nimport type { A } from '@viwo/protocol';\nexport const s = (a: A) => import('./t.ts');\n",
        'packages/script/src/t.ts': 'export const t = 1;\n',
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
      const graph = collectImportGraph(root);
      const script = graph.files.find((entry) => entry.path === 'packages/script/src/s.ts');
      expect(script?.imports).toEqual([
        {
          specifier: '@viwo/protocol',
          workspace: 'packages/protocol',
          file: 'packages/protocol/src/index.ts',
        },
        {
          specifier: './t.ts',
          file: 'packages/script/src/t.ts',
          workspace: 'packages/script',
        },
      ]);
      expect(checkImportGraph(graph).map((problem) => problem.files)).toEqual([
        ['packages/protocol/src/a.ts', 'packages/protocol/src/b.ts'],
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('this repository has no import problems', async () => {
    const graph = collectImportGraph(join(import.meta.dir, '..', '..'));
    expect(checkImportGraph(graph)).toEqual([]);
    expect(graph.files.length).toBeGreaterThan(100);
  });
});
