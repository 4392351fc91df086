/**
 * Uniform random sampling as Optuna's `RandomSampler` does it (`optuna/samplers/_random.py` with
 * `optuna/_transform.py`): uniform in log space for log parameters, half a step beyond each end for stepped
 * ones before rounding, and the largest of one uniform draw per choice for categorical ones.
 */
import { nextDown } from '../stats/next-down.js';
import type { Random } from '../stats/random.js';
import type { Sampler } from './sampler.js';
import { roundHalfEven, snapToGrid, type Distribution, type ParameterValue } from './search-space.js';

/** A sampler that ignores history. */
export function randomSampler(random: Random): Sampler {
  return { sampleIndependent: (_context, _name, distribution) => sampleUniform(distribution, random) };
}

/** One uniform draw from a distribution. */
export function sampleUniform(distribution: Distribution, random: Random): ParameterValue {
  if (distribution.type === 'categorical') {
    let best = 0;
    let bestScore = -Infinity;
    distribution.choices.forEach((_, i) => {
      const score = random();
      if (score > bestScore) [best, bestScore] = [i, score];
    });
    return distribution.choices[best] as ParameterValue;
  }
  const { low, high } = distribution;
  const halfStep = distribution.type === 'int' ? 0.5 * distribution.step : 0.5 * (distribution.step ?? 0);
  if (distribution.type === 'int' && distribution.log) {
    const x = uniform(random, Math.log(low - halfStep), Math.log(high + halfStep));
    return Math.min(Math.max(roundHalfEven(Math.exp(x)), low), high);
  }
  if (distribution.log) return Math.min(Math.exp(uniform(random, Math.log(low), Math.log(high))), nextDown(high));
  const x = uniform(random, low - halfStep, high + halfStep);
  if (distribution.type === 'int' || distribution.step !== undefined) return snapToGrid(distribution, x);
  return Math.min(x, nextDown(high));
}

function uniform(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

