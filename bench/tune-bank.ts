/**
 * The real tuning task of issue 7: mlcycle's GBDT on the bank marketing data (bench/tune-bank-data.ts),
 * validation AUC, 50 boosting rounds per fit.
 *
 * Fairness: Optuna cannot train mlcycle's learner itself, and tuning another library's GBDT would compare
 * learners rather than samplers. So Optuna's TPE proposes parameters in Python (ask-and-tell) and mlcycle's
 * trainer scores them here through a line-based JSON protocol (bench/tune-bank-reference.py): both samplers
 * tune the same learner on the same data and only the sampling differs.
 *
 * Scale: 20 seeds of 100 trials per side, as the issue asks (MLCYCLE_BENCH_BANK_SEEDS and
 * MLCYCLE_BENCH_BANK_TRIALS change it). A fit takes about 0.3 s on a quiet machine, so the seeds run in
 * child processes, one per core (bench/tune-bank-seeds.ts), each running mlcycle's and Optuna's studies of
 * its seeds. mlcycle's studies are built as `mlcycle tune` builds them (`makeSampler`: numpy's MT19937
 * with Optuna's seeding), so with the same seed both samplers start with the same proposals; the objective
 * is deterministic, so a proposal mlcycle's study of the seed already scored (to 12 significant digits) is
 * answered from those scores (the console line counts them) and only new proposals are trained. Should
 * two studies part (a last-bit difference between V8's and numpy's exp or log deciding a choice), they are
 * independent samples from there on; the console line adds the Mann-Whitney test of their best AUCs.
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
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createObjective, type TrialObjective } from '../src/train/tune/objective.js';
import { makePruner, makeSampler } from '../src/train/tune/study-settings.js';
import type { ParameterValue, SearchSpace } from '../src/optimizer/search-space.js';
import { Study } from '../src/optimizer/study.js';
import { mannWhitney, report } from './report.js';
import { bankObjective } from './tune-bank-data.js';

const BANK_SEEDS = Number(process.env.MLCYCLE_BENCH_BANK_SEEDS ?? 20);
const BANK_TRIALS = Number(process.env.MLCYCLE_BENCH_BANK_TRIALS ?? 100);
export const ROUNDS = 50;
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

/** One study's outcome: its best AUC, the boosting rounds it trained, its trials and every complete trial's score. */
export interface StudyOutcome {
  best: number;
  rounds: number;
  trials: number;
  scored: { params: Record<string, ParameterValue>; value: number }[];
}

/** One seed's studies: TPE alone, TPE with ASHA on half the rounds the first one trained, and Optuna's TPE. */
export interface SeedOutcome {
  seed: number;
  plain: StudyOutcome;
  asha: StudyOutcome;
  optuna: OptunaOutcome;
}

/** Optuna's best AUC for a seed, and how many of its proposals were answered from mlcycle's scores or trained. */
interface OptunaOutcome {
  best: number;
  known: number;
  trained: number;
}

/**
 * One mlcycle study. Without a budget it runs BANK_TRIALS trials; with one, trials while a whole trial
 * (ROUNDS) still fits.
 */
async function mlcycleStudy(objective: TrialObjective, seed: number, pruner: 'none' | 'asha', roundBudget?: number): Promise<StudyOutcome> {
  const study = new Study({ space: BANK_SPACE, direction: 'maximize', sampler: makeSampler({ kind: 'tpe', seed }), pruner: makePruner({ kind: pruner }) });
  let rounds = 0;
  const scored: StudyOutcome['scored'] = [];
  for (let i = 0; roundBudget === undefined ? i < BANK_TRIALS : rounds + ROUNDS <= roundBudget; i++) {
    const trial = study.ask();
    const outcome = await objective.evaluate(trial.params, (step, value) => {
      rounds++;
      study.report(trial.number, step, value);
      return study.shouldPrune(trial.number);
    });
    if (outcome.state === 'complete') scored.push({ params: trial.params, value: outcome.value });
    study.tell(trial.number, outcome);
  }
  return { best: study.bestTrial()?.value ?? NaN, rounds, trials: study.trials.length, scored };
}

/** The studies of each seed, on the bank data written into `folder`. */
export async function seedStudies(folder: string, seeds: readonly number[]): Promise<SeedOutcome[]> {
  const objective = await createObjective(await bankObjective(folder, { rounds: ROUNDS }));
  const outcomes: SeedOutcome[] = [];
  for (const seed of seeds) {
    const plain = await mlcycleStudy(objective, seed, 'none');
    const asha = await mlcycleStudy(objective, seed, 'asha', plain.rounds / 2);
    const known = new Map(plain.scored.map((trial) => [paramsKey(trial.params), trial.value] as const));
    outcomes.push({ seed, plain, asha, optuna: await optunaStudy(objective, seed, known) });
  }
  return outcomes;
}

/** The seeds spread over one child process per core, each running bench/tune-bank-seeds.ts. */
async function allSeedStudies(): Promise<SeedOutcome[]> {
  const processes = Math.max(1, Math.min(os.availableParallelism(), BANK_SEEDS));
  const runs = Array.from({ length: processes }, async (_, index) => {
    const seeds = Array.from({ length: BANK_SEEDS }, (_, seed) => seed).filter((seed) => seed % processes === index);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'tune-bank-seeds.ts'), ...seeds.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`bench/tune-bank-seeds.ts ${seeds.join(' ')} exited with code ${code}`);
    return JSON.parse(output) as SeedOutcome[];
  });
  return (await Promise.all(runs)).flat().sort((a, b) => a.seed - b.seed);
}

/** Optuna's study with this seed, each trial scored by the same objective: from mlcycle's scores when mlcycle already tried the parameters. */
async function optunaStudy(objective: TrialObjective, seed: number, known: ReadonlyMap<string, number>): Promise<OptunaOutcome> {
  const child = spawn('/usr/bin/python3', [path.join(here, 'tune-bank-reference.py'), String(seed), String(BANK_TRIALS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let answered = 0;
  let trained = 0;
  for await (const line of lines) {
    const message = JSON.parse(line) as { params?: Record<string, number>; best?: number };
    if (message.best !== undefined) return { best: message.best, known: answered, trained };
    const params = message.params ?? {};
    let value = known.get(paramsKey(params));
    if (value === undefined) {
      const outcome = await objective.evaluate(params, () => false);
      value = outcome.state === 'complete' ? outcome.value : NaN;
      trained++;
    } else answered++;
    child.stdin.write(`${JSON.stringify({ value })}\n`);
  }
  throw new Error('tune-bank-reference.py ended without a result');
}

/**
 * Parameters as a key, in BANK_SPACE's order, numbers to 12 significant digits: the two samplers draw the
 * same numbers, but V8's Math.exp and numpy's exp may differ in the last bit of a log-scale parameter.
 */
function paramsKey(params: Readonly<Record<string, ParameterValue | undefined>>): string {
  return JSON.stringify(Object.keys(BANK_SPACE).map((name) => {
    const value = params[name];
    return typeof value === 'number' ? value.toPrecision(12) : value;
  }));
}

/** Runs the bank task and prints its summary lines. */
export async function benchTuneBank(): Promise<void> {
  const seeds = await allSeedStudies();
  const plain = seeds.map((seed) => seed.plain);
  const asha = seeds.map((seed) => seed.asha);
  const optuna = seeds.map((seed) => seed.optuna.best);
  const show = (values: readonly number[]): string => values.map((value) => value.toFixed(4)).join(', ');
  const same = plain.filter((study, index) => study.best === optuna[index]).length;
  const total = (key: 'known' | 'trained'): number => seeds.reduce((sum, seed) => sum + seed.optuna[key], 0);
  // Higher AUC is better: P(mlcycle above Optuna) is P(mlcycle's 1 - AUC below Optuna's).
  const { probability, p } = mannWhitney(plain.map((s) => 1 - s.best), optuna.map((best) => 1 - best));
  console.log(`bank GBDT, best validation AUC per seed (${BANK_TRIALS} trials): mlcycle TPE ${show(plain.map((s) => s.best))}; Optuna TPE ${show(optuna)}; mlcycle TPE + ASHA ${show(asha.map((s) => s.best))}`);
  console.log(`bank GBDT: the same best AUC in ${same} of ${BANK_SEEDS} seeds; of Optuna's ${BANK_SEEDS * BANK_TRIALS} proposals ${total('known')} were parameters mlcycle's study of the seed had scored, ${total('trained')} were trained here; P(mlcycle's best above Optuna's) ${probability.toFixed(3)}, Mann-Whitney p ${p.toFixed(3)}`);
  console.log(`bank GBDT, boosting rounds trained: without pruning ${plain.map((s) => s.rounds).join(', ')}; with ASHA ${asha.map((s) => `${s.rounds} in ${s.trials} trials`).join(', ')}`);
  report('tune.bank-gbdt-auc-best', 1 - median(plain.map((s) => s.best)), 1 - median(optuna));
  const sum = (values: readonly { rounds: number }[]): number => values.reduce((total, s) => total + s.rounds, 0);
  report('tune.asha-rounds-fraction', sum(asha) / sum(plain));
  report('tune.asha-auc-gap', median(plain.map((s, i) => s.best - (asha[i]?.best ?? NaN))));
}
