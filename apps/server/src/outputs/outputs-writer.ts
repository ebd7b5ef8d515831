import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FinishedJob, Runtime } from '@viwo/core';
import { outputDateFolder, outputFileName, outputUserFolder } from './output-file-name.ts';
import { readOutputsFolder, reason } from './outputs-folder.ts';

/** Where the writer reports a failed write server-side (default: stderr). */
export type OutputsLogger = (line: string) => void;

/**
 * Writes every image of each job that ended `done` into the outputs folder (when one is set):
 * `<folder>/[<user>/]<YYYY-MM-DD>/<HHMMSS>-<seed>-<hash8>.png`, the stored bytes exactly (so the
 * workflow chunks come along and the file re-imports). Runs after the job's reply (the runtime's
 * job-finished event), so it never delays or fails a job: a failure is logged server-side and
 * added to the job's logs. Queue-mode jobs end in the same job manager, so their results (stored
 * by workers through `POST /images`) are written too. Returns the function that detaches it.
 *
 * Failed, cancelled and interrupted jobs are not written: the folder holds finished results only.
 */
export function attachOutputsWriter(
  runtime: Runtime,
  logger: OutputsLogger = (line) => console.error(line),
): () => void {
  return runtime.onJobFinished(async (job) => {
    if (job.status !== 'done' || job.images.length === 0) return;
    const folder = await readOutputsFolder(runtime.dataDir);
    if (folder === null) return;
    await writeJobOutputs(runtime, job, folder, logger);
  });
}

async function writeJobOutputs(
  runtime: Runtime,
  job: FinishedJob,
  folder: string,
  logger: OutputsLogger,
): Promise<void> {
  const ended = new Date(job.ended);
  const relativeDir = [
    ...(job.user ? [outputUserFolder(job.user.name)] : []),
    outputDateFolder(ended),
  ].join('/');
  const written: string[] = [];
  const failed: string[] = [];
  for (const image of job.images) {
    let name = `${image.$image.slice(0, 8)}.png`;
    try {
      const bytes = await runtime.images.getPng(image.$image);
      name = outputFileName(bytes, image.$image, ended);
      await writeAtomically(join(folder, relativeDir), name, bytes);
      written.push(name);
    } catch (error) {
      failed.push(name);
      logger(
        `[outputs] job ${job.jobId}: could not write ${relativeDir}/${name}: ${reason(error)}`,
      );
    }
  }
  // The job's own log names files relative to the folder: a user need not learn server paths.
  if (written.length > 0) {
    job.log(
      'info',
      `saved to the outputs folder: ${written.map((n) => `${relativeDir}/${n}`).join(', ')}`,
    );
  }
  if (failed.length > 0) {
    job.log(
      'warn',
      `could not save ${failed.length} of ${job.images.length} images to the outputs folder (the server's log says why)`,
    );
  }
}

/** Writes to a temporary name, then renames: a file in the folder is never half-written. */
async function writeAtomically(directory: string, name: string, bytes: Uint8Array): Promise<void> {
  await mkdir(directory, { recursive: true });
  // Unique per write: two jobs ending in the same second with the same image share `name`.
  const temporary = join(directory, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, join(directory, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
