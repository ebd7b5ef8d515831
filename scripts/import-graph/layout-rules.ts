/**
 * The ARCHITECTURE.md Layout table as data: which workspace may import which. Keep it in step with
 * that table; a workspace missing here is itself reported, so a new package cannot skip the rules.
 */

/** How a workspace is classified for the cross-cutting rules. */
export type WorkspaceKind = 'package' | 'plugin' | 'app' | 'tests';

/** One row of the Layout table. */
export interface LayoutRule {
  /** Workspace directory relative to the repository root (`packages/core`). */
  dir: string;
  kind: WorkspaceKind;
  /** Workspace dirs its source may import; `'*'` means every workspace. */
  mayImport: readonly string[] | '*';
  /** Runs in a browser: its source may not import `node:*`, `bun` or `bun:*`. */
  browserSafe?: boolean;
}

/** The Layout table of ARCHITECTURE.md. */
export const LAYOUT_RULES: readonly LayoutRule[] = [
  { dir: 'packages/protocol', kind: 'package', mayImport: [], browserSafe: true },
  { dir: 'packages/script', kind: 'package', mayImport: ['packages/protocol'], browserSafe: true },
  {
    dir: 'packages/canvas',
    kind: 'package',
    mayImport: ['packages/script', 'packages/protocol'],
    browserSafe: true,
  },
  { dir: 'packages/onnx', kind: 'package', mayImport: ['packages/protocol'] },
  {
    dir: 'packages/core',
    kind: 'package',
    mayImport: ['packages/script', 'packages/protocol', 'packages/canvas'],
  },
  {
    dir: 'plugins/upscale',
    kind: 'plugin',
    mayImport: ['packages/core', 'packages/script', 'packages/protocol', 'packages/onnx'],
  },
  {
    dir: 'plugins/diffusers',
    kind: 'plugin',
    mayImport: ['packages/core', 'packages/script', 'packages/protocol', 'packages/onnx'],
  },
  {
    dir: 'plugins/runware',
    kind: 'plugin',
    mayImport: ['packages/core', 'packages/script', 'packages/protocol'],
  },
  {
    dir: 'plugins/refine',
    kind: 'plugin',
    mayImport: ['packages/core', 'packages/script', 'packages/protocol'],
  },
  { dir: 'apps/server', kind: 'app', mayImport: '*' },
  {
    dir: 'apps/imagegen',
    kind: 'app',
    mayImport: ['packages/protocol', 'packages/script', 'packages/canvas'],
    browserSafe: true,
  },
  { dir: 'tests', kind: 'tests', mayImport: '*' },
  { dir: 'bench', kind: 'tests', mayImport: '*' },
  { dir: 'scripts', kind: 'tests', mayImport: '*' },
];
