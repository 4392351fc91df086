/**
 * Tuning (issue 7): mlcycle's TPE against Optuna 3.1's TPE (defaults, Debian's python3-optuna) on Branin,
 * Hartmann-6 and a 10-dimensional sphere, 100 trials a study, in the same run.
 *
 * `tune.<function>-best` prints the median over seeds 0-19 of the regret after 100 trials: the best value
 * found minus the function's known minimum, so that the ratio mlcycle / Optuna reads as "how much further
 * from the optimum": above 1 means mlcycle is worse. mlcycle's studies are built as `mlcycle tune` builds
 * them (`makeSampler`), whose generator is numpy's MT19937 seeded as Optuna seeds its own: with the same
 * seed the two make the same choices, so the two columns are equal when the algorithm is.
 * `tune.<function>-best-independent` compares the algorithms on independent random streams, which
 * the same seeds cannot: mlcycle's seeds 1000-1099 against Optuna's 0-99 (INDEPENDENT_SEEDS; a median of
 * 20 heavy-tailed regrets varies by a factor of 2-3 between seed sets). The console line adds quartiles and
 * the Mann-Whitney probability that an mlcycle study ends below an Optuna study (0.5: no difference).
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
import { createWorkspace } from '../src/store/workspace.js';
import { SqliteStudyStore } from '../src/store/sqlite/study-store.js';
import { Study } from '../src/optimizer/study.js';
import type { StudyStorage } from '../src/optimizer/study-storage.js';
import type { Sampler } from '../src/optimizer/sampler.js';
import { makeSampler } from '../src/train/tune/study-settings.js';
import { mannWhitney, report } from './report.js';
import { benchTuneBank } from './tune-bank.js';
import { TEST_FUNCTIONS, type TestFunction } from '../src/optimizer/test-functions.js';

const SEEDS = 20;
const INDEPENDENT_SEEDS = Number(process.env.MLCYCLE_BENCH_TUNE_INDEPENDENT_SEEDS ?? 100);
const INDEPENDENT_SEED_OFFSET = 1000;
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

/** mlcycle's TPE as `mlcycle tune` builds it for a seed. */
function sampler(seed: number): Sampler {
  return makeSampler({ kind: 'tpe', seed });
}

function bestValue(fn: TestFunction, seed: number, trials: number, storage?: StudyStorage): number {
  const study = new Study({ space: fn.space, direction: 'minimize', sampler: sampler(seed), ...(storage === undefined ? {} : { storage }) });
  study.optimize(fn.evaluate, trials);
  return study.bestTrial()?.value ?? NaN;
}

/** Runs the tuning benchmark and prints its summary lines. */
export async function benchTune(): Promise<void> {
  const reference = JSON.parse(
    execFileSync('/usr/bin/python3', [path.join(here, 'tune-reference.py'), String(Math.max(SEEDS, INDEPENDENT_SEEDS)), String(TRIALS), String(OVERHEAD_TRIALS), String(SQLITE_REFERENCE_TRIALS)], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  ) as Reference;
  for (const [name, fn] of Object.entries(TEST_FUNCTIONS)) {
    const optunaAll = (reference.best[name]?.values ?? []).map((best) => best - fn.minimum);
    const optuna = optunaAll.slice(0, SEEDS);
    const mlcycle = Array.from({ length: SEEDS }, (_, seed) => bestValue(fn, seed, TRIALS) - fn.minimum);
    const same = mlcycle.filter((regret, seed) => Math.abs(regret - (optuna[seed] as number)) <= 1e-9 * Math.max(1, Math.abs(regret))).length;
    console.log(`${name}, seeds 0-${SEEDS - 1}: regret quartiles mlcycle ${describe(mlcycle)}, optuna ${describe(optuna)} (minimum ${fn.minimum}); the same best value (1e-9) in ${same} of ${SEEDS} studies`);
    report(`tune.${name}-best`, quantile(mlcycle, 0.5), quantile(optuna, 0.5));
    if (INDEPENDENT_SEEDS > 0) {
      const independent = Array.from({ length: INDEPENDENT_SEEDS }, (_, seed) => bestValue(fn, INDEPENDENT_SEED_OFFSET + seed, TRIALS) - fn.minimum);
      const others = optunaAll.slice(0, INDEPENDENT_SEEDS);
      const { probability, p } = mannWhitney(independent, others);
      console.log(`${name}, independent streams (mlcycle seeds ${INDEPENDENT_SEED_OFFSET}-${INDEPENDENT_SEED_OFFSET + INDEPENDENT_SEEDS - 1}, Optuna 0-${INDEPENDENT_SEEDS - 1}): regret quartiles mlcycle ${describe(independent)}, optuna ${describe(others)}; P(mlcycle below Optuna) ${probability.toFixed(3)}, Mann-Whitney p ${p.toFixed(3)}`);
      report(`tune.${name}-best-independent`, quantile(independent, 0.5), quantile(others, 0.5));
    }
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
    bestValue(TEST_FUNCTIONS.branin, 0, trials, store.trials(record));
    return (performance.now() - start) / trials;
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
