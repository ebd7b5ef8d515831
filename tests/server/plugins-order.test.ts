import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '@viwo/core';
import { loadPlugins } from '../../apps/server/src/plugins.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'viwo-plugins-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('the installed plugins load, and upscale offers its hybrid mode over diffusers', async () => {
  const runtime = await createRuntime({ dataDir, plugins: await loadPlugins() });
  try {
    expect(runtime.health().plugins.map((plugin) => [plugin.name, plugin.status])).toEqual([
      ['canvas', 'ok'],
      ['diffusers', 'ok'],
      ['upscale', 'ok'],
      ['refine', 'ok'],
      ['runware', 'ok'],
    ]);
    const upscale = runtime.capabilityMetadata().find((entry) => entry.type === 'upscale')!;
    expect(upscale.methods.map((method) => method.name)).toContain('upscaleHybrid');
  } finally {
    await runtime.dispose();
  }
}, 120_000);
