/**
 * Type-level test of the RPC contract, checked by `bun run typecheck` (tsc) and never run: each
 * `@ts-expect-error` line must fail to compile (tsc reports an unused directive otherwise), and
 * the lines without one must compile. Together they prove that a wrong method name, a wrong or
 * missing param, or a wrong result type is a compile error on the server and on the client.
 */
import type { RpcContext } from '@viwo/core/rpc';
import { type TypedRpcHandlers, typedMethodTable } from '@viwo/core/rpc';
import type { JobResult, Template } from '@viwo/protocol';
import type { RpcLike } from '../../apps/imagegen/src/blocks/workbench-api.ts';
import type { RpcClient } from '../../apps/imagegen/src/rpc/rpc-client.ts';

/** Server side: handlers are checked against the protocol map. */
export function serverHandlers(): void {
  typedMethodTable<RpcContext, 'templates.delete' | 'job.list'>({
    'templates.delete': (params) => ({ ok: typeof params.id === 'string' }),
    'job.list': (_params, { session }) => session.listJobs(),
  });

  typedMethodTable<RpcContext, 'templates.delete'>({
    // @ts-expect-error the result must be {ok: boolean}, not a bare boolean
    'templates.delete': () => true,
  });

  typedMethodTable<RpcContext, 'history.get'>({
    // @ts-expect-error 'idd' is not a declared param of history.get
    'history.get': (params, { runtime }) => runtime.history.get(String(params.idd)),
  });

  // @ts-expect-error 'templates.remove' is not a protocol method
  typedMethodTable<RpcContext, 'templates.remove'>({});

  const partial: Partial<TypedRpcHandlers<RpcContext>> = {
    // @ts-expect-error get_opcodes answers opcode metadata, not a string
    get_opcodes: () => 'opcodes',
  };
  void partial;
}

/** Client side: `call` and `on` are typed from the same map. */
export async function clientCalls(client: RpcClient, like: RpcLike): Promise<void> {
  const result: JobResult = await client.call('execute_script', { script: ['+', 1, 2] });
  const templates: Template[] = await client.call('templates.list');
  const created: number = (await client.call('templates.get', { id: 'x' })).created;
  await like.call('job.cancel', { job_id: 'job_1' });
  const found: boolean = (await like.call('settings.runware.models', { search: 'xl' })).key_set;
  void [result, templates, created, found];
  // @ts-expect-error settings.runware.models' limit is a number
  await like.call('settings.runware.models', { limit: '20' });

  // @ts-expect-error 'execute' is not a protocol method
  await client.call('execute', { script: 1 });
  // @ts-expect-error execute_script needs its params
  await client.call('execute_script');
  // @ts-expect-error 'scirpt' is not a param of execute_script
  await client.call('execute_script', { scirpt: 1 });
  // @ts-expect-error gas is a number
  await client.call('execute_script', { script: 1, gas: 'lots' });
  // @ts-expect-error get_opcodes takes no params
  await client.call('get_opcodes', { verbose: true });
  // @ts-expect-error history.favorite's value is a boolean
  await like.call('history.favorite', { id: 'h', value: 'yes' });
  // @ts-expect-error templates.delete answers {ok}, not a template
  const wrong: Template = await client.call('templates.delete', { id: 'x' });
  void wrong;

  client.on('job.progress', (params) => params.fraction.toFixed(2));
  // @ts-expect-error job.done carries no fraction
  client.on('job.done', (params) => params.fraction);
  // @ts-expect-error the server sends no 'connection.open' notification
  client.on('connection.open', () => {});
}
