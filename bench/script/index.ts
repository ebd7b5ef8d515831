/**
 * ViwoScript interpreter vs native JS on the same work, measured in one run after warm-up.
 * Prints ms (median of runs), evaluated nodes per second (gas/s) and the ratio to native.
 */
import { evaluate, parseText } from '@viwo/script';

interface Case {
  name: string;
  script: unknown;
  native: () => unknown;
}

const loop = parseText(`(std.seq (std.let "i" 0) (std.let "sum" 0)
  (std.while (< (std.var "i") 200000)
    (std.seq (std.set "sum" (+ (std.var "sum") (std.var "i"))) (std.set "i" (+ (std.var "i") 1))))
  (std.var "sum"))`);
const pipeline = parseText(`(std.seq (std.let "xs" (list.new))
  (std.let "i" 0)
  (std.while (< (std.var "i") 100000) (std.seq (list.push (std.var "xs") (std.var "i")) (std.set "i" (+ (std.var "i") 1))))
  (list.reduce
    (list.filter (list.map (std.var "xs") (std.lambda ("x") (* (std.var "x") 3))) (std.lambda ("x") (== (% (std.var "x") 2) 0)))
    (std.lambda ("acc" "x") (+ (std.var "acc") (std.var "x"))) 0))`);
const fib = parseText(`(std.seq (std.let "fib" (std.lambda ("n")
    (std.if (< (std.var "n") 2) (std.var "n")
      (+ (std.apply (std.var "fib") (- (std.var "n") 1)) (std.apply (std.var "fib") (- (std.var "n") 2))))))
  (std.apply (std.var "fib") 20))`);

const cases: Case[] = [
  {
    name: 'while loop, 200k iterations',
    script: loop,
    native: () => {
      let sum = 0;
      for (let index = 0; index < 200_000; index++) sum += index;
      return sum;
    },
  },
  {
    name: 'list pipeline, 100k items (lambdas)',
    script: pipeline,
    native: () =>
      Array.from({ length: 100_000 }, (_, index) => index)
        .map((value) => value * 3)
        .filter((value) => value % 2 === 0)
        .reduce((total, value) => total + value, 0),
  },
  {
    name: 'recursive fib(20) via lambdas',
    script: fib,
    native: () => {
      const native = (n: number): number => (n < 2 ? n : native(n - 1) + native(n - 2));
      return native(20);
    },
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(run: () => unknown, repeats: number): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < repeats; index++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const rows: string[][] = [['case', 'viwo ms', 'native ms', 'ratio', 'nodes', 'Mnodes/s']];
/** The reference viwo interpreter's time for the while-loop case on this machine (see README). */
const REFERENCE_LOOP_MS = 460;
let loopMs = 0;
for (const benchCase of cases) {
  const { gasUsed } = await evaluate(benchCase.script, { gas: 1e9 });
  await time(() => evaluate(benchCase.script, { gas: 1e9 }), 3);
  await time(benchCase.native, 3);
  const viwoMs = await time(() => evaluate(benchCase.script, { gas: 1e9 }), 7);
  const nativeMs = await time(benchCase.native, 7);
  if (benchCase === cases[0]) loopMs = viwoMs;
  rows.push([
    benchCase.name,
    viwoMs.toFixed(1),
    nativeMs.toFixed(2),
    `${(viwoMs / Math.max(nativeMs, 0.001)).toFixed(0)}×`,
    String(gasUsed),
    (gasUsed / viwoMs / 1000).toFixed(1),
  ]);
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows)
  console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(
  `anchor: reference viwo interpreter runs the 200k while loop in ~${REFERENCE_LOOP_MS} ms here; ` +
    `ours ${loopMs.toFixed(1)} ms = ${(REFERENCE_LOOP_MS / loopMs).toFixed(1)}× faster ` +
    '(target ≥ 2×, i.e. ≤ 230 ms, with gas charged everywhere)',
);
