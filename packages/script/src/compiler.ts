import {
  BREAK,
  CONTINUE,
  type CompiledNode,
  isLiteral,
  literalNode,
  type NodeCompiler,
  nestingDepth,
  ReturnSignal,
} from './compiled-node.ts';
import {
  compileFor,
  compileIf,
  compileSeq,
  compileShortCircuit,
  compileTry,
  compileWhile,
} from './control-flow.ts';
import type { EvaluationState } from './evaluation-state.ts';
import {
  allocatingOpcodes,
  allocationCost,
  type NativeEnv,
  type NativeOpcode,
} from './native-opcode.ts';
import type { OpcodeContext, OpcodeDefinition } from './opcode.ts';
import { Scope } from './scope.ts';
import { ScriptError, type ScriptPath, toScriptError } from './script-error.ts';
import { emptyObject, ScriptFunction, typeOf } from './values.ts';

/** Opcodes visible to one compilation. */
export interface OpcodeTable {
  native: ReadonlyMap<string, NativeOpcode>;
  external: ReadonlyMap<string, OpcodeDefinition>;
}

/**
 * Compiles a checked script into closures. The compiler trusts the checker (arity, opcode names,
 * literal names); `evaluate` always checks first.
 *
 * Invariant: a node's value is a promise only if an external opcode returned one somewhere below
 * it; every combinator below keeps evaluation order strictly sequential in both cases.
 */
export class Compiler implements NodeCompiler {
  constructor(
    readonly state: EvaluationState,
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

  /** Charges `cost` gas at `path`; the slow budget check runs only past `nextCheck`. */
  charge(cost: number, path: ScriptPath): void {
    const state = this.state;
    state.gas -= cost;
    if (state.gas < state.nextCheck) state.tick(path);
  }

  /** Compiles a call's arguments; literal arguments are folded into the caller's cost. */
  compileArgs(
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

  /** Compiles one call node, resolving its opcode now so running it needs no lookup. */
  compile(node: unknown[], path: ScriptPath): CompiledNode {
    const head = node[0] as string;
    switch (head) {
      case 'std.seq':
        return compileSeq(this, node, path);
      case 'std.if':
        return compileIf(this, node, path);
      case 'std.while':
        return compileWhile(this, node, path);
      case 'std.for':
        return compileFor(this, node, path);
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
        return compileTry(this, node, path);
      case 'and':
      case 'or':
      case 'nullish':
      case 'guard':
        return compileShortCircuit(this, node, path, head);
      case 'obj.new':
        return this.compileObject(node, path);
    }
    const native = this.opcodes.native.get(head);
    if (native) return this.compileNative(native, node, path);
    const external = this.opcodes.external.get(head);
    if (external) return this.compileExternal(external, node, path);
    throw new ScriptError('UnknownOpcode', `unknown opcode '${head}'`, path);
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

  /**
   * `obj.new` entries are `[key, value]` pairs; a key is a literal string or, as in the reference,
   * any expression that evaluates to a string (a computed key). Values are always evaluated.
   */
  private compileObject(node: unknown[], path: ScriptPath): CompiledNode {
    const keys: CompiledNode[] = [];
    const values: CompiledNode[] = [];
    for (let index = 1; index < node.length; index++) {
      const pair = node[index] as [unknown, unknown];
      const keyPath = [...path, index, 0];
      const keySource = pair[0];
      if (typeof keySource === 'string') keys.push(() => keySource);
      else {
        const keyNode = isLiteral(keySource)
          ? literalNode(keySource)
          : this.compile(keySource as unknown[], keyPath);
        keys.push((scope) => {
          const key = keyNode(scope);
          const check = (resolved: unknown) => {
            if (typeof resolved !== 'string') {
              throw new ScriptError(
                'TypeError',
                `obj.new: a computed key must be a string, got ${typeOf(resolved)}`,
                keyPath,
              );
            }
            return resolved;
          };
          return key instanceof Promise ? key.then(check) : check(key);
        });
      }
      values.push(
        isLiteral(pair[1])
          ? literalNode(pair[1])
          : this.compile(pair[1] as unknown[], [...path, index, 1]),
      );
    }
    const build = (resolved: unknown[]) => {
      const object = emptyObject();
      for (let index = 0; index < keys.length; index++) {
        object[resolved[index * 2] as string] = resolved[index * 2 + 1];
      }
      return object;
    };
    // Keys and values interleave so evaluation runs left to right, entry by entry.
    const parts: CompiledNode[] = [];
    for (let index = 0; index < keys.length; index++) parts.push(keys[index]!, values[index]!);
    return (scope) => {
      this.charge(1 + keys.length, path);
      const resolved = evaluateArgs(parts, scope);
      return resolved instanceof Promise ? resolved.then(build) : build(resolved);
    };
  }

  private compileNative(opcode: NativeOpcode, node: unknown[], path: ScriptPath): CompiledNode {
    const { nodes, cost } = this.compileArgs(node, path);
    const state = this.state;
    const env: NativeEnv = {
      path,
      call: (fn, args) => fn.invoke(args, path),
      callSync: (fn, args) => {
        state.syncOnly++;
        try {
          return fn.invoke(args, path);
        } finally {
          state.syncOnly--;
        }
      },
      log: (level, message) => state.log(level, message, path),
      charge: (units) => this.charge(units, path),
    };
    const impl = opcode.impl;
    const chargesBySize = allocatingOpcodes.has(opcode.metadata.opcode);
    const invoke = (args: unknown[]): unknown => {
      let result: unknown;
      try {
        result = impl(args, env);
      } catch (error) {
        throw toScriptError(error, path);
      }
      if (chargesBySize) this.charge(allocationCost(result), path);
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
      charge: (units) => this.charge(units, path),
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
