/** The evaluate step's work: the spec's ML metrics of a model's validation predictions. */
import { logLoss, rocAuc, rSquared } from '../../../evaluate/ranking-metrics.js';
import { metricValue } from '../../../models/gbdt/validation-metrics.js';
import { MlcycleError } from '../../../error.js';

/** Each metric's value; predictions hold `outputs` values per row for multiclass models. */
export function scorePredictions(metrics: readonly string[], predictions: Float64Array, label: Float64Array): Record<string, number> {
  const rows = label.length;
  const outputs = rows === 0 ? 1 : predictions.length / rows;
  const scores: Record<string, number> = {};
  for (const metric of metrics) {
    switch (metric) {
      case 'roc_auc':
        scores[metric] = rocAuc(predictions, label);
        break;
      case 'log_loss':
        scores[metric] = outputs > 1 ? metricValue('multi-logloss', predictions, label, outputs) : logLoss(predictions, label);
        break;
      case 'rmse':
      case 'mae':
        scores[metric] = metricValue(metric, predictions, label, 1);
        break;
      case 'r2':
        scores[metric] = rSquared(predictions, label);
        break;
      default:
        throw new MlcycleError('internal', `metric ${metric} has no implementation in pipelines`);
    }
  }
  return scores;
}
