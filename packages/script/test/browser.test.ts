import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * The package runs in the browser (Blocks Mode imports it): bundle it for the browser target and
 * evaluate scripts in real Chromium, whose stack is smaller than Bun's. Deep recursion and deep
 * values must still end in ScriptErrors, never in a RangeError escaping.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (!available) return;
  const build = await Bun.build({
    entrypoints: [join(import.meta.dir, '..', 'src', 'index.ts')],
    target: 'browser',
    format: 'esm',
  });
  if (!build.success) throw new Error(build.logs.map(String).join('\n'));
  const bundle = await build.outputs[0]!.text();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  // The bundle's exports are published on window for page.evaluate below.
  const moduleUrl = `data:text/javascript;base64,${Buffer.from(bundle).toString('base64')}`;
  await page.evaluate(async (url) => {
    (window as unknown as { viwo: unknown }).viwo = await import(url);
  }, moduleUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Runs `evaluate(script, options)` in the page; returns the value or the error's code. */
async function evaluateInPage(
  script: unknown,
  options: Record<string, unknown> = {},
): Promise<{ value: unknown } | { error: string }> {
  const outcome = await page.evaluate(
    async ([source, settings]) => {
      const api = (window as unknown as { viwo: Record<string, CallableFunction> }).viwo;
      try {
        const result = (await api.evaluate!(JSON.parse(source), settings)) as { value: unknown };
        return { value: result.value };
      } catch (error) {
        const failure = error as { code?: string; name?: string; message?: string };
        return {
          error: failure.code ?? `${failure.name}: ${failure.message}`,
          message: failure.message,
        };
      }
    },
    // Sent as JSON text: the driver's own argument serialisation is recursive.
    [JSON.stringify(script), options] as const,
  );
  if ('error' in outcome && outcome.error !== 'DepthExceeded') console.error(outcome);
  return 'error' in outcome ? { error: String(outcome.error) } : { value: outcome.value };
}

const fib = [
  'std.seq',
  [
    'std.let',
    'fib',
    [
      'std.lambda',
      ['n'],
      [
        'std.if',
        ['<', ['std.var', 'n'], 2],
        ['std.var', 'n'],
        [
          '+',
          ['std.apply', ['std.var', 'fib'], ['-', ['std.var', 'n'], 1]],
          ['std.apply', ['std.var', 'fib'], ['-', ['std.var', 'n'], 2]],
        ],
      ],
    ],
  ],
  ['std.apply', ['std.var', 'fib'], 15],
];

const endless = [
  'std.seq',
  [
    'std.let',
    'down',
    [
      'std.lambda',
      ['n'],
      [
        'list.map',
        ['list.new', 1],
        ['std.lambda', ['x'], ['std.apply', ['std.var', 'down'], ['+', ['std.var', 'n'], 1]]],
      ],
    ],
  ],
  ['std.apply', ['std.var', 'down'], 0],
];

describe.skipIf(!available)('in Chromium', () => {
  test('the browser bundle evaluates scripts', async () => {
    expect(await evaluateInPage(fib)).toEqual({ value: 610 });
    expect(await evaluateInPage(['str.concat', 'a', ['std.string', ['list.new', 1]]])).toEqual({
      value: 'a[1]',
    });
  });
  test('unbounded recursion ends in DepthExceeded even with a huge maxDepth', async () => {
    expect(await evaluateInPage(endless)).toEqual({ error: 'DepthExceeded' });
    expect(await evaluateInPage(endless, { maxDepth: 10_000_000 })).toEqual({
      error: 'DepthExceeded',
    });
  });
  test('deeply nested values and scripts end in ScriptErrors', async () => {
    const deepValue = [
      'std.seq',
      ['std.let', 'x', ['list.new']],
      ['std.let', 'i', 0],
      [
        'std.while',
        ['<', ['std.var', 'i'], 100_000],
        [
          'std.seq',
          ['std.set', 'x', ['list.new', ['std.var', 'x']]],
          ['std.set', 'i', ['+', ['std.var', 'i'], 1]],
        ],
      ],
      ['std.string', ['std.var', 'x']],
    ];
    // V8 may manage the deep value; what it must never do is leak a host RangeError.
    const valueOutcome = await evaluateInPage(deepValue);
    if ('error' in valueOutcome) expect(valueOutcome.error).toBe('DepthExceeded');
    else expect(String(valueOutcome.value).length).toBe(200_002);
    let deepScript: unknown = 1;
    for (let level = 0; level < 5_000; level++) deepScript = ['+', deepScript, 1];
    const scriptOutcome = await evaluateInPage(deepScript, { maxNesting: 100_000 });
    if ('error' in scriptOutcome) expect(scriptOutcome.error).toBe('DepthExceeded');
    else expect(scriptOutcome.value).toBe(5_001);
    expect(await evaluateInPage(deepScript)).toEqual({ error: 'DepthExceeded' });
  });
});
