/**
 * Exploration benchmarks (issue 4): a full profile with correlations, strawman and report, on
 * - flights-3m.parquet with the target delay > 15 (explore.flights-profile-s; target at most 5 s), and
 * - a synthetic 1M-row, 50-column table with 5% missing values (explore.synthetic-profile-s, at most 20 s,
 *   peak memory under 2 GiB: explore.synthetic-peak-mib).
 * The reference is the floor a Python user pays for far less: pandas' describe() plus
 * corr(method="spearman") on the same data, in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function runCase(which: string, scratch: string): { seconds: number; peakMiB: number; csv: string; strawman: string | null } {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'explore-case.ts'), which, scratch], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
}

function pandasSeconds(csv: string): number {
  const output = execFileSync('/usr/bin/python3', [path.join(here, 'explore-pandas.py'), csv], { encoding: 'utf8' });
  return (JSON.parse(output) as { seconds: number }).seconds;
}

/** Runs the exploration benchmarks and prints their summary lines. */
export async function benchExplore(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-explore-'));
  try {
    for (const [which, name] of [
      ['flights', 'explore.flights-profile-s'],
      ['synthetic', 'explore.synthetic-profile-s'],
    ] as const) {
      const measured = runCase(which, scratch);
      console.log(`${which}: strawman ${measured.strawman ?? '-'}`);
      report(name, measured.seconds, pandasSeconds(measured.csv));
      report(name.replace('-profile-s', '-peak-mib'), measured.peakMiB);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
