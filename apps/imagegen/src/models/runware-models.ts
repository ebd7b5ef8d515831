import type { RunwareModelInfo, RunwareModelsParams, RunwareModelsResult } from '@viwo/protocol';
import { AIR_ID } from '../layer/runware-backend.ts';

/** Typing pauses this long before a search starts (Enter searches at once). */
export const SEARCH_DEBOUNCE_MS = 400;
/** Models one search lists. */
export const SEARCH_LIMIT = 20;
/** Longest search text the server accepts. */
export const MAX_SEARCH_TEXT = 200;

/** Params of `settings.runware.models` for what is typed: no search text means the popular list. */
export function searchParams(text: string): RunwareModelsParams {
  const search = text.trim().slice(0, MAX_SEARCH_TEXT);
  return search === '' ? { limit: SEARCH_LIMIT } : { search, limit: SEARCH_LIMIT };
}

/** One line of what Runware says about a model: architecture · category · version. */
export function modelFacts(model: RunwareModelInfo): string {
  const facts = [model.architecture, model.type === 'base' ? undefined : model.type];
  facts.push(model.category, model.version === undefined ? undefined : `v${model.version}`);
  return facts.filter((fact): fact is string => fact !== undefined && fact !== '').join(' · ');
}

/**
 * Why "Use" cannot put this model in Layer Mode's model field, or null when it can: the field
 * takes a base model (a checkpoint) by an AIR id Layer Mode accepts.
 */
export function useBlockedReason(model: RunwareModelInfo): string | null {
  if (!AIR_ID.test(model.air)) {
    return `${model.air} is not an AIR id Layer Mode accepts (like runware:101@1)`;
  }
  if (model.category !== undefined && model.category !== 'checkpoint') {
    return `a ${model.category} is not a base model: Layer Mode's model field takes a checkpoint`;
  }
  return null;
}

/** What the list shows, in words: popular models, or how many matched a search. */
export function resultSummary(result: RunwareModelsResult, search: string | undefined): string {
  if (search === undefined) return 'Popular models';
  const shown = result.models.length;
  if (shown === 0) return `No Runware model matches “${search}”`;
  const total = result.total ?? shown;
  const models = total === 1 ? 'model matches' : 'models match';
  return total > shown
    ? `${total} ${models} “${search}” (first ${shown})`
    : `${total} ${models} “${search}”`;
}

/**
 * Latest-wins bookkeeping for overlapping searches: each search takes a ticket, and only the
 * newest ticket's answer (or error) may be shown, so a slow early answer never replaces a later
 * one.
 */
export class LatestOnly {
  private newest = 0;

  /** A ticket for a search starting now. */
  next(): number {
    this.newest += 1;
    return this.newest;
  }

  /** Whether the search holding `ticket` is still the newest. */
  isCurrent(ticket: number): boolean {
    return ticket === this.newest;
  }
}
