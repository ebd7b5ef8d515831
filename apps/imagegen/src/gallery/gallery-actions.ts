/**
 * Pure script edits behind the gallery's actions: placing a history image as a new layer of the
 * shared script, and re-running a job with the seeds it really used.
 */
import { record } from '@viwo/canvas';
import {
  type CapabilityMetadata,
  type HistoryEntry,
  type ImageValue,
  recordedCallsFromScript,
} from '@viwo/protocol';

export type { HistoryEntry } from '@viwo/protocol';

/** The steps of a script as a `std.seq` body (a non-seq script becomes its only step). */
function steps(script: unknown): unknown[] {
  if (Array.isArray(script) && script[0] === 'std.seq') return script.slice(1);
  return script === null || script === undefined ? [] : [script];
}

/**
 * Appends a raster layer holding `image` to the script (Layer Mode replays it as a layer).
 * `layerId` must be unique in the script; the caller derives it from the image hash.
 */
export function appendImageLayer(
  script: unknown,
  image: ImageValue,
  layerId: string,
  name: string,
): unknown {
  return [
    'std.seq',
    ...steps(script),
    record.createLayer(layerId, name, 'raster'),
    record.loadImage(
      layerId,
      { $image: image.$image, width: image.width, height: image.height },
      0,
      0,
    ),
  ];
}

/** A layer id not used by any `canvas.layer.create` in the script. */
export function freshLayerId(script: unknown, base: string): string {
  const used = new Set<string>();
  const visit = (node: unknown) => {
    if (!Array.isArray(node)) return;
    if (node[0] === 'canvas.layer.create' && typeof node[1] === 'string') used.add(node[1]);
    for (const child of node) visit(child);
  };
  visit(script);
  let id = base;
  for (let counter = 2; used.has(id); counter++) id = `${base}-${counter}`;
  return id;
}

function seededMethods(capabilities: readonly CapabilityMetadata[]): Set<string> {
  const names = new Set<string>();
  for (const capability of capabilities) {
    for (const method of capability.methods) {
      const options = method.params.find((param) => param.type === 'object' && param.fields);
      if (options?.fields?.some((field) => field.name === 'seed'))
        names.add(`${capability.type}.${method.name}`);
    }
  }
  return names;
}

/**
 * The script with each seeded generation call pinned to the seed history recorded for it, in
 * script order (a call with `batch_size: n` used n consecutive seeds and gets the first).
 * Calls on handles that cannot be resolved statically are matched by method name.
 */
export function withRecordedSeeds(
  script: unknown,
  seeds: readonly number[],
  capabilities: readonly CapabilityMetadata[],
): unknown {
  const seeded = seededMethods(capabilities);
  const seededNames = new Set([...seeded].map((key) => key.slice(key.lastIndexOf('.') + 1)));
  let next = 0;
  const bindings = new Map<string, string>();
  const typeOf = (handle: unknown): string | undefined => {
    if (Array.isArray(handle) && handle[0] === 'get_capability' && typeof handle[1] === 'string')
      return handle[1];
    if (Array.isArray(handle) && handle[0] === 'std.var' && typeof handle[1] === 'string')
      return bindings.get(handle[1]);
    return undefined;
  };
  const rewrite = (node: unknown): unknown => {
    if (!Array.isArray(node) || node[0] === 'std.quote') return node;
    if (node[0] === 'std.let' && typeof node[1] === 'string') {
      const type = typeOf(node[2]);
      if (type) bindings.set(node[1], type);
    }
    const copy = node.map((child, index) => (index === 0 ? child : rewrite(child)));
    if (copy[0] !== 'std.call_method' || typeof copy[2] !== 'string' || next >= seeds.length)
      return copy;
    const type = typeOf(copy[1]);
    const isSeeded = type ? seeded.has(`${type}.${copy[2]}`) : seededNames.has(copy[2]);
    if (!isSeeded) return copy;
    const last = copy[copy.length - 1];
    const hasOptions =
      copy.length > 4 && last !== null && typeof last === 'object' && !Array.isArray(last);
    const options = hasOptions ? { ...(last as Record<string, unknown>) } : {};
    const batch =
      typeof options.batch_size === 'number' && options.batch_size > 1 ? options.batch_size : 1;
    options.seed = seeds[next]!;
    next += batch;
    if (hasOptions) copy[copy.length - 1] = options;
    else copy.push(options);
    return copy;
  };
  return rewrite(script);
}

/**
 * The prompt of an entry (first text argument of its first recorded call), for display. The
 * server fills an interrupted job's calls from its script when it restarts; an entry stored
 * before it did (or a job that failed before its first call) is read from its script here, with
 * the same shared reading.
 */
export function entryPrompt(entry: HistoryEntry): string | undefined {
  const calls =
    entry.params.length > 0 ? entry.params : recordedCallsFromScript(entry.script).calls;
  for (const call of calls) {
    const text = call.args.find((arg) => typeof arg === 'string');
    if (typeof text === 'string') return text;
  }
  return undefined;
}

/** The seeds of an entry: recorded ones, else the `seed` options written in its script. */
export function entrySeeds(entry: HistoryEntry): number[] {
  if (entry.seeds.length > 0) return entry.seeds;
  return recordedCallsFromScript(entry.script).seeds;
}
