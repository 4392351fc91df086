/**
 * How a study samples and prunes, as plain JSON, so that a resumed study, a worker thread and a worker on
 * another machine rebuild the same sampler and pruner from what the study store keeps.
 */
import { mersenneTwister } from '../stats/mersenne-twister.js';
import { medianPruner } from './median-pruner.js';
import { noPruner, type Pruner } from './pruner.js';
import { randomSampler } from './random-sampler.js';
import type { Sampler } from './sampler.js';
import { successiveHalvingPruner } from './successive-halving-pruner.js';
import { tpeSampler } from './tpe-sampler.js';

export const SAMPLER_KINDS = ['tpe', 'random'] as const;
export const PRUNER_KINDS = ['median', 'asha', 'none'] as const;

export interface SamplerSettings {
  kind: (typeof SAMPLER_KINDS)[number];
  seed: number;
}

/** Optuna's defaults apply to whatever is left out (see median-pruner.ts and successive-halving-pruner.ts). */
export interface PrunerSettings {
  kind: (typeof PRUNER_KINDS)[number];
  nStartupTrials?: number;
  nWarmupSteps?: number;
  minResource?: number;
  reductionFactor?: number;
}

/**
 * The sampler of a study. Its random numbers come from MT19937 seeded as numpy's `RandomState(seed)`, one
 * generator for TPE and another with the same seed for its startup trials, as Optuna's
 * `TPESampler(seed=seed)` holds them: a TPE study with seed s proposes what Optuna 3.1's TPE proposes with
 * seed s (src/optimizer/tpe-sampler.test.ts checks it trial by trial against Optuna's runs), so a team
 * moving from Optuna keeps its seeds' results. `resumedAt` (the number of trials already stored)
 * shifts the seed, so that a resumed study does not replay the random draws of its first session.
 */
export function makeSampler(settings: SamplerSettings, resumedAt = 0): Sampler {
  const seed = (settings.seed + 1_000_003 * resumedAt) >>> 0;
  if (settings.kind === 'random') return randomSampler(mersenneTwister(seed));
  return tpeSampler({ random: mersenneTwister(seed), startupRandom: mersenneTwister(seed) });
}

/** The pruner of a study. */
export function makePruner(settings: PrunerSettings): Pruner {
  if (settings.kind === 'none') return noPruner;
  if (settings.kind === 'median') {
    return medianPruner({
      ...(settings.nStartupTrials === undefined ? {} : { nStartupTrials: settings.nStartupTrials }),
      ...(settings.nWarmupSteps === undefined ? {} : { nWarmupSteps: settings.nWarmupSteps }),
    });
  }
  return successiveHalvingPruner({
    ...(settings.minResource === undefined ? {} : { minResource: settings.minResource }),
    ...(settings.reductionFactor === undefined ? {} : { reductionFactor: settings.reductionFactor }),
  });
}
