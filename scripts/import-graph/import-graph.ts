/** The import graph the checker reads: files grouped into workspaces, with resolved imports. */

/** One import of a file, already resolved. */
export interface ImportEdge {
  /** The specifier as written (`../session.ts`, `@viwo/core`, `node:fs`). */
  specifier: string;
  /** The imported repository file, when it resolves to one. */
  file?: string;
  /** The workspace dir the import lands in (`packages/core`), when it is one of ours. */
  workspace?: string;
}

/** One source file. */
export interface GraphFile {
  /** Path relative to the repository root. */
  path: string;
  /** Workspace dir it belongs to (`packages/core`, `tests`). */
  workspace: string;
  /** Whether it is production source (`src/`): layer rules apply only to those. */
  source: boolean;
  imports: ImportEdge[];
}

/** The whole graph. */
export interface ImportGraph {
  files: GraphFile[];
  /**
   * Package names each workspace declares in its package.json (dependencies of every kind), by
   * workspace dir; workspaces without a package.json (tests, bench, scripts) are absent.
   */
  declared?: Record<string, string[]>;
}
