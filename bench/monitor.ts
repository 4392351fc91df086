/**
 * `npm run bench -- monitor` (issue 20). monitor.drift-20x1m-s: the drift of 20 columns (15 numeric, 5
 * categorical with 5 to 300 categories) between 1,000,000 reference rows and 1,000,000 current rows, some
 * of them shifted, with Evidently's default tests for a reference above 1,000 rows (Wasserstein over the
 * reference's standard deviation, Jensen-Shannon), the way a monitor computes them (src/monitor/
 * prepared-drift.ts: the reference prepared, then the window compared with it); target at most 1 s. The
 * reference is scipy over pandas columns (bench/monitor-reference.py) on the same data, written to files
 * both read (the reads are not timed); every value must agree to 1e-9 relative or the benchmark fails.
 * Needs python3-scipy and python3-pandas (`apt-get install -y python3-scipy python3-pandas`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnValues } from '../src/monitor/monitor-samples.js';
import { driftAgainst, prepareColumn } from '../src/monitor/prepared-drift.js';
import { seededRandom } from '../src/stats/random.js';
import { mergeProfiles, profileLabels, profileNumbers, type ColumnProfile } from '../src/stats/sketch.js';
import { report } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROWS = 1_000_000;
const NUMERIC = 15;
const CATEGORIES = [5, 20, 50, 120, 300];

interface Column {
  name: string;
  kind: 'numeric' | 'categorical';
  reference: Float64Array | Int32Array;
  current: Float64Array | Int32Array;
}

/** Seeded columns: normal, log-normal and integer numbers, Zipf-like categories; every third column shifted. */
function makeColumns(): Column[] {
  const random = seededRandom(2026);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const columns: Column[] = [];
  for (let index = 0; index < NUMERIC; index++) {
    const shift = index % 3 === 0 ? 0.15 : 0;
    const draw = index % 3 === 1 ? () => Math.exp(normal()) : index % 3 === 2 ? () => Math.floor(random() * 500) : () => 100 + 20 * normal();
    const reference = Float64Array.from({ length: ROWS }, draw);
    const current = Float64Array.from({ length: ROWS }, () => draw() * (1 + shift));
    columns.push({ name: `x${index}`, kind: 'numeric', reference, current });
  }
  CATEGORIES.forEach((count, index) => {
    const weights = Array.from({ length: count }, (_, k) => 1 / (k + 1));
    const cumulative = (tilt: number) => {
      const tilted = weights.map((weight, k) => weight * (1 + tilt * (k % 2)));
      const total = tilted.reduce((sum, weight) => sum + weight, 0);
      let running = 0;
      return tilted.map((weight) => (running += weight / total));
    };
    const draw = (table: number[]) => () => {
      const u = random();
      let k = 0;
      while (k < table.length - 1 && (table[k] as number) < u) k++;
      return k;
    };
    const referenceDraw = draw(cumulative(0));
    const currentDraw = draw(cumulative(index % 2 === 0 ? 0.3 : 0));
    columns.push({ name: `c${index}`, kind: 'categorical', reference: Int32Array.from({ length: ROWS }, referenceDraw), current: Int32Array.from({ length: ROWS }, currentDraw) });
  });
  return columns;
}

/** A categorical column as the monitor holds it: a label per row. */
function labels(codes: Int32Array): ColumnValues {
  return { kind: 'categorical', values: Array.from(codes, (code) => `k${code}`), invalid: 0 };
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

export async function benchMonitor(): Promise<void> {
  const folder = path.join(os.tmpdir(), 'mlcycle-bench-monitor');
  mkdirSync(folder, { recursive: true });
  const columns = makeColumns();
  for (const column of columns) {
    writeFileSync(path.join(folder, `reference-${column.name}.bin`), Buffer.from(column.reference.buffer));
    writeFileSync(path.join(folder, `current-${column.name}.bin`), Buffer.from(column.current.buffer));
  }
  writeFileSync(path.join(folder, 'meta.json'), JSON.stringify({ rows: ROWS, columns: columns.map(({ name, kind }) => ({ name, kind })) }));
  // The monitor's inputs: numbers as Float64Array, categories as labels (the column read from the log).
  const inputs = columns.map((column) => ({
    name: column.name,
    reference: column.kind === 'numeric' ? ({ kind: 'numeric', values: column.reference as Float64Array, invalid: 0 } as ColumnValues) : labels(column.reference as Int32Array),
    current: column.kind === 'numeric' ? ({ kind: 'numeric', values: column.current as Float64Array, invalid: 0 } as ColumnValues) : labels(column.current as Int32Array),
  }));

  const python = JSON.parse(execFileSync('/usr/bin/python3', [path.join(here, 'monitor-reference.py'), folder], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { seconds: number; values: Record<string, number>; profileSeconds: number };
  const runs: number[] = [];
  let values: Record<string, number> = {};
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    values = Object.fromEntries(inputs.map((input) => [input.name, driftAgainst(input.name, prepareColumn(input.reference), input.current).score]));
    runs.push(seconds(start));
  }
  for (const [name, expected] of Object.entries(python.values)) {
    const actual = values[name] as number;
    if (!(Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(expected), 1e-12))) throw new Error(`monitor bench: ${name}: mlcycle ${actual}, scipy ${expected}`);
  }
  const drifted = Object.entries(values).filter(([, value]) => value >= 0.1).map(([name]) => name);
  console.log(`monitor: 20 columns x 1,000,000 rows against 1,000,000: every statistic equals scipy's to 1e-9 relative; drifted at Evidently's 0.1: ${drifted.join(', ') || 'none'}`);
  console.log(`monitor: mlcycle runs ${runs.map((run) => run.toFixed(3)).join(', ')} s; scipy over pandas ${python.seconds.toFixed(3)} s`);
  report('monitor.drift-20x1m-s', Math.min(...runs), python.seconds);

  // Profiles: the current rows into mergeable sketches (stats/sketch.ts), against pandas' exact describe();
  // then 30 daily profiles of every column merged into a month's (no reference: python has no mergeable sketch here).
  const profileRuns: number[] = [];
  let profiles: ColumnProfile[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    profiles = inputs.map((input, index) => (input.current.kind === 'numeric' ? profileNumbers(input.current.values, seededRandom(index)) : profileLabels(input.current.values)));
    profileRuns.push(seconds(start));
  }
  console.log(`monitor: profiles of 20 columns x 1,000,000 rows ${profileRuns.map((run) => run.toFixed(3)).join(', ')} s; pandas describe and value_counts ${python.profileSeconds.toFixed(3)} s`);
  report('monitor.sketch-1m-s', Math.min(...profileRuns), python.profileSeconds);
  const days = Array.from({ length: 30 }, (_, day) => inputs.map((input, index) => {
    const from = Math.floor((day * ROWS) / 30);
    const to = Math.floor(((day + 1) * ROWS) / 30);
    return input.current.kind === 'numeric' ? profileNumbers(input.current.values.subarray(from, to), seededRandom(day * 100 + index)) : profileLabels(input.current.values.slice(from, to));
  }));
  const mergeStart = performance.now();
  const random = seededRandom(7);
  const month = days.slice(1).reduce((merged, day) => merged.map((profile, index) => mergeProfiles(profile, day[index] as ColumnProfile, random)), days[0] as ColumnProfile[]);
  const mergeSeconds = seconds(mergeStart);
  const counts = month.every((profile, index) => profile.count === (profiles[index] as ColumnProfile).count);
  if (!counts) throw new Error('monitor bench: the merged month does not count every row');
  console.log(`monitor: 30 daily profiles of 20 columns merged in ${mergeSeconds.toFixed(4)} s (every row counted once)`);
  report('monitor.merge-30-s', mergeSeconds);
}
