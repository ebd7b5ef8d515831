/**
 * Type-checks every workspace in its own environment after the root check: browser-safe packages
 * without the DOM library or Bun's types, the client with the DOM but no Bun, server-side
 * workspaces with Bun but no DOM. The root tsconfig (DOM + Bun) still checks everything, tests
 * included. A workspace without a tsconfig.json (a new plugin) is checked with the settings its
 * Layout row implies and named, so it cannot slip through. Incremental build info lives in
 * node_modules/.cache/tsc, so unchanged workspaces are quick.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAYOUT_RULES } from './import-graph/layout-rules.ts';

const root = resolve(import.meta.dir, '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const cache = join(root, 'node_modules', '.cache', 'tsc');
const workspaces = ['packages', 'plugins', 'apps'].flatMap((parent) =>
  existsSync(join(root, parent))
    ? readdirSync(join(root, parent))
        .sort()
        .map((name) => `${parent}/${name}`)
        .filter((dir) => existsSync(join(root, dir, 'package.json')))
    : [],
);

/** A tsconfig for a workspace that has none: browser-safe rows without Bun, the rest with it. */
function defaultConfig(dir: string): string {
  const browserSafe = LAYOUT_RULES.find((rule) => rule.dir === dir)?.browserSafe === true;
  const config = {
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: {
      types: browserSafe ? [] : ['bun'],
      typeRoots: [join(root, 'node_modules', '@types')],
      incremental: true,
      tsBuildInfoFile: join(cache, `${dir.replace('/', '-')}.default.tsbuildinfo`),
    },
    include: [
      join(root, dir, 'src'),
      ...(browserSafe ? [join(root, 'types', 'web-platform.d.ts')] : []),
    ],
  };
  mkdirSync(cache, { recursive: true });
  const path = join(cache, `${dir.replace('/', '-')}.tsconfig.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

let failed = 0;
for (const dir of workspaces) {
  let project = dir;
  if (!existsSync(join(root, dir, 'tsconfig.json'))) {
    console.warn(`typecheck: ${dir} has no tsconfig.json; checking it with its Layout defaults`);
    project = defaultConfig(dir);
  }
  const run = Bun.spawnSync([tsc, '-p', project, '--noEmit'], {
    cwd: root,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (run.exitCode !== 0) {
    failed++;
    console.error(`typecheck: ${dir} failed in its own environment:`);
    process.stderr.write(run.stdout);
    process.stderr.write(run.stderr);
  }
}
if (failed > 0) process.exitCode = 1;
else console.log(`typecheck: ${workspaces.length} workspaces pass in their own environment`);
