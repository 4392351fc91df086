/** The interface of pruners: after each reported intermediate value, should the trial stop? */
import type { Direction, Trial } from './trial.js';

/** What a pruner may look at: every trial of the study (the one being judged included) and the direction. */
export interface PruningContext {
  trials: readonly Trial[];
  direction: Direction;
}

/** Whether to stop, and values to keep on the trial for later decisions (successive halving's rung values). */
export interface PruneDecision {
  prune: boolean;
  attributes: Record<string, number>;
}

export interface Pruner {
  /** Judges `trial` at its last reported step. */
  prune(context: PruningContext, trial: Trial): PruneDecision;
}

/** A pruner that never prunes. */
export const noPruner: Pruner = { prune: () => ({ prune: false, attributes: {} }) };
