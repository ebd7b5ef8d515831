/**
 * Type-checks every workspace with its own tsconfig after the root check: browser-safe packages
 * without the DOM library or Bun's types, the client with the DOM but no Bun, server-side
 * workspaces with Bun but no DOM. The root tsconfig (DOM + Bun) still checks everything,
 * tests included. A workspace without a tsconfig is named; it is checked by the root alone.
 * Incremental build info lives in node_modules/.cache/tsc, so unchanged workspaces are quick.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const workspaces = ['packages', 'plugins', 'apps'].flatMap((parent) =>
  existsSync(join(root, parent))
    ? readdirSync(join(root, parent))
        .sort()
        .map((name) => `${parent}/${name}`)
        .filter((dir) => existsSync(join(root, dir, 'package.json')))
    : [],
);

let failed = 0;
for (const dir of workspaces) {
  if (!existsSync(join(root, dir, 'tsconfig.json'))) {
    console.warn(`typecheck: ${dir} has no tsconfig.json (checked by the root tsconfig only)`);
    continue;
  }
  const run = Bun.spawnSync([tsc, '-p', dir, '--noEmit'], {
    cwd: root,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (run.exitCode !== 0) {
    failed++;
    console.error(`typecheck: ${dir} failed with its own tsconfig:`);
    process.stderr.write(run.stdout);
    process.stderr.write(run.stderr);
  }
}
if (failed > 0) process.exitCode = 1;
else console.log(`typecheck: ${workspaces.length} workspaces pass with their own tsconfig`);
