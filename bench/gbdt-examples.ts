/**
 * Gradient boosting on LightGBM's example data (issue 5, data b): binary, regression and multiclass, 100
 * rounds of 31 leaves, against XGBoost `hist` and scikit-learn's HistGradientBoosting in the same run.
 * Prints per task the test metric (reference: the better library) and the training time (reference:
 * XGBoost). The metrics are oriented as named: AUC higher is better, RMSE and log-loss lower.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricValue, type ValidationMetric } from '../src/models/gbdt/validation-metrics.js';
import { trainGbdt, type GbdtObjective } from '../src/models/gbdt/train-gbdt.js';
import { predictEnsemble } from '../src/models/trees/tree-ensemble.js';
import { readLabelledFile } from '../test/support/labelled-file.js';
import { TEST_DATA } from '../test/support/test-data.js';
import { report } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLES = path.join(TEST_DATA, 'lightgbm-examples');
const TASKS: { task: string; objective: GbdtObjective; metric: ValidationMetric; measure: string; higherIsBetter: boolean }[] = [
  { task: 'binary', objective: 'binary', metric: 'auc', measure: 'auc', higherIsBetter: true },
  { task: 'regression', objective: 'regression', metric: 'rmse', measure: 'rmse', higherIsBetter: false },
  { task: 'multiclass', objective: 'multiclass', metric: 'multi-logloss', measure: 'logloss', higherIsBetter: false },
];

type Reference = Record<string, Record<'xgboost' | 'sklearn', { seconds: number; metric: number }>>;

/** Runs the example tasks and prints their summary lines. */
export function benchGbdtExamples(): void {
  const reference = JSON.parse(execFileSync('/usr/bin/python3', [path.join(here, 'gbdt-examples-reference.py'), EXAMPLES], { encoding: 'utf8' })) as Reference;
  for (const { task, objective, metric, measure, higherIsBetter } of TASKS) {
    const train = readLabelledFile(path.join(EXAMPLES, `${task}.train`));
    const test = readLabelledFile(path.join(EXAMPLES, `${task}.test`));
    const start = performance.now();
    const model = trainGbdt({ columns: train.columns, label: train.label }, { objective, rounds: 100, numLeaves: 31, threads: 2 });
    const seconds = (performance.now() - start) / 1000;
    const value = metricValue(metric, predictEnsemble(model.ensemble, test.rowMajor, test.rows), test.label, model.ensemble.outputs);
    const { xgboost, sklearn } = reference[task] as Reference[string];
    const better = higherIsBetter ? Math.max(xgboost.metric, sklearn.metric) : Math.min(xgboost.metric, sklearn.metric);
    console.log(`${task}: load average (1 min) ${os.loadavg()[0]?.toFixed(1)}; xgboost ${measure} ${xgboost.metric.toFixed(4)} in ${xgboost.seconds.toFixed(2)} s; scikit-learn ${sklearn.metric.toFixed(4)} in ${sklearn.seconds.toFixed(2)} s`);
    report(`gbdt.examples-${task}-${measure}`, value, better);
    report(`gbdt.examples-${task}-train-s`, seconds, xgboost.seconds);
  }
}
