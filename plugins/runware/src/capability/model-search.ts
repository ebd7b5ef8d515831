import { type CapabilityCallContext, type CapabilityMethod, defineMethod, param } from '@viwo/core';
import type { RunwareModelInfo, RunwareModelsResult } from '@viwo/protocol';
import type { RunwareItem } from '../client/runware-messages.ts';
import { RunwarePluginError } from '../errors.ts';
import type { RunwareService } from '../runware-service.ts';
import { POPULAR_MODELS } from './runware-params.ts';

/** Longest search text sent to Runware, in characters. */
export const MAX_SEARCH_LENGTH = 200;
/** Most models one answer holds (Runware pages by `limit`; its default is 20). */
export const MAX_SEARCH_LIMIT = 100;
/** Deepest page offset accepted: far beyond any useful browsing, small enough to stay cheap. */
export const MAX_SEARCH_OFFSET = 10_000;
/** A search is a catalogue lookup: it should answer in seconds, whatever the image timeout. */
const SEARCH_TIMEOUT_MS = 20_000;
/** Longest AIR id kept; a longer one is dropped (a clipped AIR id would name another model). */
const MAX_AIR_LENGTH = 200;
/** Longest name kept (clipped with an ellipsis). */
const MAX_NAME_LENGTH = 200;
/** Longest architecture, category, type or version kept (clipped). */
const MAX_FACT_LENGTH = 64;

/** Runware's modelSearch fields → our option names, for Runware's refusals. */
const SEARCH_OPTION_NAMES: Readonly<Record<string, string>> = {
  search: 'search',
  limit: 'limit',
  offset: 'offset',
};

/** What {@link searchModels} is asked: checked text and page. */
export interface ModelSearchRequest {
  search?: string | undefined;
  limit: number;
  offset: number;
}

/** The built-in popular models as listed models. */
export function popularModelInfos(): RunwareModelInfo[] {
  return POPULAR_MODELS.map((model) => ({
    air: model.id,
    name: model.name,
    architecture: model.architecture,
    category: model.category,
    source: 'popular',
  }));
}

/**
 * Finds models: without a key, or without search text, the built-in popular list (nothing is
 * sent); otherwise Runware's `modelSearch` task on the plugin's own connection (its
 * authentication, reconnects, timeouts and frame limit). Errors never carry the API key.
 */
export async function searchModels(
  service: RunwareService,
  context: CapabilityCallContext,
  request: ModelSearchRequest,
): Promise<RunwareModelsResult> {
  const search = request.search?.trim() ?? '';
  if (search.length > MAX_SEARCH_LENGTH) {
    throw new RunwarePluginError(
      'refused',
      `the search text is ${search.length} characters long; at most ${MAX_SEARCH_LENGTH} are sent`,
      { param: 'options.search' },
    );
  }
  const keySet = await service.hasKey();
  if (!keySet || search === '') {
    const page = popularModelInfos().slice(request.offset, request.offset + request.limit);
    return { models: page, total: null, key_set: keySet };
  }
  try {
    const items = await service.client.run({
      task: { taskType: 'modelSearch', search, limit: request.limit, offset: request.offset },
      timeoutMs: Math.min(service.settings.taskTimeoutMs, SEARCH_TIMEOUT_MS),
      signal: context.signal,
      optionNames: SEARCH_OPTION_NAMES,
      onItem: () => true,
    });
    return { ...parseModelSearch(items[0]!, request.limit), key_set: true };
  } catch (error) {
    throw await service.scrub(error);
  }
}

/**
 * Reads a `modelSearch` answer (`{results: [...], totalResults}`) into at most `limit` models,
 * keeping only the fields we show, each clipped. An entry without a usable AIR id or name is
 * skipped; an answer without a results list is refused.
 */
export function parseModelSearch(
  item: RunwareItem,
  limit: number,
): { models: RunwareModelInfo[]; total: number | null } {
  if (!Array.isArray(item.results)) {
    throw new RunwarePluginError(
      'bad-response',
      'Runware answered badly: the modelSearch answer has no results list',
    );
  }
  const models: RunwareModelInfo[] = [];
  for (const entry of item.results) {
    if (models.length >= limit) break;
    const model = modelInfo(entry);
    if (model) models.push(model);
  }
  const total = item.totalResults;
  return {
    models,
    total: typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : null,
  };
}

function modelInfo(entry: unknown): RunwareModelInfo | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const record = entry as Record<string, unknown>;
  const air = record.air;
  if (typeof air !== 'string' || air.length === 0 || air.length > MAX_AIR_LENGTH) return null;
  if (/[\s\p{Cc}]/u.test(air)) return null;
  const name = clip(record.name, MAX_NAME_LENGTH) ?? air;
  const model: RunwareModelInfo = { air, name, source: 'search' };
  for (const key of ['architecture', 'category', 'type', 'version'] as const) {
    const value = clip(record[key], MAX_FACT_LENGTH);
    if (value !== undefined) model[key] = value;
  }
  return model;
}

/** A text field as display text: strings and numbers (versions may be numbers), clipped. */
function clip(value: unknown, max: number): string | undefined {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : undefined;
  const cleaned = text?.replace(/\p{Cc}+/gu, ' ').trim();
  if (!cleaned) return undefined;
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

/** The `searchModels` capability method (a catalogue lookup: no cost, no cloud-call slot). */
export function modelSearchMethods(service: RunwareService): Record<string, CapabilityMethod> {
  return {
    searchModels: defineMethod({
      label: 'Search models (Runware)',
      description:
        "Finds Runware models by name, tag or AIR id with Runware's modelSearch (spends no credits). Without search text, or without an API key, answers the built-in popular list and sends nothing",
      params: [
        param.object(
          {
            search: param.string({
              label: 'Search',
              description: `Name, tag or AIR id to look for (at most ${MAX_SEARCH_LENGTH} characters)`,
              optional: true,
            }),
            limit: param.integer({
              label: 'Limit',
              description: 'Most models in the answer',
              min: 1,
              max: MAX_SEARCH_LIMIT,
              default: 20,
            }),
            offset: param.integer({
              label: 'Offset',
              description: 'Models to skip (for the next page)',
              min: 0,
              max: MAX_SEARCH_OFFSET,
              default: 0,
            }),
          },
          {
            name: 'options',
            label: 'Options',
            description: 'Search text and page',
            optional: true,
          },
        ),
      ],
      returns:
        'object {models: [{air, name, architecture?, category?, type?, version?, source}], total, key_set}',
      run: (context, options) => searchModels(service, context, options),
    }),
  };
}
