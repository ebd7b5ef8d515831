import {
  BREAK,
  CONTINUE,
  type CompiledNode,
  isLiteral,
  literalNode,
  type NodeCompiler,
  ReturnSignal,
  UNCATCHABLE,
} from './compiled-node.ts';
import { Scope } from './scope.ts';
import { ScriptError, type ScriptPath, toScriptError } from './script-error.ts';
import { emptyObject, truthy } from './values.ts';

// Compilers of the control-flow forms (seq, if, while, for, try, and/or/nullish). Each keeps
// the synchronous fast path and switches to an async continuation only when a child returned a
// promise, so evaluation order stays strictly sequential either way.

export function compileSeq(c: NodeCompiler, node: unknown[], path: ScriptPath): CompiledNode {
  const { nodes, cost } = c.compileArgs(node, path);
  const scoped = declaresVariables(node);
  const count = nodes.length;
  const runFrom = async (
    scope: Scope,
    start: number,
    pending: Promise<unknown>,
  ): Promise<unknown> => {
    let last = await pending;
    for (let index = start + 1; index < count; index++) last = await nodes[index]!(scope);
    return last;
  };
  return (outer) => {
    c.charge(cost, path);
    const scope = scoped ? new Scope(outer) : outer;
    let last: unknown = null;
    for (let index = 0; index < count; index++) {
      last = nodes[index]!(scope);
      if (last instanceof Promise) return runFrom(scope, index, last);
    }
    return last;
  };
}

export function compileIf(c: NodeCompiler, node: unknown[], path: ScriptPath): CompiledNode {
  const { nodes, cost } = c.compileArgs(node, path);
  const [condition, whenTrue, whenFalse] = nodes as [
    CompiledNode,
    CompiledNode,
    CompiledNode | undefined,
  ];
  const branch = (test: unknown, scope: Scope): unknown =>
    truthy(test) ? whenTrue(scope) : whenFalse ? whenFalse(scope) : null;
  return (scope) => {
    c.charge(cost, path);
    const test = condition(scope);
    return test instanceof Promise
      ? test.then((resolved) => branch(resolved, scope))
      : branch(test, scope);
  };
}

export function compileWhile(c: NodeCompiler, node: unknown[], path: ScriptPath): CompiledNode {
  const { nodes, cost } = c.compileArgs(node, path);
  const [condition, body] = nodes as [CompiledNode, CompiledNode];
  const finishAsync = async (
    scope: Scope,
    pendingCondition?: Promise<unknown>,
    pendingBody?: Promise<unknown>,
  ) => {
    if (pendingBody) {
      try {
        await pendingBody;
      } catch (error) {
        if (error === BREAK) return null;
        if (error !== CONTINUE) throw error;
      }
    }
    for (;;) {
      if (!pendingCondition && c.state.shouldYield()) await c.state.yieldToHost(path);
      const test = pendingCondition ? await pendingCondition : await condition(scope);
      pendingCondition = undefined;
      if (!truthy(test)) return null;
      c.charge(1, path);
      try {
        await body(scope);
      } catch (error) {
        if (error === BREAK) return null;
        if (error !== CONTINUE) throw error;
      }
    }
  };
  const state = c.state;
  return (scope) => {
    c.charge(cost, path);
    for (;;) {
      // Yield point at the top of an iteration: the async continuation resumes from there.
      if (state.shouldYield()) return finishAsync(scope, undefined, state.yieldToHost(path));
      const test = condition(scope);
      if (test instanceof Promise) return finishAsync(scope, test);
      if (!truthy(test)) return null;
      // Each iteration costs gas even when the body is empty (no free infinite loops).
      c.charge(1, path);
      try {
        const result = body(scope);
        if (result instanceof Promise) return finishAsync(scope, undefined, result);
      } catch (error) {
        if (error === BREAK) return null;
        if (error !== CONTINUE) throw error;
      }
    }
  };
}

export function compileFor(c: NodeCompiler, node: unknown[], path: ScriptPath): CompiledNode {
  const name = node[1] as string;
  const { nodes, cost } = c.compileArgs(node, path, 2);
  const [listNode, body] = nodes as [CompiledNode, CompiledNode];
  const iterate = (items: unknown, scope: Scope): unknown => {
    if (!Array.isArray(items))
      throw new ScriptError('TypeError', 'std.for: the second argument must be a list', path);
    const snapshot = items.slice();
    const finishAsync = async (start: number, pending: Promise<unknown>) => {
      for (let index = start; index < snapshot.length; index++) {
        try {
          if (index === start) await pending;
          else {
            if (c.state.shouldYield()) await c.state.yieldToHost(path);
            c.charge(1, path);
            const frame = new Scope(scope);
            frame.declare(name, snapshot[index]);
            await body(frame);
          }
        } catch (error) {
          if (error === BREAK) return null;
          if (error !== CONTINUE) throw error;
        }
      }
      return null;
    };
    for (let index = 0; index < snapshot.length; index++) {
      // Yield before iteration `index`: the continuation treats index - 1 as done.
      if (c.state.shouldYield()) return finishAsync(index - 1, c.state.yieldToHost(path));
      c.charge(1, path);
      const frame = new Scope(scope);
      frame.declare(name, snapshot[index]);
      try {
        const result = body(frame);
        if (result instanceof Promise) return finishAsync(index, result);
      } catch (error) {
        if (error === BREAK) return null;
        if (error !== CONTINUE) throw error;
      }
    }
    return null;
  };
  return (scope) => {
    c.charge(cost + 1, path);
    const items = listNode(scope);
    return items instanceof Promise
      ? items.then((resolved) => iterate(resolved, scope))
      : iterate(items, scope);
  };
}

export function compileTry(c: NodeCompiler, node: unknown[], path: ScriptPath): CompiledNode {
  const bodySource = node[1];
  const body = isLiteral(bodySource)
    ? literalNode(bodySource)
    : c.compile(bodySource as unknown[], [...path, 1]);
  const variable = typeof node[2] === 'string' ? node[2] : null;
  const handlerSource = node[3];
  const handler =
    handlerSource === undefined
      ? null
      : isLiteral(handlerSource)
        ? literalNode(handlerSource)
        : c.compile(handlerSource as unknown[], [...path, 3]);
  const recover = (error: unknown, scope: Scope): unknown => {
    if (error === BREAK || error === CONTINUE || error instanceof ReturnSignal) throw error;
    const scriptError = toScriptError(error, path);
    if (UNCATCHABLE.has(scriptError.code)) throw scriptError;
    if (!handler) return null;
    const frame = new Scope(scope);
    if (variable) {
      // As the reference: the variable holds exactly what std.throw threw; any other error
      // binds a description of itself.
      let value: unknown;
      if (scriptError.code === 'Thrown') value = scriptError.value ?? null;
      else {
        const description = emptyObject();
        description.code = scriptError.code;
        description.message = scriptError.message;
        description.path = scriptError.path;
        value = description;
      }
      frame.declare(variable, value);
    }
    return handler(frame);
  };
  return (scope) => {
    c.charge(1 + (variable ? 1 : 0), path);
    try {
      const result = body(scope);
      return result instanceof Promise
        ? result.catch((error: unknown) => recover(error, scope))
        : result;
    } catch (error) {
      return recover(error, scope);
    }
  };
}

export function compileShortCircuit(
  c: NodeCompiler,

  node: unknown[],
  path: ScriptPath,
  kind: 'and' | 'or' | 'nullish' | 'guard',
): CompiledNode {
  const { nodes, cost } = c.compileArgs(node, path);
  const stops = (value: unknown): boolean =>
    kind === 'and' || kind === 'guard'
      ? !truthy(value)
      : kind === 'or'
        ? truthy(value)
        : value !== null && value !== undefined;
  // `and`/`or` answer booleans as the reference does (`and` of nothing is true, `or` of nothing
  // false); `guard` answers the first falsy value or else the last one; `nullish` the first
  // non-null value.
  const finish = (value: unknown, stopped: boolean): unknown => {
    if (kind === 'and') return !stopped;
    if (kind === 'or') return stopped;
    if (kind === 'guard') return value;
    return stopped ? value : null;
  };
  const finishAsync = async (scope: Scope, start: number, pending: Promise<unknown>) => {
    let value = await pending;
    for (let index = start + 1; index < nodes.length && !stops(value); index++)
      value = await nodes[index]!(scope);
    return finish(value, stops(value));
  };
  return (scope) => {
    c.charge(cost, path);
    let last: unknown = null;
    for (let index = 0; index < nodes.length; index++) {
      const value = nodes[index]!(scope);
      if (value instanceof Promise) return finishAsync(scope, index, value);
      if (stops(value)) return finish(value, true);
      last = value;
    }
    return finish(last, false);
  };
}

/** Whether a `std.seq` declares variables directly (not inside a nested seq or lambda). */
function declaresVariables(node: unknown[]): boolean {
  const pending: unknown[] = node.slice(1);
  while (pending.length > 0) {
    const child = pending.pop();
    if (!Array.isArray(child)) continue;
    const head = child[0];
    if (head === 'std.let') return true;
    if (head === 'std.seq' || head === 'std.lambda' || head === 'std.quote') continue;
    for (let index = 1; index < child.length; index++) pending.push(child[index]);
  }
  return false;
}
