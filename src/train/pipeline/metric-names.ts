/**
 * The spec's ML metrics that pipelines compute on validation data, and the GBDT validation metric that
 * follows each of them round by round. The rest of the catalogue (src/problem/ml-metric-catalogue.ts) is
 * left out of a pipeline until the evaluation stage computes it.
 */
import type { ValidationMetric } from '../../models/gbdt/validation-metrics.js';

export const COMPUTED_METRICS: ReadonlySet<string> = new Set(['roc_auc', 'log_loss', 'rmse', 'mae', 'r2']);

export const DEFAULT_METRICS: Readonly<Record<string, readonly string[]>> = {
  binary: ['roc_auc', 'log_loss'],
  regression: ['rmse', 'mae', 'r2'],
  multiclass: ['log_loss'],
};

/** The metric a GBDT watches per round for a spec metric, where they agree. */
export const ROUND_METRIC: Readonly<Record<string, ValidationMetric>> = { roc_auc: 'auc', log_loss: 'logloss', rmse: 'rmse', mae: 'mae' };

/** Whether larger values of a computed metric are better. */
export function higherIsBetter(metric: string): boolean {
  return metric === 'roc_auc' || metric === 'r2';
}
