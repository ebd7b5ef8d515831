import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectPipelineFiles } from '../src/models/hub-download.ts';
import { ModelRegistry } from '../src/models/model-registry.ts';
import { modelsCommand } from '../src/models/models-command.ts';
import { tinySdModelFiles } from '../src/tiny-models/tiny-sd-model.ts';

/**
 * A local stand-in for the Hugging Face hub speaking its API shape: the recursive tree listing
 * (LFS entries carry sha256 oids, small files git blob ids) and `/<repo>/resolve/<rev>/<file>`
 * with Range support. The first download of the UNet ends half-way.
 */
const files = Object.fromEntries(
  Object.entries(tinySdModelFiles('sd15', { seed: 77 }))
    .filter(([path]) => path !== 'viwo-model.json')
    .map(([path, content]) => [
      path,
      new Uint8Array(typeof content === 'string' ? new TextEncoder().encode(content) : content),
    ]),
) as Record<string, Uint8Array<ArrayBuffer>>;
files['unet/diffusion_pytorch_model.safetensors'] = new Uint8Array(10);
files['README.md'] = new TextEncoder().encode('# tiny');

let server: ReturnType<typeof Bun.serve>;
let dataDir: string;
const rangeRequests: string[] = [];
let cutUnet = true;
let corruptVocab = false;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viwo-hub-'));
  server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === '/api/models/viwo-test/tiny-sd/tree/main') {
        const listing = Object.entries(files).map(([path, content]) =>
          path.endsWith('.onnx')
            ? {
                type: 'file',
                path,
                size: content.length,
                oid: 'x',
                lfs: { oid: sha('sha256', content), size: content.length, pointerSize: 130 },
              }
            : {
                type: 'file',
                path,
                size: content.length,
                oid: sha('sha1', content, `blob ${content.length}\0`),
              },
        );
        return Response.json([{ type: 'directory', path: 'unet', oid: 'y', size: 0 }, ...listing]);
      }
      const prefix = '/viwo-test/tiny-sd/resolve/main/';
      if (url.pathname.startsWith(prefix)) {
        const path = url.pathname.slice(prefix.length);
        let content = files[path];
        if (!content) return new Response('not found', { status: 404 });
        if (path === 'tokenizer/vocab.json' && corruptVocab)
          content = content.map((byte) => byte ^ 1);
        const range = request.headers.get('range');
        if (range) {
          rangeRequests.push(`${path} ${range}`);
          const start = Number(/bytes=(\d+)-/.exec(range)![1]);
          return new Response(content.slice(start), {
            status: 206,
            headers: { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` },
          });
        }
        if (path === 'unet/model.onnx' && cutUnet) {
          cutUnet = false;
          // The connection ends early: half the bytes, as a proxy dropping the transfer would.
          return new Response(content.slice(0, Math.floor(content.length / 2)));
        }
        return new Response(content);
      }
      return new Response('not found', { status: 404 });
    },
  });
});

afterAll(async () => {
  server.stop(true);
  await rm(dataDir, { recursive: true, force: true });
});

function sha(algorithm: string, content: Uint8Array, prefix = ''): string {
  return createHash(algorithm).update(prefix).update(content).digest('hex');
}

describe('models pull', () => {
  test('selects only the ONNX pipeline files', () => {
    const selected = selectPipelineFiles(Object.keys(files).map((path) => ({ path, size: 1 })));
    expect(selected.map((file) => file.path)).not.toContain(
      'unet/diffusion_pytorch_model.safetensors',
    );
    expect(selected.map((file) => file.path)).not.toContain('README.md');
    expect(selected.map((file) => file.path)).toContain('unet/model.onnx');
  });

  test('an interrupted download resumes with a Range request and verifies', async () => {
    const endpoint = `http://127.0.0.1:${server.port}`;
    const lines: string[] = [];
    const context = { dataDir, log: (line: string) => lines.push(line) };
    const first = await modelsCommand(
      ['pull', 'viwo-test/tiny-sd', '--endpoint', endpoint],
      context,
    );
    expect(first).toBe(1);
    expect(lines.at(-1)).toMatch(
      /error: .*unet\/model\.onnx.*(interrupted|does not match).*run the pull again/,
    );
    const partial = join(dataDir, 'models/diffusers/viwo-test--tiny-sd/unet/model.onnx.part');
    await access(partial);

    const second = await modelsCommand(
      ['pull', 'viwo-test/tiny-sd', '--endpoint', endpoint],
      context,
    );
    expect(second).toBe(0);
    expect(rangeRequests.some((entry) => entry.startsWith('unet/model.onnx bytes='))).toBe(true);
    expect(lines.some((line) => /\[#{30}\] 100% unet\/model\.onnx/.test(line))).toBe(true);
    const unet = await readFile(
      join(dataDir, 'models/diffusers/viwo-test--tiny-sd/unet/model.onnx'),
    );
    expect(Buffer.compare(unet, files['unet/model.onnx']!)).toBe(0);

    const registry = new ModelRegistry(dataDir);
    await registry.init();
    expect(registry.defaultModel()?.id).toBe('viwo-test--tiny-sd');
    expect(registry.defaultModel()?.test).toBe(false);

    const listed: string[] = [];
    expect(await modelsCommand(['list'], { dataDir, log: (line) => listed.push(line) })).toBe(0);
    expect(listed.find((line) => line.startsWith('viwo-test--tiny-sd'))).toContain('default');
  });

  test('a hash mismatch removes the file and fails clearly', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'viwo-hub-bad-'));
    corruptVocab = true;
    const lines: string[] = [];
    const code = await modelsCommand(
      ['pull', 'viwo-test/tiny-sd', '--endpoint', `http://127.0.0.1:${server.port}`],
      {
        dataDir: fresh,
        log: (line) => lines.push(line),
      },
    );
    corruptVocab = false;
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/tokenizer\/vocab\.json: git blob id .* does not match/);
    await rm(fresh, { recursive: true, force: true });
  });

  test('unknown repos and bad ids fail with a message', async () => {
    const lines: string[] = [];
    const context = { dataDir, log: (line: string) => lines.push(line) };
    expect(
      await modelsCommand(
        ['pull', 'nobody/none', '--endpoint', `http://127.0.0.1:${server.port}`],
        context,
      ),
    ).toBe(1);
    expect(lines.at(-1)).toMatch(/model 'nobody\/none' not found/);
    expect(await modelsCommand(['pull', '../etc'], context)).toBe(1);
    expect(lines.at(-1)).toMatch(/not a hub repository id/);
    expect(await modelsCommand(['frobnicate'], context)).toBe(1);
  });
});
