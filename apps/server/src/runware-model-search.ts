import { invalidParams, type RpcContext, RpcError, RpcErrorCode } from '@viwo/core/rpc';
import { MAX_SEARCH_LENGTH, MAX_SEARCH_LIMIT, MAX_SEARCH_OFFSET } from '@viwo/plugin-runware';
import type { RunwareModelsResult, UncheckedParams } from '@viwo/protocol';
import type { SearchBudget } from './search-budget.ts';

const PARAMS = ['search', 'limit', 'offset'] as const;

function integerParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidParams(name, `must be an integer from ${min} to ${max}`);
  }
  if (value < min || value > max) {
    throw invalidParams(name, `must be from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * `settings.runware.models {search?, limit?, offset?}` → {@link RunwareModelsResult}. Params are
 * checked here, each error naming its param; the lookup itself is the `runware` capability's
 * `searchModels`, so it runs in this server process on the plugin's own Runware connection (the
 * key never leaves the server). Any user may call it: a search spends no credits. Without a key,
 * or without search text, the answer is the built-in popular list and nothing is sent. Searches
 * with text are held to `budget` per principal (see search-budget.ts).
 */
export async function runwareModels(
  params: UncheckedParams<'settings.runware.models'>,
  context: RpcContext,
  budget: SearchBudget,
): Promise<RunwareModelsResult> {
  for (const key of Object.keys(params)) {
    if (!(PARAMS as readonly string[]).includes(key)) {
      throw invalidParams(key, `is not a parameter (expected ${PARAMS.join(', ')})`);
    }
  }
  const search = params.search;
  if (search !== undefined && typeof search !== 'string') {
    throw invalidParams('search', 'must be a string');
  }
  if (typeof search === 'string' && search.trim().length > MAX_SEARCH_LENGTH) {
    throw invalidParams('search', `must be at most ${MAX_SEARCH_LENGTH} characters`);
  }
  const limit = integerParam(params.limit, 'limit', 1, MAX_SEARCH_LIMIT);
  const offset = integerParam(params.offset, 'offset', 0, MAX_SEARCH_OFFSET);
  const { session } = context;
  if (typeof search === 'string' && search.trim() !== '') {
    const waitMs = budget.take(session.principal.id, Date.now());
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new RpcError(RpcErrorCode.ScriptError, 'too many model searches', {
        code: 'TooManyRequests',
        message: `at most ${budget.perWindow} Runware model searches a minute; try again in ${seconds} s`,
        path: [],
      });
    }
  }
  const options = {
    ...(search === undefined ? {} : { search }),
    ...(limit === undefined ? {} : { limit }),
    ...(offset === undefined ? {} : { offset }),
  };
  return (await session.callMethod(session.getCapability('runware'), 'searchModels', [
    options,
  ])) as RunwareModelsResult;
}
