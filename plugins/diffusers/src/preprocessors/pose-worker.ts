/**
 * Worker-thread side of the pose preprocessor: TF.js (and the Emscripten runtime of its WASM
 * backend, which installs process-wide handlers) lives here, never on the server's event loop.
 * Messages: `{id, data, width, height, channels, minConfidence}` in, `{id, result}` or
 * `{id, error}` out.
 */
import { parentPort } from 'node:worker_threads';
import { PosePreprocessor } from './pose-preprocessor.ts';

interface PoseRequest {
  id: number;
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  minConfidence: number;
}

const port = parentPort;
if (!port) throw new Error('pose-worker.ts must run in a worker thread');
let model: Promise<PosePreprocessor> | undefined;

port.on('message', async (request: PoseRequest) => {
  try {
    model ??= PosePreprocessor.load();
    const pose = await model;
    const { data, width, height, channels, minConfidence } = request;
    const result = await pose.run({ data, width, height, channels }, minConfidence);
    port.postMessage({ id: request.id, result, backend: pose.backend }, [
      result.image.data.buffer as ArrayBuffer,
    ]);
  } catch (error) {
    port.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
