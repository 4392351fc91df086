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

/**
 * The metric a GBDT watches each round: the pipeline's first metric where the trainer computes it for the
 * objective, else the trainer's default for the objective (src/models/gbdt/validation-watch.ts).
 */
export function roundMetricFor(objective: string, firstMetric: string | undefined): ValidationMetric {
  if (objective === 'binary') return firstMetric === 'log_loss' ? 'logloss' : 'auc';
  if (objective === 'multiclass') return 'multi-logloss';
  if (firstMetric === 'mae' || firstMetric === 'rmse') return firstMetric;
  return objective === 'regression_l1' ? 'mae' : 'rmse';
}

/** Whether larger values of a computed metric are better. */
export function higherIsBetter(metric: string): boolean {
  return metric === 'roc_auc' || metric === 'r2';
}
