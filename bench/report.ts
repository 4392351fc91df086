/** Timing and the BENCH summary line shared by the benchmarks. */

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
