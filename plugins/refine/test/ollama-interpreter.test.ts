import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type Runtime, type Session } from '@viwo/core';
import { interpretWithOllama, ollamaConfigFromEnv } from '../src/ollama-interpreter.ts';
import { createRefinePlugin } from '../src/refine-plugin.ts';
import type { Interpretation } from '../src/rule-interpreter.ts';
import { type OllamaStandIn, startOllamaStandIn } from './ollama-stand-in.ts';

const LLM_ANSWER = {
  prompt: 'a crimson ball on the grass',
  negative_prompt: 'blurry',
  strength: 0.42,
  action: 'attribute',
  explanation: 'The model made the ball crimson.',
};

const answering = { kind: 'answer' as const, content: () => JSON.stringify(LLM_ANSWER) };

describe('interpretWithOllama against the stand-in', () => {
  let standIn: OllamaStandIn;
  beforeAll(() => {
    standIn = startOllamaStandIn(answering);
  });
  afterAll(() => standIn.stop());

  for (const endpoint of ['chat', 'generate'] as const) {
    for (const stream of [false, true]) {
      test(`/api/${endpoint} ${stream ? 'streamed' : 'in one object'}`, async () => {
        standIn.requests.length = 0;
        const result = await interpretWithOllama(
          { url: standIn.url, model: 'tiny-llm', endpoint, stream },
          'a blue ball on the grass',
          'make the ball crimson',
          '',
        );
        expect(result).toEqual(LLM_ANSWER as Interpretation);
        const [request] = standIn.requests;
        expect(request!.path).toBe(`/api/${endpoint}`);
        expect(request!.model).toBe('tiny-llm');
        expect(request!.format).toBe('json');
        expect(request!.stream).toBe(stream);
        // With format "json" Ollama needs the prompt itself to ask for JSON.
        expect(request!.text).toContain('JSON');
        expect(JSON.parse(request!.user)).toEqual({
          prompt: 'a blue ball on the grass',
          negative_prompt: '',
          modification: 'make the ball crimson',
        });
      });
    }
  }

  test('the configuration comes from VIWO_OLLAMA_URL and VIWO_OLLAMA_MODEL', () => {
    expect(ollamaConfigFromEnv({})).toBeNull();
    expect(ollamaConfigFromEnv({ VIWO_OLLAMA_URL: 'http://x:1' })).toBeNull();
    expect(
      ollamaConfigFromEnv({ VIWO_OLLAMA_URL: 'http://x:1', VIWO_OLLAMA_MODEL: 'm' }),
    ).toMatchObject({ url: 'http://x:1', model: 'm', endpoint: 'chat', stream: false });
  });
});

describe('the refine capability falls back to the rules', () => {
  let standIn: OllamaStandIn;
  let runtime: Runtime;
  let session: Session;
  let dataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    standIn = startOllamaStandIn(answering);
    dataDir = mkdtempSync(join(tmpdir(), 'viwo-refine-'));
    runtime = await createRuntime({
      dataDir,
      plugins: [
        createRefinePlugin({ ollama: { url: standIn.url, model: 'tiny-llm', timeoutMs: 500 } }),
      ],
      logger: (plugin, level, message) => logs.push(`${plugin} ${level} ${message}`),
    });
    session = runtime.openSession('test');
  });
  afterAll(async () => {
    standIn.stop();
    await runtime.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    standIn.mode = answering;
    logs.length = 0;
  });

  const interpret = (options?: Record<string, unknown>) =>
    session.callMethod(session.getCapability('refine'), 'interpret', [
      'a blue ball on the grass',
      'make the ball red',
      ...(options ? [options] : []),
    ]) as Promise<Interpretation>;

  test('a valid model answer is used as it is', async () => {
    expect(await interpret()).toEqual(LLM_ANSWER as Interpretation);
    expect(logs.filter((line) => line.includes('warn'))).toEqual([]);
  });

  test('engine "rules" skips the model', async () => {
    const before = standIn.requests.length;
    expect((await interpret({ engine: 'rules' })).prompt).toBe('a red ball on the grass');
    expect(standIn.requests.length).toBe(before);
  });

  const failures: [string, () => void, string][] = [
    [
      'an HTTP error',
      () => {
        standIn.mode = { kind: 'http-error', status: 404, error: 'model "tiny-llm" not found' };
      },
      'HTTP 404',
    ],
    [
      'an answer that is not JSON',
      () => {
        standIn.mode = { kind: 'answer', content: () => 'Sure! The ball is now red.' };
      },
      'not JSON',
    ],
    [
      'an answer with a bad field',
      () => {
        standIn.mode = {
          kind: 'answer',
          content: () => JSON.stringify({ ...LLM_ANSWER, strength: 7 }),
        };
      },
      'strength',
    ],
    [
      'an answer missing the prompt',
      () => {
        standIn.mode = {
          kind: 'answer',
          content: () => JSON.stringify({ explanation: 'ok', action: 'add', strength: 0.5 }),
        };
      },
      'prompt must be',
    ],
    [
      'a timeout',
      () => {
        standIn.mode = { kind: 'hang' };
      },
      'gave no usable answer',
    ],
  ];
  for (const [name, arrange, reason] of failures) {
    test(`${name}: the rules answer and a log line says why`, async () => {
      arrange();
      const result = await interpret();
      expect(result.prompt).toBe('a red ball on the grass');
      expect(result.action).toBe('attribute');
      const warnings = logs.filter((line) => line.startsWith('refine warn'));
      expect(warnings.length).toBe(1);
      expect(warnings[0]).toContain('using the rules');
      expect(warnings[0]).toContain(reason);
    });
  }

  test('an unreachable Ollama falls back too', async () => {
    const gone = startOllamaStandIn(answering);
    gone.stop();
    const local = await createRuntime({
      dataDir: mkdtempSync(join(tmpdir(), 'viwo-refine-')),
      plugins: [createRefinePlugin({ ollama: { url: gone.url, model: 'm' } })],
      logger: (plugin, level, message) => logs.push(`${plugin} ${level} ${message}`),
    });
    try {
      const own = local.openSession('test');
      const result = (await own.callMethod(own.getCapability('refine'), 'interpret', [
        'a dog',
        'make it a cat',
      ])) as Interpretation;
      expect(result.prompt).toBe('a cat');
      expect(logs.some((line) => line.includes('using the rules'))).toBe(true);
    } finally {
      await local.dispose();
      rmSync(local.dataDir, { recursive: true, force: true });
    }
  });

  test('a modification the rules do not understand is a clear InvalidArgument', async () => {
    standIn.mode = { kind: 'http-error', status: 500, error: 'boom' };
    const error = await session
      .callMethod(session.getCapability('refine'), 'interpret', ['a dog', 'sing a song'])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'InvalidArgument' });
    expect((error as Error).message).toContain('forms that work');
  });
});
