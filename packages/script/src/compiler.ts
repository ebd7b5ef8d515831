import type { EvaluationState } from './evaluation-state.ts';
import type { NativeEnv, NativeOpcode } from './native-opcode.ts';
import type { OpcodeContext, OpcodeDefinition } from './opcode.ts';
import { Scope } from './scope.ts';
import { ScriptError, type ScriptPath, toScriptError } from './script-error.ts';
import { cloneValue, emptyObject, ScriptFunction, truthy } from './values.ts';

/** A compiled node: returns its value, or a promise only when something really awaited. */
export type CompiledNode = (scope: Scope) => unknown;

/** Opcodes visible to one compilation. */
export interface OpcodeTable {
  native: ReadonlyMap<string, NativeOpcode>;
  external: ReadonlyMap<string, OpcodeDefinition>;
}

// Control transfer travels as thrown sentinels; they are not Errors (no stack capture cost).
class BreakSignal {}
class ContinueSignal {}
/** Carries a `std.return` value to the enclosing lambda call (or the top level). */
export class ReturnSignal {
  constructor(readonly value: unknown) {}
}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/** True for a break/continue that escaped every loop. */
export function isLoopSignal(value: unknown): boolean {
  return value === BREAK || value === CONTINUE;
}

/** Errors a script may not catch with std.try: budgets and cancellation must end the run. */
const UNCATCHABLE = new Set(['OutOfGas', 'Timeout', 'Cancelled', 'DepthExceeded', 'OutputLimit']);

function isLiteral(node: unknown): boolean {
  return !Array.isArray(node);
}

function literalNode(value: unknown): CompiledNode {
  // Structures are copied per evaluation so a script mutating a literal never changes its source.
  if (typeof value === 'object' && value !== null) return () => cloneValue(value);
  return () => value;
}

/**
 * Compiles a checked script into closures. The compiler trusts the checker (arity, opcode names,
 * literal names); `evaluate` always checks first.
 *
 * Invariant: a node's value is a promise only if an external opcode returned one somewhere below
 * it; every combinator below keeps evaluation order strictly sequential in both cases.
 */
export class Compiler {
  constructor(
    private readonly state: EvaluationState,
    private readonly opcodes: OpcodeTable,
  ) {}

  /** Compiles the root; its cost includes the root node itself. */
  compileRoot(script: unknown): CompiledNode {
    if (isLiteral(script)) {
      const node = literalNode(script);
      return (scope) => {
        this.charge(1, []);
        return node(scope);
      };
    }
    return this.compile(script as unknown[], []);
  }

  private charge(cost: number, path: ScriptPath): void {
    const state = this.state;
    state.gas -= cost;
    if (state.gas < state.nextCheck) state.tick(path);
  }

  /** Compiles a call's arguments; literal arguments are folded into the caller's cost. */
  private compileArgs(
    node: unknown[],
    path: ScriptPath,
    from = 1,
  ): { nodes: CompiledNode[]; cost: number } {
    const nodes: CompiledNode[] = [];
    let cost = 1;
    for (let index = from; index < node.length; index++) {
      const child = node[index];
      if (isLiteral(child)) {
        cost++;
        nodes.push(literalNode(child));
      } else nodes.push(this.compile(child as unknown[], [...path, index]));
    }
    return { nodes, cost };
  }

  private compile(node: unknown[], path: ScriptPath): CompiledNode {
    const head = node[0] as string;
    switch (head) {
      case 'std.seq':
        return this.compileSeq(node, path);
      case 'std.if':
        return this.compileIf(node, path);
      case 'std.while':
        return this.compileWhile(node, path);
      case 'std.for':
        return this.compileFor(node, path);
      case 'std.break':
      case 'std.continue': {
        const signal = head === 'std.break' ? BREAK : CONTINUE;
        return () => {
          this.charge(1, path);
          throw signal;
        };
      }
      case 'std.return': {
        const { nodes, cost } = this.compileArgs(node, path);
        const value = nodes[0];
        return (scope) => {
          this.charge(cost, path);
          const result = value ? value(scope) : null;
          if (result instanceof Promise) {
            return result.then((resolved) => {
              throw new ReturnSignal(resolved);
            });
          }
          throw new ReturnSignal(result);
        };
      }
      case 'std.let':
      case 'std.set':
        return this.compileBinding(node, path, head === 'std.let');
      case 'std.var': {
        const name = node[1] as string;
        return (scope) => {
          this.charge(2, path);
          return scope.lookup(name, path);
        };
      }
      case 'std.lambda':
        return this.compileLambda(node, path);
      case 'std.apply':
        return this.compileApply(node, path);
      case 'std.arg': {
        const { nodes, cost } = this.compileArgs(node, path);
        const indexNode = nodes[0]!;
        return (scope) => {
          this.charge(cost, path);
          const position = indexNode(scope);
          if (typeof position !== 'number' || !Number.isInteger(position)) {
            throw new ScriptError('TypeError', 'std.arg: index must be an integer', path);
          }
          return scope.callArgs()[position] ?? null;
        };
      }
      case 'std.args':
        return (scope) => {
          this.charge(1, path);
          return scope.callArgs().slice();
        };
      case 'std.quote': {
        const quoted = literalNode(node[1]);
        return (scope) => {
          this.charge(2, path);
          return quoted(scope);
        };
      }
      case 'std.try':
        return this.compileTry(node, path);
      case 'and':
      case 'or':
      case 'nullish':
        return this.compileShortCircuit(node, path, head);
      case 'guard': {
        const { nodes, cost } = this.compileArgs(node, path);
        const [condition, value] = nodes as [CompiledNode, CompiledNode];
        return (scope) => {
          this.charge(cost, path);
          const test = condition(scope);
          if (test instanceof Promise)
            return test.then((resolved) => (truthy(resolved) ? value(scope) : null));
          return truthy(test) ? value(scope) : null;
        };
      }
      case 'obj.new':
        return this.compileObject(node, path);
    }
    const native = this.opcodes.native.get(head);
    if (native) return this.compileNative(native, node, path);
    const external = this.opcodes.external.get(head);
    if (external) return this.compileExternal(external, node, path);
    throw new ScriptError('UnknownOpcode', `unknown opcode '${head}'`, path);
  }

  private compileSeq(node: unknown[], path: ScriptPath): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
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
      this.charge(cost, path);
      const scope = scoped ? new Scope(outer) : outer;
      let last: unknown = null;
      for (let index = 0; index < count; index++) {
        last = nodes[index]!(scope);
        if (last instanceof Promise) return runFrom(scope, index, last);
      }
      return last;
    };
  }

  private compileIf(node: unknown[], path: ScriptPath): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
    const [condition, whenTrue, whenFalse] = nodes as [
      CompiledNode,
      CompiledNode,
      CompiledNode | undefined,
    ];
    const branch = (test: unknown, scope: Scope): unknown =>
      truthy(test) ? whenTrue(scope) : whenFalse ? whenFalse(scope) : null;
    return (scope) => {
      this.charge(cost, path);
      const test = condition(scope);
      return test instanceof Promise
        ? test.then((resolved) => branch(resolved, scope))
        : branch(test, scope);
    };
  }

  private compileWhile(node: unknown[], path: ScriptPath): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
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
        const test = pendingCondition ? await pendingCondition : await condition(scope);
        pendingCondition = undefined;
        if (!truthy(test)) return null;
        this.charge(1, path);
        try {
          await body(scope);
        } catch (error) {
          if (error === BREAK) return null;
          if (error !== CONTINUE) throw error;
        }
      }
    };
    return (scope) => {
      this.charge(cost, path);
      for (;;) {
        const test = condition(scope);
        if (test instanceof Promise) return finishAsync(scope, test);
        if (!truthy(test)) return null;
        // Each iteration costs gas even when the body is empty (no free infinite loops).
        this.charge(1, path);
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

  private compileFor(node: unknown[], path: ScriptPath): CompiledNode {
    const name = node[1] as string;
    const { nodes, cost } = this.compileArgs(node, path, 2);
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
              this.charge(1, path);
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
        this.charge(1, path);
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
      this.charge(cost + 1, path);
      const items = listNode(scope);
      return items instanceof Promise
        ? items.then((resolved) => iterate(resolved, scope))
        : iterate(items, scope);
    };
  }

  private compileBinding(node: unknown[], path: ScriptPath, declare: boolean): CompiledNode {
    const name = node[1] as string;
    const { nodes, cost } = this.compileArgs(node, path, 2);
    const value = nodes[0]!;
    const bind = (scope: Scope, resolved: unknown): unknown => {
      if (declare) scope.declare(name, resolved);
      else scope.assign(name, resolved, path);
      return resolved;
    };
    return (scope) => {
      this.charge(cost + 1, path);
      const result = value(scope);
      return result instanceof Promise
        ? result.then((resolved) => bind(scope, resolved))
        : bind(scope, result);
    };
  }

  private compileLambda(node: unknown[], path: ScriptPath): CompiledNode {
    const params = node[1] as string[];
    const bodySource = node[2];
    const body = isLiteral(bodySource)
      ? literalNode(bodySource)
      : this.compile(bodySource as unknown[], [...path, 2]);
    const stackCost = nestingDepth(bodySource) + 1;
    const state = this.state;
    return (closure) => {
      this.charge(2 + params.length, path);
      return new ScriptFunction(params, (args, callPath) => {
        if (
          state.depth >= state.limits.maxDepth ||
          state.stackUnits + stackCost > state.limits.maxStack
        ) {
          // Two limits: the configured call depth, and nesting units (call depth weighted by
          // how deeply each body nests) that keep the host stack safe whatever maxDepth says.
          const reason =
            state.depth >= state.limits.maxDepth
              ? `${state.limits.maxDepth} nested calls`
              : `${state.depth} nested calls use up the interpreter's stack budget`;
          throw new ScriptError('DepthExceeded', `call depth exceeded (${reason})`, callPath);
        }
        state.depth++;
        state.stackUnits += stackCost;
        const frame = new Scope(closure, args);
        for (let index = 0; index < params.length; index++)
          frame.declare(params[index]!, args[index] ?? null);
        const leave = () => {
          state.depth--;
          state.stackUnits -= stackCost;
        };
        const fail = (error: unknown): unknown => {
          leave();
          if (error instanceof ReturnSignal) return error.value;
          if (error === BREAK || error === CONTINUE) {
            throw new ScriptError(
              'InvalidScript',
              'std.break/std.continue used outside a loop in a lambda',
              path,
            );
          }
          const scriptError = toScriptError(error, callPath);
          if (scriptError.trace.length < 32)
            scriptError.trace.push(
              `in lambda defined at [${path.join(',')}], called at [${callPath.join(',')}]`,
            );
          throw scriptError;
        };
        let result: unknown;
        try {
          result = body(frame);
        } catch (error) {
          return fail(error);
        }
        if (result instanceof Promise) {
          return result.then((resolved) => {
            leave();
            return resolved;
          }, fail);
        }
        leave();
        return result;
      });
    };
  }

  private compileApply(node: unknown[], path: ScriptPath): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
    const call = (values: unknown[]): unknown => {
      const [fn, ...args] = values;
      if (!(fn instanceof ScriptFunction))
        throw new ScriptError(
          'TypeError',
          'std.apply: the first argument must be a function (std.lambda)',
          path,
        );
      return fn.invoke(args, path);
    };
    return (scope) => {
      this.charge(cost, path);
      const values = evaluateArgs(nodes, scope);
      return values instanceof Promise ? values.then(call) : call(values);
    };
  }

  private compileTry(node: unknown[], path: ScriptPath): CompiledNode {
    const bodySource = node[1];
    const body = isLiteral(bodySource)
      ? literalNode(bodySource)
      : this.compile(bodySource as unknown[], [...path, 1]);
    const variable = typeof node[2] === 'string' ? node[2] : null;
    const handlerSource = node[3];
    const handler =
      handlerSource === undefined
        ? null
        : isLiteral(handlerSource)
          ? literalNode(handlerSource)
          : this.compile(handlerSource as unknown[], [...path, 3]);
    const recover = (error: unknown, scope: Scope): unknown => {
      if (error === BREAK || error === CONTINUE || error instanceof ReturnSignal) throw error;
      const scriptError = toScriptError(error, path);
      if (UNCATCHABLE.has(scriptError.code)) throw scriptError;
      if (!handler) return null;
      const frame = new Scope(scope);
      if (variable) {
        const value = emptyObject();
        value.code = scriptError.code;
        value.message = scriptError.message;
        value.path = scriptError.path;
        value.value = scriptError.value ?? null;
        frame.declare(variable, value);
      }
      return handler(frame);
    };
    return (scope) => {
      this.charge(1 + (variable ? 1 : 0), path);
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

  private compileShortCircuit(
    node: unknown[],
    path: ScriptPath,
    kind: 'and' | 'or' | 'nullish',
  ): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
    const stops = (value: unknown): boolean =>
      kind === 'and'
        ? !truthy(value)
        : kind === 'or'
          ? truthy(value)
          : value !== null && value !== undefined;
    const finishAsync = async (scope: Scope, start: number, pending: Promise<unknown>) => {
      let value = await pending;
      for (let index = start + 1; index < nodes.length && !stops(value); index++)
        value = await nodes[index]!(scope);
      return kind === 'nullish' && !stops(value) ? null : value;
    };
    return (scope) => {
      this.charge(cost, path);
      let value: unknown = null;
      for (let index = 0; index < nodes.length; index++) {
        value = nodes[index]!(scope);
        if (value instanceof Promise) return finishAsync(scope, index, value);
        if (stops(value)) return value;
      }
      return kind === 'nullish' ? null : value;
    };
  }

  private compileObject(node: unknown[], path: ScriptPath): CompiledNode {
    const keys: string[] = [];
    const values: CompiledNode[] = [];
    for (let index = 1; index < node.length; index++) {
      const pair = node[index] as [string, unknown];
      keys.push(pair[0]);
      values.push(
        isLiteral(pair[1])
          ? literalNode(pair[1])
          : this.compile(pair[1] as unknown[], [...path, index, 1]),
      );
    }
    const build = (resolved: unknown[]) => {
      const object = emptyObject();
      keys.forEach((key, index) => {
        object[key] = resolved[index];
      });
      return object;
    };
    return (scope) => {
      this.charge(1 + keys.length, path);
      const resolved = evaluateArgs(values, scope);
      return resolved instanceof Promise ? resolved.then(build) : build(resolved);
    };
  }

  private compileNative(opcode: NativeOpcode, node: unknown[], path: ScriptPath): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
    const state = this.state;
    const env: NativeEnv = {
      path,
      call: (fn, args) => fn.invoke(args, path),
      log: (level, message) => state.log(level, message, path),
    };
    const impl = opcode.impl;
    const invoke = (args: unknown[]): unknown => {
      let result: unknown;
      try {
        result = impl(args, env);
      } catch (error) {
        throw toScriptError(error, path);
      }
      if (result instanceof Promise)
        return result.catch((error: unknown) => Promise.reject(toScriptError(error, path)));
      return result;
    };
    return (scope) => {
      this.charge(cost, path);
      const args = evaluateArgs(nodes, scope);
      return args instanceof Promise ? args.then(invoke) : invoke(args);
    };
  }

  private compileExternal(
    opcode: OpcodeDefinition,
    node: unknown[],
    path: ScriptPath,
  ): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
    const state = this.state;
    const context: OpcodeContext = {
      host: state.host,
      signal: state.signal,
      path,
      log: (level, message) => state.log(level, message, path),
      callFunction: async (fn, args) => {
        if (!(fn instanceof ScriptFunction))
          throw new ScriptError('TypeError', 'expected a function (std.lambda)', path);
        return fn.invoke(args, path);
      },
    };
    const invoke = (args: unknown[]): unknown => {
      let result: unknown;
      try {
        result = opcode.eval(args, context);
      } catch (error) {
        throw toScriptError(error, path);
      }
      return result instanceof Promise ? state.awaitExternal(result, path) : result;
    };
    return (scope) => {
      this.charge(cost, path);
      const args = evaluateArgs(nodes, scope);
      return args instanceof Promise ? args.then(invoke) : invoke(args);
    };
  }
}

/** Evaluates argument nodes in order; a promise appears only if one of them awaited. */
function evaluateArgs(nodes: CompiledNode[], scope: Scope): unknown[] | Promise<unknown[]> {
  const count = nodes.length;
  const values = new Array<unknown>(count);
  for (let index = 0; index < count; index++) {
    const value = nodes[index]!(scope);
    if (value instanceof Promise) return finishArgs(nodes, scope, values, index, value);
    values[index] = value;
  }
  return values;
}

async function finishArgs(
  nodes: CompiledNode[],
  scope: Scope,
  values: unknown[],
  start: number,
  pending: Promise<unknown>,
): Promise<unknown[]> {
  values[start] = await pending;
  for (let index = start + 1; index < nodes.length; index++)
    values[index] = await nodes[index]!(scope);
  return values;
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

/** Array nesting depth of a node, computed without recursion. */
export function nestingDepth(node: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[node, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (!Array.isArray(current)) continue;
    if (depth > deepest) deepest = depth;
    for (const child of current) if (Array.isArray(child)) pending.push([child, depth + 1]);
  }
  return deepest;
}
