/** Timing, the BENCH summary line and a rank test shared by the benchmarks. */
import { normalSurvival } from '../src/stats/distributions.js';

/** The median wall time in seconds of `runs` runs of `body`, each after `setup`. */
export async function medianSeconds(runs: number, body: () => Promise<unknown>, setup?: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    await setup?.();
    const start = performance.now();
    await body();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

function format(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

/** Prints one summary line; the reference and ratio only when there is a reference. */
export function report(name: string, mlcycle: number, reference?: number): void {
  const parts = [`BENCH ${name}`, `mlcycle=${format(mlcycle)}`];
  if (reference !== undefined) parts.push(`reference=${format(reference)}`, `ratio=${format(mlcycle / reference)}`);
  console.log(parts.join(' '));
}

/**
 * The share of (a, b) pairs with a below b, ties counting half (the Mann-Whitney U over the pairs), and its
 * two-sided p-value by the normal approximation without tie correction: 0.5 and a large p when the two
 * samples come from the same distribution.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): { probability: number; p: number } {
  let u = 0;
  for (const x of a) for (const y of b) u += x < y ? 1 : x === y ? 0.5 : 0;
  const pairs = a.length * b.length;
  const z = (u - pairs / 2) / Math.sqrt((pairs * (a.length + b.length + 1)) / 12);
  return { probability: u / pairs, p: 2 * normalSurvival(Math.abs(z)) };
}
