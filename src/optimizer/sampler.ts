/** The interface every sampler implements; a study calls it once per parameter of a new trial. */
import type { Distribution, ParameterValue, SearchSpace } from './search-space.js';
import type { Direction, Trial } from './trial.js';

/** What a sampler may look at: the study's trials so far (the new one excluded) and its direction. */
export interface SamplingContext {
  trials: readonly Trial[];
  direction: Direction;
}

/** Proposes parameter values (Optuna's `BaseSampler`: relative sampling first, then independent). */
export interface Sampler {
  /** Values for parameters sampled jointly; those left out are sampled one by one. */
  sampleRelative?(context: SamplingContext, space: SearchSpace): Record<string, ParameterValue>;
  /** A value for one parameter, independently of the others. */
  sampleIndependent(context: SamplingContext, name: string, distribution: Distribution): ParameterValue;
}
