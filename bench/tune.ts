/**
 * Tuning (issue 7): mlcycle's TPE against Optuna 3.1's TPE (defaults, Debian's python3-optuna) on Branin,
 * Hartmann-6 and a 10-dimensional sphere, 20 seeds x 100 trials each, in the same run.
 *
 * `tune.<function>-best` prints the median over seeds of the regret after 100 trials: the best value found
 * minus the function's known minimum, so that the ratio mlcycle / Optuna reads as "how much further from
 * the optimum": above 1 means mlcycle is worse. mlcycle draws from its own generator (`seededRandom`), so
 * the two columns are independent samples: a median of 20 regrets varies a lot between seed sets (the
 * console lines print quartiles). `tune.<function>-best-numpy-random` runs mlcycle on numpy's random
 * numbers with Optuna's seeds: the same algorithm then makes the same runs, and the ratio is 1.
 * `tune.overhead-ms-per-trial` is the time per trial of a 1,000-trial study on Branin (sampling, storage and
 * tell; the objective itself is negligible) kept in SQLite (a workspace's metadata database, as `mlcycle
 * tune` keeps it), against Optuna's in-memory study of 1,000 trials: Optuna's own SQLite storage needs
 * about 140 ms a trial at 300 trials here, too slow for 1,000 in a benchmark, so the same-storage comparison
 * is `tune.overhead-ms-per-trial-sqlite-200` (200 trials each). `-memory` is mlcycle's in-memory study.
 * bench/tune-bank.ts adds the GBDT task on the bank data and the ASHA check.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mersenneTwister } from '../src/stats/mersenne-twister.js';
import { seededRandom, type Random } from '../src/stats/random.js';
import { createWorkspace } from '../src/store/workspace.js';
import { SqliteStudyStore } from '../src/store/sqlite/study-store.js';
import { Study } from '../src/train/tuning/study.js';
import type { StudyStorage } from '../src/train/tuning/study-storage.js';
import { tpeSampler } from '../src/train/tuning/tpe-sampler.js';
import { report } from './report.js';
import { benchTuneBank } from './tune-bank.js';
import { TEST_FUNCTIONS, type TestFunction } from '../src/train/tuning/test-functions.js';

const SEEDS = 20;
const TRIALS = 100;
const OVERHEAD_TRIALS = 1000;
const SQLITE_REFERENCE_TRIALS = 200;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Reference {
  optuna: string;
  best: Record<string, { median: number; values: number[] }>;
  overheadMsPerTrial: number;
  sqliteOverheadMsPerTrial: number;
}

/** numpy's default (linear) quantile. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  return (sorted[lower] as number) + (position - lower) * ((sorted[Math.min(lower + 1, sorted.length - 1)] as number) - (sorted[lower] as number));
}

function describe(regrets: readonly number[]): string {
  return [0.25, 0.5, 0.75].map((q) => quantile(regrets, q).toPrecision(3)).join(' / ');
}

/** Optuna's TPESampler(seed) gives its TPE and its startup sampler each a RandomState(seed). */
function numpyStreams(seed: number): { random: Random; startupRandom: Random } {
  return { random: mersenneTwister(seed), startupRandom: mersenneTwister(seed) };
}

function bestValue(fn: TestFunction, seed: number, trials: number, streams: { random: Random; startupRandom?: Random } = { random: seededRandom(seed) }, storage?: StudyStorage): number {
  const study = new Study({ space: fn.space, direction: 'minimize', sampler: tpeSampler(streams), ...(storage === undefined ? {} : { storage }) });
  study.optimize(fn.evaluate, trials);
  return study.bestTrial()?.value ?? NaN;
}

/** Runs the tuning benchmark and prints its summary lines. */
export async function benchTune(): Promise<void> {
  const reference = JSON.parse(
    execFileSync('/usr/bin/python3', [path.join(here, 'tune-reference.py'), String(SEEDS), String(TRIALS), String(OVERHEAD_TRIALS), String(SQLITE_REFERENCE_TRIALS)], { encoding: 'utf8' }),
  ) as Reference;
  for (const [name, fn] of Object.entries(TEST_FUNCTIONS)) {
    const optuna = (reference.best[name]?.values ?? []).map((best) => best - fn.minimum);
    const mlcycle = Array.from({ length: SEEDS }, (_, seed) => bestValue(fn, seed, TRIALS) - fn.minimum);
    const replayed = Array.from({ length: SEEDS }, (_, seed) => bestValue(fn, seed, TRIALS, numpyStreams(seed)) - fn.minimum);
    console.log(`${name}: regret quartiles mlcycle ${describe(mlcycle)}, optuna ${describe(optuna)} (minimum ${fn.minimum})`);
    report(`tune.${name}-best`, quantile(mlcycle, 0.5), quantile(optuna, 0.5));
    report(`tune.${name}-best-numpy-random`, quantile(replayed, 0.5), quantile(optuna, 0.5));
  }
  const start = performance.now();
  bestValue(TEST_FUNCTIONS.branin, 0, OVERHEAD_TRIALS);
  const memory = (performance.now() - start) / OVERHEAD_TRIALS;
  report('tune.overhead-ms-per-trial', await sqliteOverhead(OVERHEAD_TRIALS), reference.overheadMsPerTrial);
  report('tune.overhead-ms-per-trial-memory', memory, reference.overheadMsPerTrial);
  report('tune.overhead-ms-per-trial-sqlite-200', await sqliteOverhead(SQLITE_REFERENCE_TRIALS), reference.sqliteOverheadMsPerTrial);
  await benchTuneBank();
}

/** Milliseconds per trial of a Branin study kept in a fresh workspace's metadata database. */
async function sqliteOverhead(trials: number): Promise<number> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-tune-'));
  const context = { actor: 'bench', now: () => new Date() };
  const { workspace } = await createWorkspace(folder, 'bench', context);
  await workspace.close();
  const store = new SqliteStudyStore(workspace.databaseFile);
  try {
    const record = store.createStudy({ name: 'branin', direction: 'minimize', space: TEST_FUNCTIONS.branin.space, sampler: { kind: 'tpe', seed: 0 }, pruner: { kind: 'none' }, objective: { kind: 'function', name: 'branin' } }, context);
    const start = performance.now();
    bestValue(TEST_FUNCTIONS.branin, 0, trials, { random: seededRandom(0) }, store.trials(record));
    return (performance.now() - start) / trials;
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
