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
 * `tune.overhead-ms-per-trial` is the time per trial of a
 * 1,000-trial in-memory study on Branin (sampling, storage and tell; the objective itself is negligible),
 * against Optuna's on the same study.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mersenneTwister } from '../src/stats/mersenne-twister.js';
import { seededRandom, type Random } from '../src/stats/random.js';
import { Study } from '../src/train/tuning/study.js';
import { tpeSampler } from '../src/train/tuning/tpe-sampler.js';
import { report } from './report.js';
import { TEST_FUNCTIONS, type TestFunction } from '../src/train/tuning/test-functions.js';

const SEEDS = 20;
const TRIALS = 100;
const OVERHEAD_TRIALS = 1000;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Reference {
  optuna: string;
  best: Record<string, { median: number; values: number[] }>;
  overheadMsPerTrial: number;
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

function bestValue(fn: TestFunction, seed: number, trials: number, streams: { random: Random; startupRandom?: Random } = { random: seededRandom(seed) }): number {
  const study = new Study({ space: fn.space, direction: 'minimize', sampler: tpeSampler(streams) });
  study.optimize(fn.evaluate, trials);
  return study.bestTrial()?.value ?? NaN;
}

/** Runs the tuning benchmark and prints its summary lines. */
export async function benchTune(): Promise<void> {
  const reference = JSON.parse(
    execFileSync('/usr/bin/python3', [path.join(here, 'tune-reference.py'), String(SEEDS), String(TRIALS), String(OVERHEAD_TRIALS)], { encoding: 'utf8' }),
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
  report('tune.overhead-ms-per-trial', (performance.now() - start) / OVERHEAD_TRIALS, reference.overheadMsPerTrial);
}
