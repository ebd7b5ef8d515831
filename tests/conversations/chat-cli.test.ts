import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `viwo chat` as a spawned process fed through a pipe, on the tiny test models. */
const work = mkdtempSync(join(tmpdir(), 'viwo-chat-'));
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function viwo(args: string[], stdin?: string) {
  const result = Bun.spawnSync([process.execPath, cli, ...args], {
    env: { ...process.env, VIWO_DATA: join(work, 'data'), VIWO_OLLAMA_URL: '' },
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

const SMALL = ['--steps', '2', '--width', '64', '--height', '64', '--seed', '5'];

describe('viwo chat with piped stdin', () => {
  let conversationId = '';

  test('a first line generates, later lines refine, commands navigate the tree', () => {
    const png = join(work, 'current.png');
    const script = join(work, 'current.json');
    const lines = [
      'a blue ball on the grass',
      'make the ball red',
      '/history',
      '/back',
      '/strength 0.3',
      'make it a watercolor',
      '/history',
      `/save ${png}`,
      `/export ${script}`,
      '/quit',
      'this line is never read',
    ];
    const result = viwo(['chat', ...SMALL], `${lines.join('\n')}\n`);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    const out = result.stdout;
    conversationId = /^conversation (\S+)$/m.exec(out)![1]!;
    expect(out).toContain('#1 generate');
    expect(out).toContain('#2 attribute, strength 0.45: Made the ball red (was blue).');
    expect(out).toContain('prompt: a red ball on the grass');
    expect(out).toContain('back at "a blue ball on the grass"');
    expect(out).toContain('strength: 0.3');
    expect(out).toContain('#3 style, strength 0.3: Switched the style to "watercolor painting".');
    // The second /history shows #3 branching from #1, beside #2, and marks it current.
    expect(out).toMatch(/ {2}#1 \S+ {2}"a blue ball on the grass"[^\n]*\n {4}#2 [^\n]+\n\* {3}#3 /);
    // A progress bar on stderr, one line per update through a pipe.
    expect(result.stderr).toMatch(/\[#+-*\] \d+\/\d+ denoising\n/);
    expect(out).not.toContain('denoising');
    const bytes = readFileSync(png);
    expect([...bytes.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join('')).toBe('PNG');
    // The exported script reproduces the current picture from nothing.
    const watercolor = /#3 style[\s\S]*?image: ([0-9a-f]{64})/.exec(out)![1]!;
    const run = viwo(['run', script]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).$image).toBe(watercolor);
  });

  test('--conversation resumes at the latest turn; /branch picks another', () => {
    const result = viwo(
      ['chat', '--conversation', conversationId],
      '/branch #2\nmake it night\n/history\n',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(3 turns)');
    expect(result.stdout).toContain('branching from "make the ball red"');
    expect(result.stdout).toContain('prompt: a red ball on the grass, at night');
    expect(result.stdout).toMatch(/ {4}#2 [^\n]+\n\* {5}#4 /);
    expect(result.stderr).not.toContain('error');
  });

  test('mistakes are reported on stderr and the REPL keeps going; exit 1 at the end', () => {
    const result = viwo(
      ['chat', '--conversation', conversationId],
      `sing a song\n/strength 9\n/branch #99\n/frobnicate\n${'x'.repeat(2500)}\nmore grass\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the rules did not understand "sing a song"');
    expect(result.stderr).toContain('error: /strength takes a number from 0.01 to 1');
    expect(result.stderr).toContain('error: no turn #99');
    expect(result.stderr).toContain('error: unknown command /frobnicate');
    expect(result.stderr).toContain("'message' is 2500 characters; the limit is 2000");
    expect(result.stdout).toContain('emphasis');
  });

  test('an unknown conversation is a clear error', () => {
    const result = viwo(['chat', '--conversation', 'nope'], '');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no conversation "nope"');
  });
});
