/**
 * `bun run check:imports`: fails (exit 1) on an import cycle between files of a workspace or
 * between workspaces, a package importing an app, a plugin importing another plugin, an import the
 * ARCHITECTURE Layout table forbids, or Node/Bun APIs in browser code; every problem names files.
 */
import { resolve } from 'node:path';
import { checkImportGraph } from './import-graph/check-import-graph.ts';
import { collectImportGraph } from './import-graph/collect-import-graph.ts';

const root = resolve(import.meta.dir, '..');
const graph = collectImportGraph(root);
const problems = checkImportGraph(graph);
const workspaces = new Set(graph.files.map((file) => file.workspace)).size;
if (problems.length === 0) {
  console.log(`import graph: ${graph.files.length} files in ${workspaces} workspaces, no problems`);
} else {
  for (const problem of problems) console.error(`${problem.rule}: ${problem.message}`);
  console.error(`import graph: ${problems.length} problem(s) in ${graph.files.length} files`);
  process.exitCode = 1;
}
