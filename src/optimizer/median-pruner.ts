/**
 * The median stopping rule (Golovin et al. 2017, "Google Vizier") as Optuna's `MedianPruner` applies it
 * (`optuna/pruners/_percentile.py` with percentile 50): stop a trial whose best intermediate value so far
 * is worse than the median of the complete trials' values at the same step.
 */
import type { Pruner } from './pruner.js';
import type { Direction } from './trial.js';
import { lastStep } from './trial.js';

export interface PercentilePrunerOptions {
  /** Keep trials in the best `percentile` percent; 50 is the median rule. */
  percentile: number;
  /** No pruning until this many trials have completed. */
  nStartupTrials: number;
  /** No pruning before this step. */
  nWarmupSteps: number;
  /** Judge only at steps nWarmupSteps + k intervalSteps (the first report at or after one). */
  intervalSteps: number;
  /** No pruning at a step fewer than this many complete trials reported. */
  nMinTrials: number;
}

/** Optuna's `MedianPruner()` defaults unless overridden. */
export function medianPruner(options: Partial<Omit<PercentilePrunerOptions, 'percentile'>> = {}): Pruner {
  return percentilePruner({ percentile: 50, ...options });
}

/** Optuna's `PercentilePruner`. */
export function percentilePruner(options: Partial<PercentilePrunerOptions> & { percentile: number }): Pruner {
  const { percentile, nStartupTrials = 5, nWarmupSteps = 0, intervalSteps = 1, nMinTrials = 1 } = options;
  if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${percentile}`);
  if (intervalSteps < 1) throw new RangeError(`intervalSteps must be at least 1, got ${intervalSteps}`);
  const keep = { prune: false, attributes: {} };
  return {
    prune(context, trial) {
      const completed = context.trials.filter((other) => other.state === 'complete');
      if (completed.length === 0 || completed.length < nStartupTrials) return keep;
      const step = lastStep(trial);
      if (step === undefined || step < nWarmupSteps) return keep;
      if (!isFirstInIntervalStep(step, [...trial.intermediateValues.keys()], nWarmupSteps, intervalSteps)) return keep;
      const best = bestValue([...trial.intermediateValues.values()], context.direction);
      if (Number.isNaN(best)) return { prune: true, attributes: {} };
      const atStep = completed.flatMap((other) => (other.intermediateValues.has(step) ? [other.intermediateValues.get(step) as number] : []));
      if (atStep.length < nMinTrials) return keep;
      const threshold = nanPercentile(atStep, context.direction === 'maximize' ? 100 - percentile : percentile);
      if (Number.isNaN(threshold)) return keep;
      return { prune: context.direction === 'maximize' ? best < threshold : best > threshold, attributes: {} };
    },
  };
}

/** Whether `step` is the first report at or after the latest judging step (steps skipped by reports still get judged). */
function isFirstInIntervalStep(step: number, steps: readonly number[], nWarmupSteps: number, intervalSteps: number): boolean {
  const nearestJudgingStep = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
  const previous = steps.reduce((latest, s) => (s > latest && s !== step ? s : latest), -1);
  return previous < nearestJudgingStep;
}

/** The best of the values, ignoring NaN; NaN when all are NaN. */
function bestValue(values: readonly number[], direction: Direction): number {
  const finite = values.filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return NaN;
  return direction === 'maximize' ? Math.max(...finite) : Math.min(...finite);
}

/** numpy's `nanpercentile` with linear interpolation. */
export function nanPercentile(values: readonly number[], percentile: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const position = (percentile / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const fraction = position - lower;
  const low = sorted[lower] as number;
  return fraction === 0 ? low : low + fraction * ((sorted[lower + 1] as number) - low);
}
