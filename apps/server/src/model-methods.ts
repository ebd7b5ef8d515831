import {
  invalidParams,
  type RpcContext,
  type RpcMethodTable,
  typedMethodTable,
  withJobSlot,
} from '@viwo/core/rpc';
import type { ModelSummary } from '@viwo/protocol';

const MODELS = ['get_capability', 'models'];

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw invalidParams(name, 'must be a non-empty string');
  return value;
}

/**
 * `models.list`, `models.pull {repo, revision?}` and `models.delete {id}` (ARCHITECTURE.md "More
 * workbench contracts"), served through the `models` capability the session holds. `pull` runs
 * as a job — `job.progress` per downloaded chunk, `job.cancel` stops it, a rerun resumes — and
 * answers like `execute_script` (`{job_id, result, …}`, the result being the installed model).
 */
export function modelRpcMethods(): RpcMethodTable<RpcContext> {
  return typedMethodTable<RpcContext, 'models.list' | 'models.pull' | 'models.delete'>({
    // The models capability answers ModelSummary values (plugins/diffusers models-capability.ts).
    'models.list': async (_params, { session }) =>
      (await session.callMethod(session.getCapability('models'), 'list', [])) as ModelSummary[],
    'models.pull': async (params, context) => {
      const repo = requiredString(params.repo, 'repo');
      const revision = params.revision;
      if (revision !== undefined && typeof revision !== 'string') {
        throw invalidParams('revision', 'must be a string');
      }
      return withJobSlot(context, async () => {
        const job = await context.session.executeScript([
          'std.call_method',
          MODELS,
          'pull',
          repo,
          revision === undefined ? {} : { revision },
        ]);
        return { ...job, result: job.result as ModelSummary };
      });
    },
    'models.delete': async (params, { session }) =>
      (await session.callMethod(session.getCapability('models'), 'delete', [
        requiredString(params.id, 'id'),
      ])) as { ok: boolean },
  });
}
