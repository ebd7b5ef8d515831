// A separate process for the CUDA smoke session: a provider that fails to load can leave
// onnxruntime in a state the parent should not inherit. Prints one JSON line.
import { smokeSession } from '@viwo/onnx';

try {
  const { runMs } = await smokeSession('cuda');
  console.log(JSON.stringify({ ok: true, runMs }));
} catch (error) {
  console.log(
    JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
  process.exitCode = 1;
}
