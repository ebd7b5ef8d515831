import { createSignal } from 'solid-js';
import type { GenerationPlan } from './generation.ts';

/** Where Layer Mode generates: the local capabilities or the Runware cloud. */
export type Backend = 'local' | 'runware';

const STORAGE_KEY = 'viwo.imagegen.runware';
/** Default model when the user picked none: FLUX.1 [dev] on Runware. */
export const DEFAULT_RUNWARE_MODEL = 'runware:101@1';
/**
 * A Runware AIR id: `source:model@version`. Older ids are numeric (`runware:101@1`,
 * `civitai:4384@128713`); newer ones may name the model and version (`bfl:flux-kontext@1.1`).
 */
export const AIR_ID = /^[a-z0-9_-]+:[a-z0-9_.-]+@[a-z0-9_.-]+$/i;
const RECENT_KEPT = 8;

interface Stored {
  backend: Backend;
  model: string;
  recent: string[];
}

function load(): Stored {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Stored>;
    return {
      backend: parsed.backend === 'runware' ? 'runware' : 'local',
      model: typeof parsed.model === 'string' ? parsed.model : DEFAULT_RUNWARE_MODEL,
      recent: Array.isArray(parsed.recent)
        ? parsed.recent.filter((id): id is string => typeof id === 'string' && AIR_ID.test(id))
        : [],
    };
  } catch {
    return { backend: 'local', model: DEFAULT_RUNWARE_MODEL, recent: [] };
  }
}

const [stored, setStored] = createSignal<Stored>(load());
const [sessionCost, setSessionCost] = createSignal(0);
const [lastImageCost, setLastImageCost] = createSignal<number | null>(null);

function save(next: Stored): void {
  setStored(next);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
}

/** The chosen backend (remembered in this browser). */
export const backend = () => stored().backend;
/** The Runware model (AIR id) the generate panel uses. */
export const runwareModel = () => stored().model;
/** Recently used AIR ids, newest first. */
export const recentModels = () => stored().recent;
/** What this browser session's Runware calls cost, in US dollars. */
/** The cost of one image of the latest Runware generation (null before any). */
export { lastImageCost, sessionCost };

/** Switches the backend. */
export function setBackend(next: Backend): void {
  save({ ...stored(), backend: next });
}

/** Sets the model field (any text; checked as an AIR id when generating). */
export function setRunwareModel(model: string): void {
  save({ ...stored(), model: model.trim() });
}

/** Remembers a model as recently used (after a successful generation). */
function rememberModel(model: string): void {
  const recent = [model, ...stored().recent.filter((id) => id !== model)].slice(0, RECENT_KEPT);
  save({ ...stored(), recent });
}

/** Adds a finished generation's reported cost to the session total and the per-image figure. */
export function recordCost(outcome: { cost?: unknown; images?: unknown[] }): void {
  if (typeof outcome.cost !== 'number' || !Number.isFinite(outcome.cost)) return;
  setSessionCost(sessionCost() + outcome.cost);
  setLastImageCost(outcome.cost / Math.max(1, outcome.images?.length ?? 1));
  rememberModel(runwareModel());
}

/** Dollars for display: small amounts keep their significant digits. */
export function formatUsd(amount: number): string {
  return amount >= 0.1 ? `$${amount.toFixed(2)}` : `$${amount.toFixed(4)}`;
}

/** Local capability types whose methods `runware` mirrors with the same arguments. */
const MIRRORED = new Set(['diffusers.generate', 'diffusers.inpaint', 'upscale']);
/** Option keys a local plan may carry that mean nothing to Runware (local scheduler names). */
const LOCAL_ONLY = new Set(['scheduler', 'prompt_2', 'negative_prompt_2', 'max_compute']);

/**
 * The plan for the Runware backend: the same calls with the capability type switched to
 * `runware` and the model set to the chosen AIR id — what a template does to switch backends.
 * ControlNet from control layers stays local (Runware needs ControlNet models by AIR id).
 */
export function toRunwarePlan(plan: GenerationPlan, model: string): GenerationPlan {
  if (!AIR_ID.test(model)) {
    throw new Error(`"${model}" is not a Runware model id: use an AIR id like runware:101@1`);
  }
  const convert = (node: unknown): unknown => {
    if (!Array.isArray(node)) return node;
    if (node[0] === 'get_capability' && typeof node[1] === 'string') {
      if (node[1] === 'controlnet.generate') {
        throw new Error('ControlNet layers generate locally only; switch the backend to Local');
      }
      return MIRRORED.has(node[1]) ? ['get_capability', 'runware'] : node;
    }
    if (node[0] !== 'std.call_method') return node.map(convert);
    const converted = node.map(convert);
    const last = converted[converted.length - 1];
    const method = converted[2];
    if (method === 'upscale' || typeof last !== 'object' || last === null || Array.isArray(last)) {
      return converted;
    }
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(last)) if (!LOCAL_ONLY.has(key)) options[key] = value;
    options.model_id = model;
    return [...converted.slice(0, -1), options];
  };
  return {
    ...plan,
    script: convert(plan.script),
    expressions: plan.expressions.map((expression) => convert(expression)),
  };
}
