/**
 * Runs every benchmark suite (`bench/<area>/index.ts`) one after another, each in its own Bun
 * process so one suite's JIT and memory state cannot skew the next. Each suite prints its own
 * table of ratios against a baseline it measures in the same run.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = import.meta.dir;
const only = process.argv.slice(2);
const suites = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'index.ts')))
  .map((entry) => entry.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

let failures = 0;
for (const suite of suites) {
  console.log(`\n=== bench/${suite} ===`);
  const child = Bun.spawnSync([process.execPath, join(benchDir, suite, 'index.ts')], {
    stdout: 'inherit',
    stderr: 'inherit',
    env: process.env,
  });
  if (child.exitCode !== 0) {
    failures++;
    console.log(`bench/${suite} exited with ${child.exitCode}`);
  }
}
console.log(`\n${suites.length} suites run, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
