/**
 * Asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel Hyperparameter
 * Tuning", ASHA) as Optuna's `SuccessiveHalvingPruner` runs it (`optuna/pruners/_successive_halving.py`):
 * rung k ends at step minResource * reductionFactor^(minEarlyStoppingRate + k); a trial reaching it records
 * its value there and goes on only if that value is in the best 1/reductionFactor of all values recorded
 * at the rung so far (while fewer than reductionFactor trials have, only the best goes on).
 */
import type { Pruner } from './pruner.js';
import type { Direction, Trial } from './trial.js';
import { lastStep } from './trial.js';

export interface SuccessiveHalvingOptions {
  /** Steps before the first rung; `auto` is the longest complete trial's last step / 100, at least 1. */
  minResource: number | 'auto';
  reductionFactor: number;
  minEarlyStoppingRate: number;
  /** A trial is pruned at a rung until more than this many trials have reached it. */
  bootstrapCount: number;
}

/** The attribute that keeps a trial's value at the end of a rung. */
export function rungKey(rung: number): string {
  return `completed_rung_${rung}`;
}

/** Optuna's `SuccessiveHalvingPruner()` defaults unless overridden. */
export function successiveHalvingPruner(options: Partial<SuccessiveHalvingOptions> = {}): Pruner {
  const { minResource = 'auto', reductionFactor = 4, minEarlyStoppingRate = 0, bootstrapCount = 0 } = options;
  if (minResource !== 'auto' && !(minResource >= 1)) throw new RangeError(`minResource must be 'auto' or at least 1, got ${minResource}`);
  if (reductionFactor < 2) throw new RangeError(`reductionFactor must be at least 2, got ${reductionFactor}`);
  if (minResource === 'auto' && bootstrapCount > 0) throw new RangeError('bootstrapCount needs a fixed minResource');
  let resolvedMinResource = minResource === 'auto' ? undefined : minResource;
  return {
    prune(context, trial) {
      const attributes: Record<string, number> = {};
      const step = lastStep(trial);
      if (step === undefined) return { prune: false, attributes };
      const value = trial.intermediateValues.get(step) as number;
      let rung = 0;
      while (trial.attributes[rungKey(rung)] !== undefined) rung++;
      for (;;) {
        resolvedMinResource ??= estimateMinResource(context.trials);
        if (resolvedMinResource === undefined) return { prune: false, attributes };
        if (step < resolvedMinResource * reductionFactor ** (minEarlyStoppingRate + rung)) return { prune: false, attributes };
        if (Number.isNaN(value)) return { prune: true, attributes };
        const key = rungKey(rung);
        attributes[key] = value;
        const competing = context.trials.flatMap((other) => (other.number !== trial.number && other.attributes[key] !== undefined ? [other.attributes[key]] : []));
        competing.push(value);
        if (competing.length <= bootstrapCount) return { prune: true, attributes };
        if (!isPromotable(value, competing, reductionFactor, context.direction)) return { prune: true, attributes };
        rung++;
      }
    },
  };
}

/** Optuna's `_estimate_min_resource`: a hundredth of the longest complete trial. */
function estimateMinResource(trials: readonly Trial[]): number | undefined {
  const steps = trials.flatMap((trial) => {
    const step = trial.state === 'complete' ? lastStep(trial) : undefined;
    return step === undefined ? [] : [step];
  });
  if (steps.length === 0) return undefined;
  return Math.max(Math.floor(Math.max(...steps) / 100), 1);
}

/** Whether the value ranks within the best floor(n / reductionFactor) of n competing values (the best one when that is 0). */
function isPromotable(value: number, competing: number[], reductionFactor: number, direction: Direction): boolean {
  const index = Math.max(Math.floor(competing.length / reductionFactor) - 1, 0);
  competing.sort((a, b) => a - b);
  return direction === 'maximize' ? value >= (competing[competing.length - 1 - index] as number) : value <= (competing[index] as number);
}
