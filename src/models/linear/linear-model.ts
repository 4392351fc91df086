/**
 * Linear models as mlcycle saves them: the input signature, the feature pipeline, and the penalised fit
 * (penalised-fit.ts, scikit-learn's parameterisation: `alpha` for linear regression as in Lasso and
 * ElasticNet, `C` for logistic regression as in LogisticRegression). Training checks its inputs and
 * reports problems as MlcycleErrors that name them; prediction reads raw named columns through the same
 * signature and pipeline as training, so a loaded model predicts bit for bit as the one saved.
 */
import { MlcycleError } from '../../error.js';
import { inferSignature, resolveInputs, type FeatureSignature, type ModelInput } from '../input-signature.js';
import { featureNames, fitPipeline, transformInputs, type FeaturePipeline, type PipelineOptions } from '../pipeline/feature-pipeline.js';
import { linearScores, sigmoid } from './linear-models.js';
import { fitElasticNet, fitPenalisedLogistic } from './penalised-fit.js';

export type LinearLearner = 'linear-regression' | 'logistic-regression';
export type Penalty = 'l1' | 'l2' | 'elasticnet';

export interface LinearParams {
  penalty: Penalty;
  /** Linear regression's penalty strength (scikit-learn's alpha). */
  alpha?: number;
  /** Logistic regression's inverse penalty strength (scikit-learn's C). */
  C?: number;
  /** Elastic net's mixing, 1 for L1, 0 for L2; set by the penalty unless elastic net. */
  l1Ratio: number;
  tolerance: number;
  maxIterations: number;
}

export interface LinearModel {
  kind: 'linear';
  learner: LinearLearner;
  params: LinearParams;
  /** The raw input columns the model reads. */
  features: FeatureSignature[];
  pipeline: FeaturePipeline;
  /** One weight per pipeline feature (featureNames(pipeline)). */
  weights: Float64Array;
  intercept: number;
  training: Record<string, unknown>;
}

export interface LinearTrainingOptions {
  learner: LinearLearner;
  /** Input columns; the type is inferred (numeric when every value is a number) unless given. */
  features: readonly { name: string; type?: 'numeric' | 'categorical' }[];
  penalty?: Penalty;
  alpha?: number;
  C?: number;
  l1Ratio?: number;
  tolerance?: number;
  /** Coordinate passes (linear) or Newton steps (logistic) at most. */
  maxIterations?: number;
  sampleWeight?: ArrayLike<number>;
  pipeline?: PipelineOptions;
}

function fail(path: string, message: string): never {
  throw new MlcycleError('invalid_input', `${path}: ${message}`, { issues: [{ path, message }] });
}

function checkTraining(label: ArrayLike<number>, rows: number, options: LinearTrainingOptions): void {
  if (rows === 0 || label.length === 0) fail('rows', 'no training rows: a linear model needs at least one labelled row');
  if (label.length !== rows) fail('label', `${label.length} labels for ${rows} input rows`);
  const classes = new Set<number>();
  for (let row = 0; row < rows; row++) {
    const value = label[row] as number;
    if (!Number.isFinite(value)) fail(`label[${row}]`, `the label of row ${row} is missing or not a number (${String(value)})`);
    if (options.learner === 'logistic-regression') {
      if (value !== 0 && value !== 1) fail(`label[${row}]`, `logistic regression takes labels 0 and 1, row ${row} has ${value}`);
      classes.add(value);
    }
  }
  if (options.learner === 'logistic-regression' && classes.size < 2) fail('label', `logistic regression needs both classes, every label is ${[...classes][0]}`);
  const weights = options.sampleWeight;
  if (weights !== undefined) {
    if (weights.length !== rows) fail('sampleWeight', `${weights.length} weights for ${rows} rows`);
    let total = 0;
    for (let row = 0; row < rows; row++) {
      const weight = weights[row] as number;
      if (!(weight >= 0 && Number.isFinite(weight))) fail(`sampleWeight[${row}]`, `expected a finite weight of at least 0, not ${weight}`);
      total += weight;
    }
    if (!(total > 0)) fail('sampleWeight', 'the weights sum to 0');
  }
}

function paramsOf(options: LinearTrainingOptions): LinearParams {
  const penalty = options.penalty ?? 'l2';
  const l1Ratio = penalty === 'l1' ? 1 : penalty === 'l2' ? 0 : (options.l1Ratio ?? 0.5);
  if (!(l1Ratio >= 0 && l1Ratio <= 1)) fail('l1Ratio', `expected a number in [0, 1], not ${l1Ratio}`);
  const common = { penalty, l1Ratio, tolerance: options.tolerance ?? 1e-12, maxIterations: options.maxIterations ?? (options.learner === 'logistic-regression' ? 100 : 100_000) };
  if (options.learner === 'linear-regression') {
    const alpha = options.alpha ?? 1;
    if (!(alpha >= 0 && Number.isFinite(alpha))) fail('alpha', `expected a finite number of at least 0, not ${alpha}`);
    return { ...common, alpha };
  }
  const C = options.C ?? 1;
  if (!(C > 0 && Number.isFinite(C))) fail('C', `expected a finite number above 0, not ${C}`);
  return { ...common, C };
}

/** Fits the pipeline and the penalised model on named input columns and labels. */
export function trainLinearModel(input: ModelInput, label: ArrayLike<number>, options: LinearTrainingOptions): LinearModel {
  const params = paramsOf(options);
  const features = inferSignature(input, options.features);
  const resolved = resolveInputs(features, input);
  checkTraining(label, resolved.rows, options);
  const { pipeline, matrix } = fitPipeline(features, resolved, label, options.pipeline);
  const settings = { l1Ratio: params.l1Ratio, tolerance: params.tolerance, maxIterations: params.maxIterations };
  const fit =
    options.learner === 'linear-regression'
      ? fitElasticNet(matrix, label, params.alpha ?? 1, settings, options.sampleWeight)
      : fitPenalisedLogistic(matrix, label, params.C ?? 1, settings, options.sampleWeight);
  const names = featureNames(pipeline);
  return {
    kind: 'linear',
    learner: options.learner,
    params,
    features,
    pipeline,
    weights: fit.weights,
    intercept: fit.intercept,
    training: {
      rows: resolved.rows,
      objective: fit.objective,
      iterations: fit.iterations,
      coordinatePasses: fit.passes,
      converged: fit.converged,
      nonZeroWeights: names.filter((_, feature) => fit.weights[feature] !== 0),
    },
  };
}

/** Predictions for named input columns: P(y = 1) for logistic regression, the mean for linear. */
export function predictLinearModel(model: LinearModel, input: ModelInput): Float64Array {
  const matrix = transformInputs(model.pipeline, model.features, resolveInputs(model.features, input));
  const scores = linearScores(matrix, model);
  if (model.learner === 'logistic-regression') {
    for (let row = 0; row < scores.length; row++) scores[row] = sigmoid(scores[row] as number);
  }
  return scores;
}
