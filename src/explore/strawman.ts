/**
 * The strawman: is there signal? On up to STRAWMAN_MAX_ROWS rows (every k-th row in file order; fewer for
 * wide data, so that rows times the squared count of non-zero features per row stays under
 * STRAWMAN_WORK, the cost of one Newton step), five
 * folds by row position (row i in fold i mod 5) compare a trivial baseline (the training fold's prior or
 * mean) with an L2-regularised logistic or linear regression (lambda 1, scikit-learn's C = 1 / alpha = 1)
 * on standardised numbers (training-fold mean and population deviation; a missing value becomes the mean)
 * and one-hot categories (the STRAWMAN_LEVELS most frequent values, ties by value, plus "(other)" and
 * "(missing)"). Scores: AUC and log-loss for binary targets, R-squared and RMSE for regression.
 */
import { quoteIdentifier, type AnalyticsEngine, type SqlRow } from '../store/analytics.js';
import type { ColumnSchema } from '../store/dataset-store.js';
import { logLossOfRows } from '../metrics/log-loss.js';
import { rocAucOfRows } from '../metrics/roc-auc.js';
import { fitLogistic, fitRidge, linearScores, type FeatureMatrix } from '../models/linear/linear-models.js';
import type { FoldScores, Strawman } from './profile-types.js';

export const STRAWMAN_MAX_ROWS = 100_000;
export const STRAWMAN_FOLDS = 5;
export const STRAWMAN_LEVELS = 20;
export const STRAWMAN_LAMBDA = 1;
export const STRAWMAN_WORK = 15_000_000;

interface FeatureColumn {
  name: string;
  kind: 'number' | 'category';
  levels?: string[];
}

/**
 * Coefficient of determination, NaN for a constant test fold (no variance to explain), where scikit-learn's
 * `r2_score` (evaluate's r2Score) forces 1 or 0: the strawman reports no R-squared rather than a made-up one.
 */
function rSquared(predictions: ArrayLike<number>, targets: ArrayLike<number>): number {
  let mean = 0;
  for (let index = 0; index < targets.length; index++) mean += targets[index] ?? 0;
  mean /= targets.length;
  let residual = 0;
  let total = 0;
  for (let index = 0; index < targets.length; index++) {
    const target = targets[index] ?? 0;
    residual += (target - (predictions[index] ?? 0)) ** 2;
    total += (target - mean) ** 2;
  }
  return total === 0 ? NaN : 1 - residual / total;
}


function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation of the fold scores (n - 1), to show their spread. */
function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const average = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1));
}

function scores(metric: string, folds: number[]): FoldScores {
  return { metric, folds, mean: mean(folds), std: spread(folds) };
}

function levelsOf(rows: readonly SqlRow[], name: string): string[] {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const value = row[name];
    if (value !== null && value !== undefined) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, STRAWMAN_LEVELS)
    .map(([value]) => value);
}

/** Builds the feature matrix of some rows, with numeric scaling learnt on the training rows. */
function design(
  rows: readonly SqlRow[],
  train: readonly number[],
  subset: readonly number[],
  features: readonly FeatureColumn[],
  label: string,
): { matrix: FeatureMatrix; y: Float64Array } {
  const numbers = features.filter((feature) => feature.kind === 'number');
  const categories = features.filter((feature) => feature.kind === 'category');
  const scaling = numbers.map((feature) => {
    let sum = 0;
    let count = 0;
    for (const index of train) {
      const value = rows[index]?.[feature.name];
      if (typeof value === 'number') {
        sum += value;
        count++;
      }
    }
    const center = count === 0 ? 0 : sum / count;
    let squares = 0;
    for (const index of train) {
      const value = rows[index]?.[feature.name];
      if (typeof value === 'number') squares += (value - center) ** 2;
    }
    const scale = count === 0 ? 0 : Math.sqrt(squares / count);
    return { center, scale: scale > 0 ? scale : 1 };
  });
  // Each category owns its levels' slots, then "(other)", then "(missing)".
  const offsets: number[] = [];
  let width = numbers.length;
  for (const feature of categories) {
    offsets.push(width);
    width += (feature.levels?.length ?? 0) + 2;
  }
  const dense = new Float64Array(subset.length * numbers.length);
  const active = new Int32Array(subset.length * categories.length);
  const y = new Float64Array(subset.length);
  subset.forEach((index, position) => {
    const row = rows[index] ?? {};
    y[position] = Number(row[label]);
    numbers.forEach((feature, column) => {
      const value = row[feature.name];
      const { center, scale } = scaling[column] ?? { center: 0, scale: 1 };
      dense[position * numbers.length + column] = typeof value === 'number' ? (value - center) / scale : 0;
    });
    categories.forEach((feature, column) => {
      const value = row[feature.name];
      const levels = feature.levels ?? [];
      const found = value === null || value === undefined ? levels.length + 1 : levels.indexOf(String(value));
      active[position * categories.length + column] = (offsets[column] ?? 0) + (found < 0 ? levels.length : found);
    });
  });
  return { matrix: { rows: subset.length, dense, denseWidth: numbers.length, active, activeWidth: categories.length, features: width }, y };
}

/** Cross-validates the baseline and the regularised linear model. */
export async function fitStrawman(
  engine: AnalyticsEngine,
  numberedTable: string,
  rowCount: number,
  columns: readonly ColumnSchema[],
  featureNames: readonly string[],
  target: { sql: string; labelSql: string; task: 'binary' | 'regression' },
): Promise<Strawman | string> {
  const features: FeatureColumn[] = columns
    .filter((column) => featureNames.includes(column.name))
    .flatMap((column): FeatureColumn[] => {
      if (column.semanticType === 'numeric' || column.semanticType === 'integer') return [{ name: column.name, kind: 'number' }];
      if (column.semanticType === 'categorical' || column.semanticType === 'boolean') return [{ name: column.name, kind: 'category' }];
      return [];
    });
  if (features.length === 0) return 'no numeric or categorical feature columns';
  const perRow = features.length + 1;
  const maxRows = Math.min(STRAWMAN_MAX_ROWS, Math.floor(STRAWMAN_WORK / (perRow * perRow)));
  const step = Math.max(1, Math.ceil(rowCount / maxRows));
  const select = features.map((feature, index) => {
    const name = quoteIdentifier(feature.name);
    return feature.kind === 'number' ? `CASE WHEN isinf(${name}::DOUBLE) THEN NULL ELSE ${name}::DOUBLE END AS f${index}` : `${name}::VARCHAR AS f${index}`;
  });
  const label = target.task === 'binary' ? target.labelSql : `(${target.sql})::DOUBLE`;
  const rows = await engine.query(
    `SELECT ${label} AS label, ${select.join(', ')} FROM ${numberedTable} WHERE ${target.sql} IS NOT NULL AND file_row_number % ${step} = 0 ORDER BY file_row_number`,
  );
  const renamed: FeatureColumn[] = features.map((feature, index) => ({ ...feature, name: `f${index}` }));
  for (const feature of renamed) if (feature.kind === 'category') feature.levels = levelsOf(rows, feature.name);
  const folds = Array.from({ length: STRAWMAN_FOLDS }, (_, fold) => rows.map((_, index) => index).filter((index) => index % STRAWMAN_FOLDS === fold));
  const baseline: Record<string, number[]> = {};
  const model: Record<string, number[]> = {};
  const push = (target: Record<string, number[]>, metric: string, value: number): void => {
    (target[metric] ??= []).push(value);
  };
  for (const test of folds) {
    const testSet = new Set(test);
    const train = rows.map((_, index) => index).filter((index) => !testSet.has(index));
    const trainData = design(rows, train, train, renamed, 'label');
    const testData = design(rows, train, test, renamed, 'label');
    const trainMean = mean(Array.from(trainData.y));
    if (target.task === 'binary') {
      const fit = fitLogistic(trainData.matrix, trainData.y, STRAWMAN_LAMBDA);
      const probabilities = Array.from(linearScores(testData.matrix, fit), (score) => 1 / (1 + Math.exp(-score)));
      push(model, 'auc', rocAucOfRows(testData.y, probabilities));
      push(model, 'log-loss', logLossOfRows(testData.y, probabilities));
      push(baseline, 'auc', 0.5);
      push(baseline, 'log-loss', logLossOfRows(testData.y, new Float64Array(test.length).fill(trainMean)));
    } else {
      const fit = fitRidge(trainData.matrix, trainData.y, STRAWMAN_LAMBDA);
      const predictions = linearScores(testData.matrix, fit);
      const constant = new Float64Array(test.length).fill(trainMean);
      push(model, 'r2', rSquared(predictions, testData.y));
      push(model, 'rmse', Math.sqrt(mean(Array.from(testData.y, (value, index) => (value - (predictions[index] ?? 0)) ** 2))));
      push(baseline, 'r2', rSquared(constant, testData.y));
      push(baseline, 'rmse', Math.sqrt(mean(Array.from(testData.y, (value) => (value - trainMean) ** 2))));
    }
  }
  const primary = target.task === 'binary' ? 'auc' : 'r2';
  const modelScores = Object.entries(model).map(([metric, values]) => scores(metric, values));
  const baselineScores = Object.entries(baseline).map(([metric, values]) => scores(metric, values));
  const main = modelScores.find((item) => item.metric === primary) as FoldScores;
  const base = baselineScores.find((item) => item.metric === primary) as FoldScores;
  const margin = main.mean - base.mean;
  const verdict =
    margin > 2 * main.std && margin > 0.01
      ? `signal: ${primary} ${main.mean.toFixed(3)} +- ${main.std.toFixed(3)} over ${STRAWMAN_FOLDS} folds against the baseline's ${base.mean.toFixed(3)}`
      : `no clear signal: ${primary} ${main.mean.toFixed(3)} +- ${main.std.toFixed(3)} against the baseline's ${base.mean.toFixed(3)}`;
  return {
    task: target.task,
    rowsUsed: rows.length,
    folds: STRAWMAN_FOLDS,
    features: features.map((feature) => feature.name),
    baseline: { name: target.task === 'binary' ? 'prior' : 'mean', scores: baselineScores },
    model: { name: target.task === 'binary' ? 'L2 logistic regression' : 'ridge regression', scores: modelScores },
    verdict,
  };
}
