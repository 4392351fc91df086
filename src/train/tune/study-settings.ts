/**
 * What a stored study remembers besides its trials: how it samples, how it prunes and what it optimises,
 * as plain JSON, so that a resumed study, a worker thread and a worker on another machine rebuild the same
 * sampler, pruner and objective from the metadata store alone.
 */
import { mersenneTwister } from '../../stats/mersenne-twister.js';
import { medianPruner } from '../tuning/median-pruner.js';
import { noPruner, type Pruner } from '../tuning/pruner.js';
import { randomSampler } from '../tuning/random-sampler.js';
import type { Sampler } from '../tuning/sampler.js';
import type { SearchSpace } from '../tuning/search-space.js';
import { successiveHalvingPruner } from '../tuning/successive-halving-pruner.js';
import { tpeSampler } from '../tuning/tpe-sampler.js';
import type { Direction } from '../tuning/trial.js';
import type { ObjectiveSpec } from './objective.js';

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

export interface StudySettings {
  name: string;
  direction: Direction;
  space: SearchSpace;
  sampler: SamplerSettings;
  pruner: PrunerSettings;
  objective: ObjectiveSpec;
  /** The tracking run each trial's run nests under. */
  parentRunId?: string;
}

export interface StudyRecord extends StudySettings {
  id: number;
  createdAt: string;
  createdBy: string;
}

/**
 * The sampler of a study. Its random numbers come from MT19937 seeded as numpy's `RandomState(seed)`, one
 * generator for TPE and another with the same seed for its startup trials, as Optuna's
 * `TPESampler(seed=seed)` holds them: a TPE study with seed s proposes what Optuna 3.1's TPE proposes with
 * seed s (src/train/tuning/tpe-sampler.test.ts checks it trial by trial against Optuna's runs), so a team
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
