/**
 * The real tuning task of issue 7: mlcycle's GBDT on the bank marketing data (bench/tune-bank-data.ts),
 * validation AUC, 50 boosting rounds per fit.
 *
 * Fairness: Optuna cannot train mlcycle's learner itself, and tuning another library's GBDT would compare
 * learners rather than samplers. So Optuna's TPE proposes parameters in Python (ask-and-tell) and mlcycle's
 * trainer scores them here through a line-based JSON protocol (bench/tune-bank-reference.py): both samplers
 * tune the same learner on the same data and only the sampling differs.
 *
 * Cost: a fit takes about a second on a busy 2-core machine, so this task runs BANK_SEEDS = 3 seeds of
 * BANK_TRIALS = 30 trials per side (not 20 seeds of 100: that would take hours here). With 3 seeds the
 * medians are noisy; the console line prints every seed's best.
 *
 * `tune.bank-gbdt-auc-best` prints 1 - AUC of the best trial (median over seeds), the regret-like form
 * of the other `-best` lines, so that the ratio above 1 means mlcycle is worse.
 * The ASHA check gives mlcycle's TPE plus ASHA (Optuna's SuccessiveHalvingPruner defaults: rungs at 1, 4
 * and 16 rounds) half the boosting rounds that the study without pruning trained, per seed, and lets it
 * run trials while a whole trial still fits in that budget: pruning pays by trying more configurations
 * for the same work. `tune.asha-rounds-fraction` is the rounds it trained over the rounds without pruning,
 * `tune.asha-auc-gap` the best AUC without pruning minus the best AUC with ASHA (median over seeds); the
 * issue asks for a gap of at most 0.002 in at most half the rounds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/stats/random.js';
import { createObjective, type TrialObjective } from '../src/train/tune/objective.js';
import { makePruner } from '../src/train/tune/study-settings.js';
import type { SearchSpace } from '../src/train/tuning/search-space.js';
import { Study } from '../src/train/tuning/study.js';
import { tpeSampler } from '../src/train/tuning/tpe-sampler.js';
import { report } from './report.js';
import { bankObjective } from './tune-bank-data.js';

const BANK_SEEDS = 3;
const BANK_TRIALS = 30;
const ROUNDS = 50;
const here = path.dirname(fileURLToPath(import.meta.url));

/** The same space as suggest() in tune-bank-reference.py. */
export const BANK_SPACE: SearchSpace = {
  learningRate: { type: 'float', low: 0.02, high: 0.3, log: true },
  numLeaves: { type: 'int', low: 4, high: 64, log: true, step: 1 },
  minDataInLeaf: { type: 'int', low: 5, high: 200, log: true, step: 1 },
  featureFraction: { type: 'float', low: 0.5, high: 1, log: false },
  lambdaL2: { type: 'float', low: 1e-3, high: 10, log: true },
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * One mlcycle study: its best AUC, the boosting rounds it trained and its trials. Without a budget it runs
 * BANK_TRIALS trials; with one, trials while a whole trial (ROUNDS) still fits.
 */
async function mlcycleStudy(objective: TrialObjective, seed: number, pruner: 'none' | 'asha', roundBudget?: number): Promise<{ best: number; rounds: number; trials: number }> {
  const study = new Study({ space: BANK_SPACE, direction: 'maximize', sampler: tpeSampler({ random: seededRandom(seed) }), pruner: makePruner({ kind: pruner }) });
  let rounds = 0;
  for (let i = 0; roundBudget === undefined ? i < BANK_TRIALS : rounds + ROUNDS <= roundBudget; i++) {
    const trial = study.ask();
    const outcome = await objective.evaluate(trial.params, (step, value) => {
      rounds++;
      study.report(trial.number, step, value);
      return study.shouldPrune(trial.number);
    });
    study.tell(trial.number, outcome);
  }
  return { best: study.bestTrial()?.value ?? NaN, rounds, trials: study.trials.length };
}

/** Optuna's studies, each trial scored here by the same objective. */
async function optunaStudies(objective: TrialObjective): Promise<number[]> {
  const child = spawn('/usr/bin/python3', [path.join(here, 'tune-bank-reference.py'), String(BANK_SEEDS), String(BANK_TRIALS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const message = JSON.parse(line) as { params?: Record<string, number>; best?: number[] };
    if (message.best !== undefined) return message.best;
    const outcome = await objective.evaluate(message.params ?? {}, () => false);
    child.stdin.write(`${JSON.stringify({ value: outcome.state === 'complete' ? outcome.value : NaN })}\n`);
  }
  throw new Error('tune-bank-reference.py ended without a result');
}

/** Runs the bank task and prints its summary lines. */
export async function benchTuneBank(): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-bank-'));
  try {
    const objective = await createObjective(await bankObjective(folder, { rounds: ROUNDS }));
    const optuna = await optunaStudies(objective);
    const plain: { best: number; rounds: number; trials: number }[] = [];
    const asha: { best: number; rounds: number; trials: number }[] = [];
    for (let seed = 0; seed < BANK_SEEDS; seed++) {
      const unpruned = await mlcycleStudy(objective, seed, 'none');
      plain.push(unpruned);
      asha.push(await mlcycleStudy(objective, seed, 'asha', unpruned.rounds / 2));
    }
    const show = (values: readonly number[]): string => values.map((value) => value.toFixed(4)).join(', ');
    console.log(`bank GBDT, best validation AUC per seed (${BANK_TRIALS} trials): mlcycle TPE ${show(plain.map((s) => s.best))}; Optuna TPE ${show(optuna)}; mlcycle TPE + ASHA ${show(asha.map((s) => s.best))}`);
    console.log(`bank GBDT, boosting rounds trained: without pruning ${plain.map((s) => s.rounds).join(', ')}; with ASHA ${asha.map((s) => `${s.rounds} in ${s.trials} trials`).join(', ')}`);
    report('tune.bank-gbdt-auc-best', 1 - median(plain.map((s) => s.best)), 1 - median(optuna));
    const sum = (values: readonly { rounds: number }[]): number => values.reduce((total, s) => total + s.rounds, 0);
    report('tune.asha-rounds-fraction', sum(asha) / sum(plain));
    report('tune.asha-auc-gap', median(plain.map((s, i) => s.best - (asha[i]?.best ?? NaN))));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
