/**
 * `viwo run` answers a repeated seeded generation from the result cache; `--no-cache` runs it.
 * The proof: after the cache entry is made to name another stored image, a cached run answers that
 * image while `--no-cache` computes the real one.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'viwo-cli-cache-'));
const data = join(work, 'data');
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const generate = (seed: number) => [
  'std.call_method',
  ['get_capability', 'diffusers.generate'],
  'textToImage',
  'a lighthouse',
  { seed, steps: 2, width: 64, height: 64 },
];

function run(seed: number, ...flags: string[]): string {
  return runScript(generate(seed), ...flags);
}

function runScript(json: unknown, ...flags: string[]): string {
  const script = JSON.stringify(json);
  const result = Bun.spawnSync([process.execPath, cli, 'run', '-', ...flags], {
    env: { ...process.env, VIWO_DATA: data },
    stdin: new TextEncoder().encode(script),
  });
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return (JSON.parse(result.stdout.toString()) as { $image: string }).$image;
}

describe('viwo run result cache', () => {
  test('repeats come from the cache; --no-cache runs the model', () => {
    const other = run(2);
    const cacheDir = join(data, 'result-cache');
    for (const file of readdirSync(cacheDir)) rmSync(join(cacheDir, file));
    const real = run(1);
    expect(real).not.toBe(other);
    const [entryFile] = readdirSync(cacheDir);
    const entryPath = join(cacheDir, entryFile!);
    const entry = JSON.parse(readFileSync(entryPath, 'utf8')) as { result: { $image: string } };
    expect(entry.result.$image).toBe(real);
    writeFileSync(
      entryPath,
      JSON.stringify({ ...entry, result: { ...entry.result, $image: other } }),
    );
    expect(run(1)).toBe(other);
    expect(run(1, '--no-cache')).toBe(real);
  });

  test('an ESRGAN upscale repeats from the cache; --no-cache runs it', () => {
    const source = run(3);
    const upscale = [
      'std.call_method',
      ['get_capability', 'upscale'],
      'upscale',
      generate(3),
      { model: 'esrgan-slim', factor: 2 },
    ];
    const real = runScript(upscale);
    const cacheDir = join(data, 'result-cache');
    const entryPath = readdirSync(cacheDir)
      .map((file) => join(cacheDir, file))
      .find((path) => readFileSync(path, 'utf8').includes(real))!;
    const entry = JSON.parse(readFileSync(entryPath, 'utf8')) as { result: { $image: string } };
    writeFileSync(
      entryPath,
      JSON.stringify({ ...entry, result: { ...entry.result, $image: source } }),
    );
    expect(runScript(upscale)).toBe(source);
    expect(runScript(upscale, '--no-cache')).toBe(real);
  });
});
