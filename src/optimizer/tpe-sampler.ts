/**
 * The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio and Kegl 2011) as Optuna 3.1's
 * `TPESampler` runs it (`optuna/samplers/_tpe/sampler.py`): random sampling for the first trials; then the
 * finished trials are ranked, the best gamma(n) fit a density l(x) and the rest a density g(x), and of
 * `nEiCandidates` draws from l the one with the largest l(x)/g(x) (the expected-improvement maximiser)
 * wins. Pruned trials rank behind complete ones, by how far they got and then by their last value.
 */
import type { Random } from '../stats/random.js';
import { DEFAULT_PARZEN_OPTIONS, ParzenEstimator, type ParzenOptions } from './parzen-estimator.js';
import { randomSampler } from './random-sampler.js';
import type { Sampler, SamplingContext } from './sampler.js';
import { contains, fromInternal, toInternal, type Distribution, type ParameterValue, type SearchSpace } from './search-space.js';
import { lastStep, type Trial } from './trial.js';

/** Optuna's `default_gamma`: the best 10% of n trials, at most 25, are the good ones. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

export interface TpeOptions extends ParzenOptions {
  /** Draws for TPE's own sampling. */
  random: Random;
  /** Draws for the startup trials; Optuna gives its startup sampler a separate generator with the same seed. Default: `random`. */
  startupRandom?: Random;
  /** Trials sampled at random before TPE starts (complete and pruned trials count). */
  nStartupTrials: number;
  /** Candidates drawn from l(x) per proposal. */
  nEiCandidates: number;
  /** How many of n finished trials are the good ones. */
  gamma: (n: number) => number;
}

export const DEFAULT_TPE_OPTIONS: Omit<TpeOptions, 'random'> = { ...DEFAULT_PARZEN_OPTIONS, nStartupTrials: 10, nEiCandidates: 24, gamma: defaultGamma };

/** A TPE sampler with Optuna's defaults for anything not given; `multivariate: true` samples the parameters every trial has jointly. */
export function tpeSampler(options: Partial<TpeOptions> & { random: Random }): Sampler {
  const settings: TpeOptions = { ...DEFAULT_TPE_OPTIONS, ...options };
  const startup = randomSampler(settings.startupRandom ?? settings.random);

  /** Fits l and g over some parameters and returns the best of the candidates drawn from l. */
  const propose = (context: SamplingContext, space: Readonly<Record<string, Distribution>>): Record<string, ParameterValue> | undefined => {
    const ranked = rankFinishedTrials(context);
    const n = ranked.length;
    if (n < settings.nStartupTrials) return undefined;
    const good = new Set<Trial>(ranked.slice(0, settings.gamma(n)));
    const names = Object.keys(space);
    const goodTrials: Trial[] = [];
    const otherTrials: Trial[] = [];
    for (const trial of context.trials) {
      if (trial.state !== 'complete' && trial.state !== 'pruned') continue;
      // A trial counts only if it has every parameter (conditional parameters are absent while inactive).
      if (!names.every((name) => trial.params[name] !== undefined && contains(space[name] as Distribution, trial.params[name] as ParameterValue))) continue;
      (good.has(trial) ? goodTrials : otherTrials).push(trial);
    }
    const below = fitParzenEstimator(goodTrials, space, settings);
    const above = fitParzenEstimator(otherTrials, space, settings);
    const candidates = below.sample(settings.random, settings.nEiCandidates);
    const logBelow = below.logDensity(candidates);
    const logAbove = above.logDensity(candidates);
    let best = 0;
    for (let i = 1; i < settings.nEiCandidates; i++) {
      if ((logBelow[i] ?? 0) - (logAbove[i] ?? 0) > (logBelow[best] ?? 0) - (logAbove[best] ?? 0)) best = i;
    }
    const proposal: Record<string, ParameterValue> = {};
    for (const name of names) proposal[name] = fromInternal(space[name] as Distribution, candidates[name]?.[best] ?? NaN);
    return proposal;
  };

  return {
    sampleRelative(context, space) {
      if (!settings.multivariate) return {};
      const joint = intersectionSpace(context, space);
      return Object.keys(joint).length === 0 ? {} : (propose(context, joint) ?? {});
    },
    sampleIndependent(context, name, distribution) {
      return propose(context, { [name]: distribution })?.[name] ?? startup.sampleIndependent(context, name, distribution);
    },
  };
}

function fitParzenEstimator(trials: readonly Trial[], space: Readonly<Record<string, Distribution>>, options: ParzenOptions): ParzenEstimator {
  const observations: Record<string, Float64Array> = {};
  for (const [name, distribution] of Object.entries(space)) {
    observations[name] = Float64Array.from(trials, (trial) => toInternal(distribution, trial.params[name] as ParameterValue));
  }
  return new ParzenEstimator(observations, space, options);
}

/**
 * Complete and pruned trials, best first (Optuna's `_get_observation_pairs` and `_split_observation_pairs`):
 * complete trials by value, then pruned trials by their last step (later is better) and the value there,
 * then pruned trials that reported nothing. Ties keep trial order.
 */
export function rankFinishedTrials(context: SamplingContext): Trial[] {
  // A study asks once per parameter with the same context: rank once.
  const cached = rankings.get(context);
  if (cached !== undefined) return cached;
  const ranked = rank(context);
  rankings.set(context, ranked);
  return ranked;
}

const rankings = new WeakMap<SamplingContext, Trial[]>();

function rank(context: SamplingContext): Trial[] {
  const sign = context.direction === 'minimize' ? 1 : -1;
  const keyed = context.trials.flatMap((trial) => {
    if (trial.state === 'complete' && trial.value !== undefined) return [{ trial, step: -Infinity, score: sign * trial.value }];
    if (trial.state !== 'pruned') return [];
    const step = lastStep(trial);
    if (step === undefined) return [{ trial, step: 1, score: 0 }];
    const value = trial.intermediateValues.get(step) ?? NaN;
    return [{ trial, step: -step, score: Number.isNaN(value) ? Infinity : sign * value }];
  });
  keyed.sort((a, b) => (a.step !== b.step ? a.step - b.step : compareScores(a.score, b.score)));
  return keyed.map((entry) => entry.trial);
}

/** Ascending, NaN last, as numpy sorts. */
function compareScores(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * The parameters of the space that every finished trial has, in the space's order (Optuna's
 * `IntersectionSearchSpace` with pruned trials included); single-valued distributions are left out.
 */
export function intersectionSpace(context: SamplingContext, space: SearchSpace): Record<string, Distribution> {
  const finished = context.trials.filter((trial) => trial.state === 'complete' || trial.state === 'pruned');
  const joint: Record<string, Distribution> = {};
  if (finished.length === 0) return joint;
  for (const [name, parameter] of Object.entries(space)) {
    if (isSingle(parameter)) continue;
    if (finished.every((trial) => trial.params[name] !== undefined)) joint[name] = parameter;
  }
  return joint;
}

function isSingle(distribution: Distribution): boolean {
  return distribution.type === 'categorical' ? distribution.choices.length === 1 : distribution.low === distribution.high;
}
