import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cudaFallbackMessage, probeExecutionProvider } from '@viwo/onnx';
import {
  classifyMissingLibraries,
  describeFindings,
} from '../../apps/server/src/gpu/gpu-diagnosis.ts';
import { cli, runCli, watch } from './support/queue-harness.ts';

/**
 * The CPU side of GPU support, on this machine without CUDA: asking for CUDA gives a clear
 * message and CPU sessions, and health reports what plugins really run on.
 */
describe('CUDA requested where it is missing', () => {
  test('the provider probe falls back to CPU and says why and what to run', async () => {
    const probe = await probeExecutionProvider('cuda');
    expect(probe.requested).toBe('cuda');
    expect(probe.actual).toBe('cpu');
    expect(probe.reason).toMatch(/cuda/i);
    expect(cudaFallbackMessage(probe.reason!)).toContain('bun run viwo setup gpu');
    expect(await probeExecutionProvider('cpu')).toEqual({ requested: 'cpu', actual: 'cpu' });
  });

  test('ldd findings are split into CUDA, cuDNN and other libraries', () => {
    const ldd = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibcublasLt.so.12 => not found',
      '\tlibcudnn.so.9 => not found',
      '\tlibcudart.so.12 => not found',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f)',
      '\tlibweird.so.1 => not found',
    ].join('\n');
    const found = classifyMissingLibraries(ldd);
    expect(found).toEqual({
      missingCudaLibraries: ['libcublasLt.so.12', 'libcudart.so.12'],
      missingCudnnLibraries: ['libcudnn.so.9'],
      otherMissing: ['libweird.so.1'],
    });
    const lines = describeFindings({ driver: undefined, missingProviderFiles: [], ...found });
    expect(lines[0]).toContain('missing: NVIDIA driver');
    expect(lines.join('\n')).toContain(
      'missing: CUDA libraries libcublasLt.so.12, libcudart.so.12',
    );
    expect(lines.join('\n')).toContain('missing: cuDNN libraries libcudnn.so.9');
  });

  test('`viwo setup gpu --check` fails naming what is missing here', async () => {
    const { code, output } = await runCli(['setup', 'gpu', '--check']);
    expect(code).toBe(1);
    expect(output).toContain('CUDA smoke session failed');
    expect(output).toContain('missing: NVIDIA driver');
    expect(output).toContain('missing: onnxruntime CUDA provider files');
    expect(output).toContain('models run on the CPU');
    expect(output).not.toContain('    at ');
  }, 60_000);

  test('`viwo serve` with VIWO_EP=cuda prints and reports the provider plugins really use', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'viwo-cuda-'));
    const serve = watch([cli, 'serve', '--port', '0'], { VIWO_DATA: dataDir, VIWO_EP: 'cuda' });
    try {
      const banner = await serve.until(/listening on (http:\/\/\S+)/);
      expect(banner).toContain('plugin diffusers: execution provider cpu');
      expect(banner).toContain('plugin upscale: execution provider cpu');
      expect(banner).toMatch(
        /VIWO_EP=cuda asked for the CUDA execution provider, but it is unavailable/,
      );
      const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
      const health = (await (await fetch(`${url}/health`)).json()) as {
        execution_provider: string;
        plugins: { name: string; execution_provider?: string }[];
      };
      expect(health.execution_provider).toBe('cpu');
      const byName = Object.fromEntries(health.plugins.map((p) => [p.name, p.execution_provider]));
      expect(byName).toMatchObject({ diffusers: 'cpu', upscale: 'cpu' });
      expect(byName.canvas).toBeUndefined();
    } finally {
      await serve.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
