import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Runtime } from '@viwo/core';
import { createDiffusersPlugin } from '../src/diffusers-plugin.ts';
import { diffusersModelsRoot } from '../src/models/model-registry.ts';
import { writeModelFolder } from '../src/tiny-models/tiny-model-files.ts';
import { tinySdModelFiles } from '../src/tiny-models/tiny-sd-model.ts';

let dataDir: string;
let runtime: Runtime;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-live-metadata-'));
  runtime = await createRuntime({ dataDir, plugins: [createDiffusersPlugin()] });
});
afterAll(async () => {
  await runtime.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

const modelOptions = () =>
  runtime
    .capabilityMetadata()
    .find((capability) => capability.type === 'diffusers.generate')!
    .methods[0]!.params[1]!.fields!.find((field) => field.name === 'model_id')!.options;

test('a model pulled while the server runs is usable by name and then offered in metadata', async () => {
  expect(modelOptions()).not.toContain('pulled');
  // As `viwo models pull` in another process: the folder appears, the server has not rescanned.
  await writeModelFolder(join(diffusersModelsRoot(dataDir), 'pulled'), tinySdModelFiles('sd15'));
  const session = runtime.openSession({ id: 'local', local: true });
  const handle = session.getCapability('diffusers.generate');
  const image = await session.callMethod(handle, 'textToImage', [
    'a cat',
    { model_id: 'pulled', steps: 1, width: 64, height: 64, seed: 1 },
  ]);
  expect(image).toMatchObject({ width: 64, height: 64 });
  // Metadata is derived on every request, so the client now sees it (it was fixed at load before).
  expect(modelOptions()).toContain('pulled');
});
