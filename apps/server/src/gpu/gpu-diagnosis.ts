import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The provider libraries onnxruntime-node needs beside its own for CUDA. */
export const CUDA_PROVIDER_FILES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
];

/** What a failed CUDA smoke session comes down to, one finding per line. */
export interface GpuFindings {
  driver: string | undefined;
  missingProviderFiles: string[];
  missingCudaLibraries: string[];
  missingCudnnLibraries: string[];
  otherMissing: string[];
}

/**
 * Splits `ldd` output's "not found" lines into CUDA toolkit libraries, cuDNN libraries and the
 * rest, so the user is told exactly which package to install.
 */
export function classifyMissingLibraries(
  lddOutput: string,
): Pick<GpuFindings, 'missingCudaLibraries' | 'missingCudnnLibraries' | 'otherMissing'> {
  const missing = new Set<string>();
  for (const line of lddOutput.split('\n')) {
    const match = /^\s*(\S+)\s*=>\s*not found/.exec(line);
    if (match) missing.add(match[1]!);
  }
  const findings = {
    missingCudaLibraries: [] as string[],
    missingCudnnLibraries: [] as string[],
    otherMissing: [] as string[],
  };
  for (const name of [...missing].sort()) {
    if (/^libcudnn/.test(name)) findings.missingCudnnLibraries.push(name);
    else if (/^lib(cu|nv)/.test(name)) findings.missingCudaLibraries.push(name);
    else findings.otherMissing.push(name);
  }
  return findings;
}

/** The NVIDIA kernel driver's version line, or undefined when no driver is loaded. */
export function nvidiaDriver(procFile = '/proc/driver/nvidia/version'): string | undefined {
  if (!existsSync(procFile)) return undefined;
  const first = readFileSync(procFile, 'utf8').split('\n')[0] ?? '';
  return first.trim() || 'loaded';
}

/** Inspects the machine and onnxruntime-node's binary folder for what CUDA needs. */
export function diagnoseGpu(binDir: string): GpuFindings {
  const missingProviderFiles = CUDA_PROVIDER_FILES.filter(
    (file) => !existsSync(join(binDir, file)),
  );
  let libraries: ReturnType<typeof classifyMissingLibraries> = {
    missingCudaLibraries: [],
    missingCudnnLibraries: [],
    otherMissing: [],
  };
  const provider = join(binDir, 'libonnxruntime_providers_cuda.so');
  if (existsSync(provider)) {
    const ldd = spawnSync('ldd', [provider], { encoding: 'utf8' });
    libraries = classifyMissingLibraries(`${ldd.stdout ?? ''}\n${ldd.stderr ?? ''}`);
  }
  return { driver: nvidiaDriver(), missingProviderFiles, ...libraries };
}

/** Human lines saying exactly what is missing, each with what to do about it. */
export function describeFindings(findings: GpuFindings): string[] {
  const lines: string[] = [];
  if (!findings.driver) {
    lines.push(
      'missing: NVIDIA driver (no /proc/driver/nvidia/version): install the NVIDIA driver for your GPU',
    );
  }
  if (findings.missingProviderFiles.length > 0) {
    lines.push(
      `missing: onnxruntime CUDA provider files ${findings.missingProviderFiles.join(', ')}: run \`bun run viwo setup gpu\` on a machine that can download them`,
    );
  }
  if (findings.missingCudaLibraries.length > 0) {
    lines.push(
      `missing: CUDA libraries ${findings.missingCudaLibraries.join(', ')}: install the CUDA toolkit runtime whose version they name and add its lib64 folder to LD_LIBRARY_PATH`,
    );
  }
  if (findings.missingCudnnLibraries.length > 0) {
    lines.push(
      `missing: cuDNN libraries ${findings.missingCudnnLibraries.join(', ')}: install cuDNN 9 for your CUDA version`,
    );
  }
  if (findings.otherMissing.length > 0) {
    lines.push(`missing: other libraries ${findings.otherMissing.join(', ')}`);
  }
  return lines;
}
