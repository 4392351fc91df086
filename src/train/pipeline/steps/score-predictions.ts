/**
 * The evaluate step's work: the spec's ML metrics of a model's validation predictions, by the evaluate
 * module's functions (each equal to scikit-learn's, test/fixtures/evaluate/), so that a pipeline run and
 * `mlcycle evaluate` report the same numbers.
 */
import { binaryLogLoss } from '../../../metrics/log-loss.js';
import { rocAucScore } from '../../../metrics/roc-auc.js';
import { multiclassLogLoss } from '../../../evaluate/multiclass-metrics.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from '../../../evaluate/regression-metrics.js';
import { MlcycleError } from '../../../error.js';

/** Each metric's value; predictions hold `outputs` values per row for multiclass models. */
export function scorePredictions(metrics: readonly string[], predictions: Float64Array, label: Float64Array): Record<string, number> {
  const rows = label.length;
  const outputs = rows === 0 ? 1 : predictions.length / rows;
  const scores: Record<string, number> = {};
  for (const metric of metrics) {
    switch (metric) {
      case 'roc_auc':
        scores[metric] = rocAucScore(label, predictions);
        break;
      case 'log_loss':
        scores[metric] = outputs > 1 ? multiclassLogLoss(label, { values: predictions, classes: outputs }) : binaryLogLoss(label, predictions);
        break;
      case 'rmse':
        scores[metric] = rootMeanSquaredError(label, predictions);
        break;
      case 'mae':
        scores[metric] = meanAbsoluteError(label, predictions);
        break;
      case 'r2':
        scores[metric] = r2Score(label, predictions);
        break;
      default:
        throw new MlcycleError('internal', `metric ${metric} has no implementation in pipelines`);
    }
  }
  return scores;
}
