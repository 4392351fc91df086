/** Trials of a tuning study: what a sampler, a pruner and a storage back end all read. */
import type { ParameterValue } from './search-space.js';

/** `running` until told; then complete (with a value), pruned (stopped early by a pruner) or failed. */
export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';

export type Direction = 'minimize' | 'maximize';

/** A trial as stored: its parameters, intermediate values by step, and its outcome once finished. */
export interface Trial {
  /** 0, 1, 2... in the order trials were asked for. */
  number: number;
  state: TrialState;
  params: Readonly<Record<string, ParameterValue>>;
  /** The objective value of a complete trial. */
  value?: number;
  /** Intermediate objective values by step (for example a validation metric per boosting round), steps ascending. */
  intermediateValues: ReadonlyMap<number, number>;
  /** Values a pruner keeps per trial, such as the value with which a trial completed a successive-halving rung. */
  attributes: Readonly<Record<string, number>>;
}

/** The trial's last reported step, if any. */
export function lastStep(trial: Trial): number | undefined {
  let last: number | undefined;
  for (const step of trial.intermediateValues.keys()) if (last === undefined || step > last) last = step;
  return last;
}

/** Whether `a` is a better objective value than `b` in the given direction. */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === 'minimize' ? a < b : a > b;
}
