/** Watching a validation set during training: its metric per round, and when to stop early. */
import { MlcycleError } from '../../error.js';
import { applyLink, leafIndex, type FlatTree } from '../trees/tree-ensemble.js';
import type { GbdtObjective } from './objectives.js';
import { metricValue, type ValidationMetric } from './validation-metrics.js';

/** A held-out set watched during training; training stops when its metric has not improved for `patience` rounds. */
export interface Validation {
  columns: Float64Array[];
  label: Float64Array;
  metric?: ValidationMetric;
  /** 0 to watch without stopping. */
  patience?: number;
  /**
   * Called after each round with the metric (computed from scores kept up to date tree by tree, so a
   * round costs one pass over the new trees and the metric); returning `stop` ends training there and
   * keeps every round so far.
   */
  onRound?: (round: number, value: number) => 'continue' | 'stop';
}

/**
 * Keeps the validation set's raw scores up to date tree by tree, records the metric after each round, and
 * says when `patience` rounds have passed without improvement.
 */
export function watchValidation(validation: Validation, objective: GbdtObjective, outputs: number, initScores: readonly number[], features: number) {
  const rows = validation.label.length;
  if (validation.columns.length !== features) {
    throw new MlcycleError('invalid_input', `the validation set has ${validation.columns.length} features, the training set ${features}`);
  }
  const rowMajor = new Float64Array(rows * features);
  validation.columns.forEach((column, f) => {
    if (column.length !== rows) throw new MlcycleError('invalid_input', `validation feature ${f} has ${column.length} values for ${rows} labels`);
    for (let row = 0; row < rows; row++) rowMajor[row * features + f] = column[row] as number;
  });
  const metric = validation.metric ?? (objective === 'binary' ? 'auc' : objective === 'multiclass' ? 'multi-logloss' : objective === 'regression_l1' ? 'mae' : 'rmse');
  const patience = validation.patience ?? 0;
  const raw = new Float64Array(rows * outputs);
  for (let row = 0; row < rows; row++) for (let k = 0; k < outputs; k++) raw[row * outputs + k] = initScores[k] as number;
  const link = objective === 'binary' ? 'logistic' : objective === 'multiclass' ? 'softmax' : 'identity';
  const history: { round: number; value: number }[] = [];
  const higherIsBetter = metric === 'auc';
  let best = 0;
  let added = 0;
  let stopped = false;
  return {
    history,
    /** True when onRound stopped training (rather than early stopping). */
    stoppedByCallback: (): boolean => stopped,
    bestRound: (): number => (history.length === 0 ? 0 : (history[best] as { round: number }).round),
    /** Adds the newest round's trees; true when training should stop. */
    after(trees: readonly FlatTree[], round: number): boolean {
      for (; added < trees.length; added++) {
        const tree = trees[added] as FlatTree;
        const k = added % outputs;
        for (let row = 0; row < rows; row++) raw[row * outputs + k] = (raw[row * outputs + k] as number) + (tree.leafValue[leafIndex(tree, rowMajor, row * features)] as number);
      }
      const predictions = applyLink({ link, outputs, logisticSlope: 1 }, Float64Array.from(raw));
      const value = metricValue(metric, predictions, validation.label, outputs);
      history.push({ round, value });
      const current = history.length - 1;
      const bestValue = (history[best] as { value: number }).value;
      if (current === 0 || (higherIsBetter ? value > bestValue : value < bestValue)) best = current;
      if (validation.onRound?.(round, value) === 'stop') {
        stopped = true;
        return true;
      }
      return patience > 0 && current - best >= patience;
    },
  };
}
