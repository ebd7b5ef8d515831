import {
  invalidParams,
  methodTable,
  type RpcContext,
  RpcError,
  RpcErrorCode,
  type RpcMethodTable,
} from '@viwo/core/rpc';

const MODELS = ['get_capability', 'models'];

function objectParams(raw: unknown, method: string): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RpcError(RpcErrorCode.InvalidParams, `invalid params: ${method} takes an object`);
  }
  return raw as Record<string, unknown>;
}

function requiredString(params: Record<string, unknown>, name: string): string {
  const value = params[name];
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
  return methodTable<RpcContext>({
    'models.list': async (_raw, { session }) =>
      session.callMethod(session.getCapability('models'), 'list', []),
    'models.pull': async (raw, context) => {
      const params = objectParams(raw, 'models.pull');
      const repo = requiredString(params, 'repo');
      const revision = params.revision;
      if (revision !== undefined && typeof revision !== 'string') {
        throw invalidParams('revision', 'must be a string');
      }
      if (context.runningJobs >= context.limits.maxConcurrentJobs) {
        throw new RpcError(RpcErrorCode.ScriptError, 'too many running jobs on this connection', {
          code: 'TooManyJobs',
          message: `at most ${context.limits.maxConcurrentJobs} jobs may run at once per connection`,
          path: [],
        });
      }
      context.runningJobs++;
      try {
        return await context.session.executeScript([
          'std.call_method',
          MODELS,
          'pull',
          repo,
          revision === undefined ? {} : { revision },
        ]);
      } finally {
        context.runningJobs--;
      }
    },
    'models.delete': async (raw, { session }) =>
      session.callMethod(session.getCapability('models'), 'delete', [
        requiredString(objectParams(raw, 'models.delete'), 'id'),
      ]),
  });
}
