import { ScriptError, type ScriptPath } from './script-error.ts';

/**
 * A lexical scope. Variables live in a lazily created Map so scopes that never declare anything
 * (most `std.seq` bodies inside loops) cost one small object.
 */
export class Scope {
  private vars: Map<string, unknown> | null = null;

  constructor(
    readonly parent: Scope | null,
    /** Arguments of the call that created this scope (function scopes only). */
    readonly args: unknown[] | null = null,
  ) {}

  declare(name: string, value: unknown): void {
    if (this.vars === null) this.vars = new Map();
    this.vars.set(name, value);
  }

  lookup(name: string, path: ScriptPath): unknown {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      const vars = scope.vars;
      if (vars?.has(name)) return vars.get(name);
    }
    throw new ScriptError(
      'UnknownVariable',
      `variable '${name}' is not defined (declare it with std.let)`,
      path,
    );
  }

  assign(name: string, value: unknown, path: ScriptPath): void {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      const vars = scope.vars;
      if (vars?.has(name)) {
        vars.set(name, value);
        return;
      }
    }
    throw new ScriptError(
      'UnknownVariable',
      `cannot set '${name}': it is not defined (declare it with std.let first)`,
      path,
    );
  }

  /** The arguments of the innermost enclosing call. */
  callArgs(): unknown[] {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      if (scope.args) return scope.args;
    }
    return [];
  }
}
