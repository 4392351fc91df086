/**
 * The ML metrics mlcycle computes, per task. The spec may only set targets for metrics of its task, so
 * that offline evaluation and the board never meet a metric name they cannot compute.
 */
import type { TaskType } from './spec-schema.js';

export interface MlMetricDefinition {
  tasks: readonly TaskType[];
  /** Whether a larger value is better; the board compares targets in this direction. */
  higherIsBetter: boolean;
  /** The closed range of possible values, where there is one. */
  range?: readonly [number, number];
  /** Whether the metric is cut at a rank `k` (NDCG@k, MAP@k, lift at k%). */
  needsK?: boolean;
  description: string;
}

export const ML_METRICS = {
  roc_auc: { tasks: ['binary'], higherIsBetter: true, range: [0, 1], description: 'area under the ROC curve' },
  pr_auc: { tasks: ['binary'], higherIsBetter: true, range: [0, 1], description: 'area under the precision-recall curve' },
  log_loss: { tasks: ['binary', 'multiclass'], higherIsBetter: false, range: [0, Infinity], description: 'logarithmic loss' },
  brier: { tasks: ['binary'], higherIsBetter: false, range: [0, 1], description: 'Brier score' },
  accuracy: { tasks: ['binary', 'multiclass'], higherIsBetter: true, range: [0, 1], description: 'share of correct decisions' },
  precision: { tasks: ['binary'], higherIsBetter: true, range: [0, 1], description: 'precision at the decision threshold' },
  recall: { tasks: ['binary'], higherIsBetter: true, range: [0, 1], description: 'recall at the decision threshold' },
  f1: { tasks: ['binary'], higherIsBetter: true, range: [0, 1], description: 'F1 at the decision threshold' },
  ece: { tasks: ['binary'], higherIsBetter: false, range: [0, 1], description: 'expected calibration error' },
  lift_at_k: { tasks: ['binary'], higherIsBetter: true, range: [0, Infinity], needsK: true, description: 'lift in the top k percent' },
  macro_f1: { tasks: ['multiclass'], higherIsBetter: true, range: [0, 1], description: 'unweighted mean of per-class F1' },
  weighted_f1: { tasks: ['multiclass'], higherIsBetter: true, range: [0, 1], description: 'support-weighted mean of per-class F1' },
  ovr_auc: { tasks: ['multiclass'], higherIsBetter: true, range: [0, 1], description: 'one-vs-rest ROC AUC, macro-averaged' },
  rmse: { tasks: ['regression'], higherIsBetter: false, range: [0, Infinity], description: 'root mean squared error' },
  mae: { tasks: ['regression'], higherIsBetter: false, range: [0, Infinity], description: 'mean absolute error' },
  mape: { tasks: ['regression'], higherIsBetter: false, range: [0, Infinity], description: 'mean absolute percentage error' },
  r2: { tasks: ['regression'], higherIsBetter: true, range: [-Infinity, 1], description: 'coefficient of determination' },
  ndcg_at_k: { tasks: ['ranking'], higherIsBetter: true, range: [0, 1], needsK: true, description: 'normalised discounted cumulative gain at k' },
  map_at_k: { tasks: ['ranking'], higherIsBetter: true, range: [0, 1], needsK: true, description: 'mean average precision at k' },
  mrr: { tasks: ['ranking'], higherIsBetter: true, range: [0, 1], description: 'mean reciprocal rank' },
} as const satisfies Record<string, MlMetricDefinition>;

export type MlMetricName = keyof typeof ML_METRICS;

/** The catalogue entry of a metric name, or undefined for a name mlcycle does not know. */
export function findMlMetric(name: string): MlMetricDefinition | undefined {
  return Object.hasOwn(ML_METRICS, name) ? ML_METRICS[name as MlMetricName] : undefined;
}

/** The metric names that apply to a task, in catalogue order. */
export function mlMetricsForTask(task: TaskType): MlMetricName[] {
  return (Object.keys(ML_METRICS) as MlMetricName[]).filter((name) =>
    (ML_METRICS[name].tasks as readonly TaskType[]).includes(task),
  );
}
