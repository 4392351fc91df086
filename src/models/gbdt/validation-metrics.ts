/** The metrics early stopping watches, on predictions after the link (probabilities for classifiers). */
import { logLossOfRows } from '../../metrics/log-loss.js';
import { rocAucOfRows } from '../../metrics/roc-auc.js';

export const VALIDATION_METRICS = ['auc', 'logloss', 'multi-logloss', 'rmse', 'mae'] as const;
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

/** The metric's value; rows x outputs predictions, labels as class indices for multi-logloss. */
export function metricValue(metric: ValidationMetric, predictions: Float64Array, label: Float64Array, outputs: number): number {
  const rows = label.length;
  switch (metric) {
    case 'auc':
      return rocAucOfRows(label, predictions);
    case 'logloss':
      return logLossOfRows(label, predictions);
    case 'multi-logloss': {
      let sum = 0;
      for (let row = 0; row < rows; row++) sum -= Math.log(Math.max(predictions[row * outputs + (label[row] as number)] as number, 1e-15));
      return sum / rows;
    }
    case 'rmse':
    case 'mae': {
      let sum = 0;
      for (let row = 0; row < rows; row++) {
        const error = (predictions[row] as number) - (label[row] as number);
        sum += metric === 'rmse' ? error * error : Math.abs(error);
      }
      return metric === 'rmse' ? Math.sqrt(sum / rows) : sum / rows;
    }
  }
}
