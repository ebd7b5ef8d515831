/**
 * Medians of two workloads measured alternately (first, second, first, …) after `warmups` runs of
 * each, so drift in machine load hits both equally; every bench's "ours vs baseline" ratio comes
 * from here.
 */
export async function pairedMedians(
  runs: number,
  first: () => Promise<unknown>,
  second: () => Promise<unknown>,
  warmups = 1,
): Promise<[number, number]> {
  for (let warm = 0; warm < warmups; warm++) {
    await first();
    await second();
  }
  const samples: [number[], number[]] = [[], []];
  for (let run = 0; run < runs; run++) {
    for (const [index, work] of [first, second].entries()) {
      const started = performance.now();
      await work();
      samples[index]!.push(performance.now() - started);
    }
  }
  return samples.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!) as [
    number,
    number,
  ];
}
