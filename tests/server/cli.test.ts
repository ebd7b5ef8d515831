import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'viwo-cli-'));
const cli = join(import.meta.dir, '../../apps/server/src/cli.ts');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function viwo(args: string[], stdin?: string) {
  const result = Bun.spawnSync(['bun', cli, ...args], {
    env: { ...process.env, VIWO_DATA: join(work, 'data') },
    stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

describe('viwo run', () => {
  test('a .json script prints its result as one JSON line', () => {
    const file = join(work, 'sum.json');
    writeFileSync(
      file,
      JSON.stringify(['std.seq', ['std.let', 'x', 1], ['+', ['std.var', 'x'], 2]]),
    );
    const result = viwo(['run', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('3\n');
  });
  test('a .viwo text script and stdin both work', () => {
    const file = join(work, 'list.viwo');
    writeFileSync(
      file,
      '; comment\n(list.map (list.new 1 2) (std.lambda ("x") (* (std.var "x") 10)))',
    );
    expect(viwo(['run', file]).stdout).toBe('[10,20]\n');
    expect(viwo(['run', '-'], '(str.upper "hi")').stdout).toBe('"HI"\n');
  });
  test('errors exit 1 with code, message and path on stderr and no stack trace', () => {
    const file = join(work, 'bad.json');
    writeFileSync(file, JSON.stringify(['std.seq', 1, ['+', 1, 'x']]));
    const result = viwo(['run', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TypeError');
    expect(result.stderr).toContain('[2]');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const gas = viwo(['run', '-', '--gas', '100'], '(std.while true (std.seq))');
    expect(gas.code).toBe(1);
    expect(gas.stderr).toContain('OutOfGas');
    const parse = viwo(['run', '-'], '(std.seq (+ 1 2)');
    expect(parse.stderr).toContain('ParseError');
  });
  test('--out writes the composite of a canvas script as PNG', () => {
    const file = join(work, 'canvas.viwo');
    writeFileSync(
      file,
      '(std.seq (canvas.init 16 16 "#000000") (canvas.layer.create "a" "A" "raster") (canvas.draw_stroke "a" (std.quote ((2 2) (14 14))) "#00ff00" 3 "brush"))',
    );
    const out = join(work, 'out');
    const result = viwo(['run', file, '--out', out]);
    expect(result.code).toBe(0);
    expect(readdirSync(out).filter((name) => name.endsWith('.png'))).toHaveLength(1);
  });
});
