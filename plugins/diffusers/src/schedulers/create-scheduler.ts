import { DdimScheduler } from './ddim-scheduler.ts';
import { DpmSolverScheduler } from './dpm-solver-scheduler.ts';
import { EulerAncestralScheduler } from './euler-ancestral-scheduler.ts';
import { EulerScheduler } from './euler-scheduler.ts';
import { LcmScheduler } from './lcm-scheduler.ts';
import type { Scheduler, SchedulerConfig } from './scheduler.ts';

/** Builds a scheduler for a model's config and a step count. */
export type SchedulerFactory = (config: SchedulerConfig, steps: number) => Scheduler;

/**
 * Sampler names offered in metadata. Other samplers (LCM) register through
 * {@link registerScheduler} so the capability enum grows with them.
 */
const FACTORIES = new Map<string, SchedulerFactory>([
  ['euler', (config, steps) => new EulerScheduler(config, steps)],
  ['euler_a', (config, steps) => new EulerAncestralScheduler(config, steps)],
  ['ddim', (config, steps) => new DdimScheduler(config, steps)],
  [
    'dpmpp_2m',
    (config, steps) => new DpmSolverScheduler({ ...config, use_karras_sigmas: false }, steps),
  ],
  [
    'dpmpp_2m_karras',
    (config, steps) => new DpmSolverScheduler({ ...config, use_karras_sigmas: true }, steps),
  ],
  ['lcm', (config, steps) => new LcmScheduler(config, steps)],
]);

/** A1111 sampler labels for the `parameters` PNG chunk. */
const A1111_NAMES: Record<string, string> = {
  euler: 'Euler',
  euler_a: 'Euler a',
  ddim: 'DDIM',
  dpmpp_2m: 'DPM++ 2M',
  dpmpp_2m_karras: 'DPM++ 2M Karras',
  lcm: 'LCM',
};

/** Adds (or replaces) a named scheduler, e.g. `lcm` from the LCM module. */
export function registerScheduler(name: string, factory: SchedulerFactory, a1111Name = name): void {
  FACTORIES.set(name, factory);
  A1111_NAMES[name] = a1111Name;
}

/** Names accepted by {@link createScheduler}, in registration order. */
export function schedulerNames(): string[] {
  return [...FACTORIES.keys()];
}

/** The A1111 `Sampler:` label for a scheduler name. */
export function a1111SamplerName(name: string): string {
  return A1111_NAMES[name] ?? name;
}

/** Creates the named scheduler; unknown names fail with the list of known ones. */
export function createScheduler(name: string, config: SchedulerConfig, steps: number): Scheduler {
  const factory = FACTORIES.get(name);
  if (!factory)
    throw new Error(`unknown scheduler '${name}' (known: ${schedulerNames().join(', ')})`);
  return factory(config, steps);
}
