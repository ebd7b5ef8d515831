import { createRuntime, type Runtime } from '@viwo/core';
import { QueueEvents } from 'bullmq';
import { loadPlugins } from '../../../apps/server/src/plugins.ts';

/** `diffusers.generate.textToImage` as a script. */
export function generate(options: Record<string, unknown>, prompt = 'a red cat'): unknown[] {
  return [
    'std.call_method',
    ['get_capability', 'diffusers.generate'],
    'textToImage',
    prompt,
    options,
  ];
}

/** A generation, then an ESRGAN upscale of it: two device calls in one job. */
export function generateThenUpscale(options: Record<string, unknown>): unknown[] {
  return [
    'std.seq',
    ['std.let', 'small', generate(options)],
    ['std.call_method', ['get_capability', 'upscale'], 'upscale', ['std.var', 'small'], {}],
  ];
}

/** The same plugins as the server, in this process: the in-process reference for byte equality. */
export async function referenceRuntime(dataDir: string): Promise<Runtime> {
  return createRuntime({ dataDir, plugins: await loadPlugins() });
}

/** Listens to one BullMQ queue's events, as an outside observer of what workers do. */
export function observeQueue(redisUrl: string, plugin: string): QueueEvents {
  const { hostname, port } = new URL(redisUrl);
  const events = new QueueEvents(plugin, {
    connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null },
    prefix: 'viwo',
  });
  events.on('error', () => {});
  return events;
}

/** Resolves with the first event `name` whose arguments satisfy `predicate`. */
export function nextEvent<T extends Record<string, unknown>>(
  events: QueueEvents,
  name: 'waiting' | 'active' | 'failed' | 'completed' | 'progress' | 'removed',
  predicate: (args: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (args: T) => {
      if (!predicate(args)) return;
      events.off(name, listener as never);
      resolve(args);
    };
    events.on(name, listener as never);
  });
}
