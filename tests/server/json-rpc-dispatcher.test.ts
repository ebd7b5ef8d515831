import { describe, expect, test } from 'bun:test';
import {
  dispatchRpc,
  invalidParams,
  methodTable,
  RpcErrorCode,
  type RpcResponse,
} from '@viwo/core/rpc';
import { ScriptError } from '@viwo/script';
import fc from 'fast-check';

/** A fake method table: the dispatcher is transport- and runtime-neutral, so none is needed. */
const calls: unknown[] = [];
const table = methodTable<{ principal: string }>({
  echo: (params) => params,
  whoami: (_params, context) => context.principal,
  nothing: () => undefined,
  record: (params) => {
    calls.push(params);
    return null;
  },
  needs_name: () => {
    throw invalidParams('name', 'must be a string');
  },
  script_fails: () => {
    throw new ScriptError('TypeError', 'expected a number', [2, 1]);
  },
  crashes: () => {
    throw new Error('database is locked');
  },
});
const context = { principal: 'tester' };

function single(answer: RpcResponse | RpcResponse[] | null): RpcResponse {
  if (answer === null || Array.isArray(answer)) throw new Error('expected one response');
  return answer;
}

function errorOf(answer: RpcResponse): { code: number; message: string; data?: unknown } {
  if (!('error' in answer)) throw new Error(`expected an error, got ${JSON.stringify(answer)}`);
  return answer.error;
}

describe('dispatchRpc over a fake method table', () => {
  test('requests get their result with the same id; the context reaches the handler', async () => {
    expect(
      await dispatchRpc(
        { jsonrpc: '2.0', id: 7, method: 'echo', params: { a: 1 } },
        table,
        context,
      ),
    ).toEqual({ jsonrpc: '2.0', id: 7, result: { a: 1 } });
    expect(
      await dispatchRpc({ jsonrpc: '2.0', id: 'x', method: 'whoami' }, table, context),
    ).toEqual({ jsonrpc: '2.0', id: 'x', result: 'tester' });
    // `undefined` is not JSON; a handler returning nothing answers `null`.
    expect(
      await dispatchRpc({ jsonrpc: '2.0', id: null, method: 'nothing' }, table, context),
    ).toEqual({ jsonrpc: '2.0', id: null, result: null });
  });

  test('notifications run but get no reply, even when they fail or are unknown', async () => {
    calls.length = 0;
    expect(
      await dispatchRpc({ jsonrpc: '2.0', method: 'record', params: [1] }, table, context),
    ).toBe(null);
    expect(calls).toEqual([[1]]);
    expect(await dispatchRpc({ jsonrpc: '2.0', method: 'crashes' }, table, context)).toBe(null);
    expect(await dispatchRpc({ jsonrpc: '2.0', method: 'no_such' }, table, context)).toBe(null);
  });

  test('batches: empty is one -32600, answers come as an array, all-notification is silent', async () => {
    const empty = single(await dispatchRpc([], table, context));
    expect(errorOf(empty).code).toBe(RpcErrorCode.InvalidRequest);
    expect(empty.id).toBe(null);

    const mixed = await dispatchRpc(
      [
        { jsonrpc: '2.0', id: 1, method: 'echo', params: [1] },
        { jsonrpc: '2.0', method: 'record', params: [2] },
        1,
        { jsonrpc: '2.0', id: 2, method: 'no_such' },
      ],
      table,
      context,
    );
    expect(Array.isArray(mixed)).toBe(true);
    const answers = mixed as RpcResponse[];
    expect(answers.map((answer) => answer.id)).toEqual([1, null, 2]);
    expect(answers[0]).toEqual({ jsonrpc: '2.0', id: 1, result: [1] });
    expect(errorOf(answers[1] as RpcResponse).code).toBe(RpcErrorCode.InvalidRequest);
    expect(errorOf(answers[2] as RpcResponse).code).toBe(RpcErrorCode.MethodNotFound);

    const silent = await dispatchRpc(
      [
        { jsonrpc: '2.0', method: 'record' },
        { jsonrpc: '2.0', method: 'echo' },
      ],
      table,
      context,
    );
    expect(silent).toBe(null);
  });

  test('malformed requests are -32600 naming the field', async () => {
    const cases: [unknown, string][] = [
      ['a string', 'object'],
      [{ jsonrpc: '1.0', id: 1, method: 'echo' }, 'jsonrpc'],
      [{ id: 1, method: 'echo' }, 'jsonrpc'],
      [{ jsonrpc: '2.0', id: 1, method: 5 }, 'method'],
      [{ jsonrpc: '2.0', id: { x: 1 }, method: 'echo' }, 'id'],
      [{ jsonrpc: '2.0', id: 1, method: 'echo', params: 'p' }, 'params'],
    ];
    for (const [request, field] of cases) {
      const error = errorOf(single(await dispatchRpc(request, table, context)));
      expect(error.code).toBe(RpcErrorCode.InvalidRequest);
      expect(error.message).toContain(field);
    }
  });

  test('prototype names are unknown methods, not inherited functions', async () => {
    for (const method of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const error = errorOf(
        single(await dispatchRpc({ jsonrpc: '2.0', id: 1, method }, table, context)),
      );
      expect(error.code).toBe(RpcErrorCode.MethodNotFound);
      expect(error.message).toContain(method);
    }
  });

  test('handler errors map to -32602, -32000 with script data, and -32603 without a stack', async () => {
    const params = errorOf(
      single(await dispatchRpc({ jsonrpc: '2.0', id: 1, method: 'needs_name' }, table, context)),
    );
    expect(params.code).toBe(RpcErrorCode.InvalidParams);
    expect(params.message).toContain("'name'");

    const script = errorOf(
      single(await dispatchRpc({ jsonrpc: '2.0', id: 2, method: 'script_fails' }, table, context)),
    );
    expect(script.code).toBe(RpcErrorCode.ScriptError);
    expect(script.data).toMatchObject({
      code: 'TypeError',
      message: 'expected a number',
      path: [2, 1],
    });

    const internal = errorOf(
      single(await dispatchRpc({ jsonrpc: '2.0', id: 3, method: 'crashes' }, table, context)),
    );
    expect(internal.code).toBe(RpcErrorCode.InternalError);
    expect(internal.message).toContain('database is locked');
    expect(JSON.stringify(internal)).not.toContain('    at ');
  });

  test('property: any JSON value gets a well-formed answer or none, and never rejects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (message) => {
        const answer = await dispatchRpc(message, table, context);
        const answers = answer === null ? [] : Array.isArray(answer) ? answer : [answer];
        for (const response of answers) {
          expect(response.jsonrpc).toBe('2.0');
          expect('result' in response !== 'error' in response).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
