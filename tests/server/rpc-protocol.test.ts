import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { TestRpcClient } from './rpc-client.ts';
import { startTestServer, type TestServer } from './server-harness.ts';

let harness: TestServer;
let client: TestRpcClient;

beforeAll(async () => {
  harness = await startTestServer();
  client = await TestRpcClient.connect(harness.wsUrl);
});
afterAll(async () => {
  client.close();
  await harness.stop();
});

describe('JSON-RPC 2.0 conformance', () => {
  test('metadata methods', async () => {
    const opcodes = await client.call<{ opcode: string }[]>('get_opcodes');
    const names = opcodes.map((entry) => entry.opcode);
    for (const name of [
      'std.seq',
      'get_capability',
      'std.call_method',
      'mint',
      'delegate',
      'canvas.draw_stroke',
    ])
      expect(names).toContain(name);
    const capabilities =
      await client.call<{ type: string; methods: { name: string }[] }[]>('get_capability_metadata');
    expect(
      capabilities.find((entry) => entry.type === 'test')?.methods.map((method) => method.name),
    ).toContain('render');
  });
  test('parse error, invalid requests, unknown and prototype method names', async () => {
    client.send('{"jsonrpc": "2.0", "method": ');
    expect(
      (
        (await client.waitFor((message) => (message.error as { code?: number })?.code === -32700))
          .error as { code: number }
      ).code,
    ).toBe(-32700);
    expect(
      ((await client.request('x', undefined)) as { error?: { code: number } }).error?.code,
    ).toBe(-32601);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(((await client.request(name)).error as { code: number }).code).toBe(-32601);
    }
    client.send({ jsonrpc: '1.0', id: 'v', method: 'get_opcodes' });
    expect(
      ((await client.waitFor((message) => message.id === 'v')).error as { code: number }).code,
    ).toBe(-32600);
    client.send({ jsonrpc: '2.0', id: 'p', method: 'get_opcodes', params: 5 });
    expect(
      ((await client.waitFor((message) => message.id === 'p')).error as { code: number }).code,
    ).toBe(-32600);
    client.send({ jsonrpc: '2.0', id: { bad: true }, method: 'get_opcodes' });
    expect(
      (
        (
          await client.waitFor(
            (message) =>
              message.id === null &&
              (message.error as { message: string })?.message.includes("'id'"),
          )
        ).error as { code: number }
      ).code,
    ).toBe(-32600);
  });
  test('batches: empty, mixed, all notifications', async () => {
    client.send([]);
    const empty = await client.waitFor(
      (message) =>
        (message.error as { message?: string })?.message === 'invalid request: empty batch',
    );
    expect(Array.isArray(empty)).toBe(false);
    const before = client.messages.length;
    client.send([
      { jsonrpc: '2.0', id: 'b1', method: 'execute_script', params: { script: ['+', 1, 2] } },
      { jsonrpc: '2.0', method: 'get_opcodes' },
      { jsonrpc: '2.0', id: 'b2', method: 'nope' },
      17,
    ]);
    const batch = (await client.waitFor(
      (message) =>
        Array.isArray(message) &&
        (message as unknown as { id: string }[]).some((entry) => entry.id === 'b1'),
    )) as unknown as Record<string, unknown>[];
    expect(batch).toHaveLength(3);
    expect(batch.find((entry) => entry.id === 'b1')?.result).toMatchObject({ result: 3 });
    expect(batch.find((entry) => entry.id === 'b2')?.error).toMatchObject({ code: -32601 });
    expect(
      batch.some((entry) => (entry.error as { code: number } | undefined)?.code === -32600),
    ).toBe(true);
    client.send([
      { jsonrpc: '2.0', method: 'get_opcodes' },
      { jsonrpc: '2.0', method: 'job.list' },
    ]);
    await Bun.sleep(200);
    expect(client.messages.slice(before).filter((message) => Array.isArray(message))).toHaveLength(
      1,
    );
  });
  test('invalid params name the parameter; script errors carry code, message and path', async () => {
    const missing = await client.request('execute_script', {});
    expect((missing.error as { code: number; message: string }).code).toBe(-32602);
    expect((missing.error as { message: string }).message).toContain("'script'");
    const gas = await client.request('execute_script', { script: 1, gas: -5 });
    expect((gas.error as { message: string }).message).toContain("'gas'");
    const scriptError = await client.request('execute_script', {
      script: ['std.seq', 1, ['+', 1, 'x']],
    });
    expect(scriptError.error).toMatchObject({
      code: -32000,
      data: { code: 'TypeError', path: [2] },
    });
    const invalid = await client.request('execute_script', {
      script: ['std.seq', [1, 2], ['nope']],
    });
    expect((invalid.error as { data: { code: string; errors: unknown[] } }).data.code).toBe(
      'InvalidScript',
    );
    const parse = await client.request('execute_script', { script: '(std.seq (+ 1 2)' });
    expect((parse.error as { data: { code: string } }).data.code).toBe('ParseError');
  });
  test('script size and depth limits refuse before running', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 1000; level++) deep = ['+', deep, 1];
    expect(
      ((await client.request('execute_script', { script: deep })).error as { code: number }).code,
    ).toBe(-32602);
    const huge = ['str.len', 'x'.repeat(2 * 1024 * 1024)];
    expect(
      ((await client.request('execute_script', { script: huge })).error as { message: string })
        .message,
    ).toContain('bytes');
  });
  test('msgpack binary frames get binary answers', async () => {
    const response = await client.request(
      'execute_script',
      { script: ['list.new', 1, 'two'] },
      true,
    );
    expect((response.result as { result: unknown }).result).toEqual([1, 'two']);
  });
  test('notifications get no reply', async () => {
    const before = client.messages.length;
    client.send({ jsonrpc: '2.0', method: 'get_opcodes' });
    client.send({ jsonrpc: '2.0', method: 'no_such_method' });
    await Bun.sleep(200);
    // Server notifications (job.done of earlier jobs) may arrive; replies may not.
    expect(client.messages.slice(before).filter((message) => 'id' in message)).toEqual([]);
  });
  test('the server survives garbage and keeps answering', async () => {
    for (const junk of [
      '',
      'null',
      '[[[[',
      '{"jsonrpc":"2.0","id":1,"method":"execute_script","params":{"script":{"__proto__":{"x":1}}}}',
      '\u0000\u0001',
    ])
      client.send(junk);
    client.send(new Uint8Array([0xc1, 0xff, 0x00]), false);
    expect(
      (await client.call<{ result: number }>('execute_script', { script: ['*', 6, 7] })).result,
    ).toBe(42);
  });
});
