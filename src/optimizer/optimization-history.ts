/** The data of an optimisation-history chart (Optuna's `plot_optimization_history`): each complete trial's value and the best so far. */
import { isBetter, type Direction, type Trial } from './trial.js';

export interface HistoryPoint {
  trial: number;
  value: number;
  /** The best value of the complete trials up to and including this one. */
  best: number;
}

/** One point per complete trial, in trial order. */
export function optimizationHistory(trials: readonly Trial[], direction: Direction): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  let best: number | undefined;
  for (const trial of trials) {
    if (trial.state !== 'complete' || trial.value === undefined) continue;
    if (best === undefined || isBetter(trial.value, best, direction)) best = trial.value;
    points.push({ trial: trial.number, value: trial.value, best });
  }
  return points;
}
