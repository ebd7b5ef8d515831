import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One file of a hub repository listing. */
export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content, from the LFS pointer (large files). */
  sha256?: string;
  /** Git blob sha1 (small, non-LFS files). */
  gitOid?: string;
}

/** Connection settings for the hub. */
export interface HubOptions {
  /** Base URL (default `HF_ENDPOINT` or https://huggingface.co). */
  endpoint?: string;
  revision?: string;
  /** Bearer token (default `HF_TOKEN`). */
  token?: string;
  signal?: AbortSignal;
}

/** Pipeline folders we download; everything else in a repo (PyTorch weights, images) is skipped. */
const PIPELINE_FOLDERS = new Set([
  'text_encoder',
  'text_encoder_2',
  'unet',
  'vae_decoder',
  'vae_encoder',
  'tokenizer',
  'tokenizer_2',
  'scheduler',
  'controlnet',
]);
const PIPELINE_FILE =
  /^(model\.onnx|model\.onnx_data|[^/]+\.json|merges\.txt|vocab\.json|[^/]+\.onnx_data|weights\.pb)$/;

/** The hub base URL: option, then `HF_ENDPOINT`, then huggingface.co (no trailing slash). */
export function hubEndpoint(options: HubOptions = {}): string {
  return (options.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(
    /\/+$/,
    '',
  );
}

function headers(options: HubOptions, extra: Record<string, string> = {}): Record<string, string> {
  const token = options.token ?? process.env.HF_TOKEN;
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

/**
 * Lists a repo's files with sizes and hashes: the recursive tree API
 * (`/api/models/<id>/tree/<rev>?recursive=true`), falling back to `/api/models/<id>?blobs=true`.
 */
export async function listHubFiles(repoId: string, options: HubOptions = {}): Promise<HubFile[]> {
  validateRepoId(repoId);
  const base = hubEndpoint(options);
  const revision = options.revision ?? 'main';
  const treeUrl = `${base}/api/models/${repoId}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const tree = await fetch(treeUrl, { headers: headers(options), signal: options.signal }).catch(
    (error: Error) => {
      throw new Error(`cannot reach the model hub at ${base}: ${error.message}`);
    },
  );
  if (tree.ok) {
    const entries = (await tree.json()) as {
      type?: string;
      path?: string;
      size?: number;
      oid?: string;
      lfs?: { oid?: string; sha256?: string; size?: number };
    }[];
    if (!Array.isArray(entries)) throw new Error(`unexpected tree listing from ${treeUrl}`);
    return entries
      .filter((entry) => entry.type !== 'directory' && typeof entry.path === 'string')
      .map((entry) => ({
        path: entry.path!,
        size: entry.lfs?.size ?? entry.size ?? -1,
        ...(entry.lfs
          ? { sha256: entry.lfs.oid ?? entry.lfs.sha256 }
          : entry.oid
            ? { gitOid: entry.oid }
            : {}),
      }));
  }
  const infoUrl = `${base}/api/models/${repoId}?blobs=true`;
  const info = await fetch(infoUrl, { headers: headers(options), signal: options.signal });
  if (!info.ok) {
    throw new Error(
      `model '${repoId}' not found on ${base} (HTTP ${tree.status} for the tree, ${info.status} for the model info)`,
    );
  }
  const body = (await info.json()) as {
    siblings?: {
      rfilename?: string;
      size?: number;
      blobId?: string;
      lfs?: { sha256?: string; size?: number };
    }[];
  };
  return (body.siblings ?? [])
    .filter((sibling) => typeof sibling.rfilename === 'string')
    .map((sibling) => ({
      path: sibling.rfilename!,
      size: sibling.lfs?.size ?? sibling.size ?? -1,
      ...(sibling.lfs?.sha256
        ? { sha256: sibling.lfs.sha256 }
        : sibling.blobId
          ? { gitOid: sibling.blobId }
          : {}),
    }));
}

/** The files of an Optimum ONNX pipeline in a repo listing. */
export function selectPipelineFiles(files: HubFile[]): HubFile[] {
  return files.filter((file) => {
    if (file.path === 'model_index.json') return true;
    const [folder, name, ...rest] = file.path.split('/');
    return (
      rest.length === 0 &&
      name !== undefined &&
      PIPELINE_FOLDERS.has(folder!) &&
      PIPELINE_FILE.test(name)
    );
  });
}

/** Progress of one file download. */
export interface DownloadProgress {
  path: string;
  received: number;
  total: number;
}

/**
 * Downloads `<endpoint>/<repo>/resolve/<rev>/<file>` to `target`, resuming a previous partial
 * download (`target.part`) with an HTTP Range request, then checks size and hash before the
 * atomic rename. A server that ignores Range (answers 200) restarts the file from zero.
 */
export async function downloadHubFile(
  repoId: string,
  file: HubFile,
  target: string,
  options: HubOptions & { onProgress?: (progress: DownloadProgress) => void } = {},
): Promise<void> {
  const url = `${hubEndpoint(options)}/${repoId}/resolve/${encodeURIComponent(options.revision ?? 'main')}/${file.path}`;
  const partial = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  let offset = (await stat(partial).catch(() => undefined))?.size ?? 0;
  if (file.size >= 0 && offset > file.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  if (!(file.size >= 0 && offset === file.size)) {
    const response = await fetch(url, {
      headers: headers(options, offset > 0 ? { range: `bytes=${offset}-` } : {}),
      signal: options.signal,
    }).catch((error: Error) => {
      throw new Error(`download of ${file.path} failed: ${error.message}`);
    });
    if (response.status === 416 && offset > 0) {
      // Range past the end: the partial file is already complete; verified below.
    } else if (!response.ok || !response.body) {
      throw new Error(`download of ${file.path} failed: HTTP ${response.status} from ${url}`);
    } else {
      if (response.status !== 206 && offset > 0) {
        await writeFile(partial, new Uint8Array());
        offset = 0;
      } else if (offset === 0) await writeFile(partial, new Uint8Array());
      const total =
        file.size >= 0 ? file.size : offset + Number(response.headers.get('content-length') ?? 0);
      let received = offset;
      options.onProgress?.({ path: file.path, received, total });
      try {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await appendFile(partial, value);
          received += value.byteLength;
          options.onProgress?.({ path: file.path, received, total });
        }
      } catch (error) {
        throw new Error(
          `download of ${file.path} interrupted at ${received} of ${total} bytes (${(error as Error).message}); run the pull again to resume`,
        );
      }
    }
  }
  await verifyFile(partial, file);
  await rename(partial, target);
}

/** Checks a downloaded file's size and, when the listing has one, its sha256 / git blob sha1. */
export async function verifyFile(path: string, file: HubFile): Promise<void> {
  const size = (await stat(path)).size;
  if (file.size >= 0 && size !== file.size) {
    throw new Error(
      `${file.path}: size ${size} does not match the hub's ${file.size}; run the pull again to resume`,
    );
  }
  if (file.sha256) {
    const digest = await hashFile(path, 'sha256');
    if (digest !== file.sha256) {
      await rm(path, { force: true });
      throw new Error(
        `${file.path}: sha256 ${digest} does not match the hub's ${file.sha256}; the file was removed`,
      );
    }
  } else if (file.gitOid) {
    const digest = await hashFile(path, 'sha1', `blob ${size}\0`);
    if (digest !== file.gitOid) {
      await rm(path, { force: true });
      throw new Error(
        `${file.path}: git blob id ${digest} does not match the hub's ${file.gitOid}; the file was removed`,
      );
    }
  }
}

async function hashFile(path: string, algorithm: 'sha256' | 'sha1', prefix = ''): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Registry folder name for a hub repo id (`org/name` → `org--name`). */
export function modelIdForRepo(repoId: string): string {
  return repoId.replace('/', '--');
}

function validateRepoId(repoId: string): void {
  if (!/^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(repoId) || repoId.includes('..')) {
    throw new Error(`'${repoId}' is not a hub repository id like 'org/name'`);
  }
}

/** Joins a repo-relative path under a model folder, refusing paths that escape it. */
export function safeJoin(root: string, relative: string): string {
  if (
    relative.split('/').some((part) => part === '..' || part === '') ||
    relative.startsWith('/')
  ) {
    throw new Error(`refusing unsafe file path '${relative}' from the hub listing`);
  }
  return join(root, relative);
}
