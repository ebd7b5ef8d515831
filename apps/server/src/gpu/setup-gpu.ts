import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CUDA_PROVIDER_FILES, describeFindings, diagnoseGpu } from './gpu-diagnosis.ts';

/** The npm package that ships a CUDA provider build, and the onnxruntime version it was built for. */
const NPM_GPU_PACKAGE = 'com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9';
const NPM_GPU_PACKAGE_ORT = '1.29.0';

const require = createRequire(import.meta.url);

/** onnxruntime-node's folder, version, and the real folder its native library loads from. */
export function onnxruntimeInstall(): { packageDir: string; version: string; binDir: string } {
  const packageJson = require.resolve('onnxruntime-node/package.json', {
    paths: [dirname(require.resolve('@viwo/onnx'))],
  });
  const packageDir = dirname(packageJson);
  const { version } = require(packageJson) as { version: string };
  const library = join(packageDir, 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime.so.1');
  // onnxruntime looks for provider libraries beside the library it loaded, after symlinks.
  const binDir = dirname(existsSync(library) ? realpathSync(library) : library);
  return { packageDir, version, binDir };
}

function providerInstalled(binDir: string): boolean {
  return CUDA_PROVIDER_FILES.every((file) => existsSync(join(binDir, file)));
}

/** onnxruntime-node's own installer (downloads the CUDA provider matching its version). */
function runOfficialInstaller(packageDir: string, log: (line: string) => void): boolean {
  log("trying onnxruntime-node's own installer (needs internet access)…");
  const result = spawnSync(process.execPath, [join(packageDir, 'script', 'install.js')], {
    cwd: packageDir,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
    encoding: 'utf8',
    timeout: 15 * 60 * 1000,
  });
  if (result.status !== 0) {
    const reason = (result.stderr || result.stdout || '').trim().split('\n').slice(-2).join(' ');
    log(`  the installer failed: ${reason || `exit ${result.status}`}`);
    return false;
  }
  return true;
}

/** The npm-only path: the provider files from an npm package built for one onnxruntime version. */
function installFromNpm(version: string, binDir: string, log: (line: string) => void): boolean {
  if (version !== NPM_GPU_PACKAGE_ORT) {
    log(
      `  the npm-only CUDA provider (${NPM_GPU_PACKAGE}) is built for onnxruntime ${NPM_GPU_PACKAGE_ORT}, but onnxruntime-node ${version} is installed; provider and runtime must match exactly, so it is not used`,
    );
    return false;
  }
  log(`trying the npm-only path (${NPM_GPU_PACKAGE})…`);
  const folder = mkdtempSync(join(tmpdir(), 'viwo-gpu-'));
  try {
    const pack = spawnSync('npm', ['pack', NPM_GPU_PACKAGE, '--silent'], {
      cwd: folder,
      encoding: 'utf8',
    });
    const tarball = pack.stdout.trim().split('\n').pop();
    if (pack.status !== 0 || !tarball) {
      log(`  npm pack failed: ${pack.stderr.trim() || `exit ${pack.status}`}`);
      return false;
    }
    spawnSync('tar', ['xzf', tarball], { cwd: folder });
    const found = findFiles(folder, new Set(CUDA_PROVIDER_FILES));
    for (const file of CUDA_PROVIDER_FILES) {
      const source = found.get(file);
      if (!source) {
        log(`  ${file} is not in ${NPM_GPU_PACKAGE}`);
        return false;
      }
      copyFileSync(source, join(binDir, file));
    }
    return true;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function findFiles(root: string, names: Set<string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && names.has(entry.name) && !found.has(entry.name)) {
      found.set(entry.name, join(entry.parentPath, entry.name));
    }
  }
  return found;
}

/** Runs the one-node CUDA session in a child process with VIWO_EP=cuda. */
export function cudaSmoke(): { ok: boolean; runMs?: number; error?: string } {
  const result = spawnSync(process.execPath, [join(import.meta.dirname, 'gpu-smoke.ts')], {
    env: { ...process.env, VIWO_EP: 'cuda' },
    encoding: 'utf8',
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as { ok: boolean; runMs?: number; error?: string };
  } catch {
    return { ok: false, error: (result.stderr || line || `exit ${result.status}`).trim() };
  }
}

/**
 * `viwo setup gpu [--check]`: installs the CUDA execution provider for the pinned onnxruntime-node
 * (its own installer first, then the npm-only path), then proves it with a one-node smoke session
 * on CUDA; on failure prints exactly what is missing. `--check` skips the install step.
 */
export async function setupCommand(args: string[]): Promise<number> {
  const log = (line: string) => console.log(line);
  if (args[0] !== 'gpu' || args.slice(1).some((arg) => arg !== '--check')) {
    console.error('usage: viwo setup gpu [--check]');
    return 2;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(
      `the CUDA provider is set up on Linux x64 only (this is ${process.platform}/${process.arch})`,
    );
    return 1;
  }
  const { packageDir, version, binDir } = onnxruntimeInstall();
  log(`onnxruntime-node ${version} at ${binDir}`);
  if (!args.includes('--check')) {
    if (providerInstalled(binDir)) log('CUDA provider files already installed');
    else if (!runOfficialInstaller(packageDir, log) || !providerInstalled(binDir)) {
      installFromNpm(version, binDir, log);
    }
  }
  const smoke = cudaSmoke();
  if (smoke.ok) {
    log(`CUDA smoke session ran (${smoke.runMs?.toFixed(2)} ms): start with VIWO_EP=cuda`);
    return 0;
  }
  console.error(`CUDA smoke session failed: ${smoke.error}`);
  const lines = describeFindings(diagnoseGpu(binDir));
  for (const line of lines) console.error(line);
  if (lines.length === 0)
    console.error("no missing file found; the error above is onnxruntime's own");
  console.error('until then, models run on the CPU (VIWO_EP=cpu)');
  return 1;
}
