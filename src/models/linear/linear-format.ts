/**
 * Linear models in mlcycle's JSON model format (model-format.ts): the learner, its parameters, the input
 * signature, the feature pipeline, the weights and intercept, and training metadata. Numbers are written
 * as JSON numbers, which round-trip exactly, so a loaded model predicts bit for bit as the one saved.
 * Reading checks that the pipeline fits the signature and the weights fit the pipeline; errors name the
 * field.
 */
import { MlcycleError } from '../../error.js';
import type { FeatureSignature } from '../input-signature.js';
import { featureNames, type ColumnStep, type FeaturePipeline } from '../pipeline/feature-pipeline.js';
import type { LinearLearner, LinearModel, LinearParams } from './linear-model.js';

const LEARNERS: readonly LinearLearner[] = ['linear-regression', 'logistic-regression'];

/** The JSON fields of a linear model, beside the format's own (format, version, kind). */
export function linearModelFields(model: LinearModel): Record<string, unknown> {
  return {
    learner: model.learner,
    params: model.params,
    features: model.features,
    training: model.training,
    pipeline: model.pipeline,
    weights: Array.from(model.weights),
    intercept: model.intercept,
  };
}

function invalid(label: string, path: string, message: string): MlcycleError {
  return new MlcycleError('invalid_input', `${label}: ${path}: ${message}`, { issues: [{ path, message }] });
}

function finiteNumber(label: string, path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(label, path, 'expected a finite number');
  return value;
}

function stringList(label: string, path: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalid(label, path, 'expected a list of strings');
  return value as string[];
}

function readStep(label: string, raw: unknown, feature: FeatureSignature, index: number): ColumnStep {
  const path = `pipeline.steps[${index}]`;
  const step = (raw ?? {}) as Record<string, unknown>;
  if (step.name !== feature.name) throw invalid(label, `${path}.name`, `expected "${feature.name}", the signature's column ${index}`);
  const expected = feature.type === 'numeric' ? ['standardise'] : ['one-hot', 'target'];
  if (!expected.includes(String(step.kind))) throw invalid(label, `${path}.kind`, `a ${feature.type} column takes ${expected.join(' or ')}, not ${String(step.kind)}`);
  if (step.kind === 'one-hot') {
    const categories = stringList(label, `${path}.categories`, step.categories);
    if (categories.join('\u001f') !== (feature.categories ?? []).join('\u001f')) throw invalid(label, `${path}.categories`, 'differ from the signature\'s categories');
    return { kind: 'one-hot', name: feature.name, categories };
  }
  const scaling = { mean: finiteNumber(label, `${path}.mean`, step.mean), scale: finiteNumber(label, `${path}.scale`, step.scale) };
  if (step.kind === 'standardise') return { kind: 'standardise', name: feature.name, ...scaling };
  const values = step.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw invalid(label, `${path}.values`, 'expected an object of category to value');
  for (const [category, value] of Object.entries(values)) finiteNumber(label, `${path}.values.${category}`, value);
  // Fields in the order fitPipeline writes them, so that a loaded model serialises to the same text.
  return {
    kind: 'target',
    name: feature.name,
    smoothing: finiteNumber(label, `${path}.smoothing`, step.smoothing),
    prior: finiteNumber(label, `${path}.prior`, step.prior),
    values: values as Record<string, number>,
    ...scaling,
  };
}

/** Reads the linear model of a parsed model file whose signature has been checked. */
export function readLinearModel(raw: Record<string, unknown>, features: FeatureSignature[], label: string): LinearModel {
  const learner = raw.learner as LinearLearner;
  if (!LEARNERS.includes(learner)) throw invalid(label, 'learner', `expected ${LEARNERS.join(' or ')}, not ${String(raw.learner)}`);
  const pipelineRaw = (raw.pipeline ?? {}) as Record<string, unknown>;
  if (!Array.isArray(pipelineRaw.steps) || pipelineRaw.steps.length !== features.length) throw invalid(label, 'pipeline.steps', `expected one step per signature column (${features.length})`);
  const steps = (pipelineRaw.steps as unknown[]).map((step, index) => readStep(label, step, features[index] as FeatureSignature, index));
  const pipeline: FeaturePipeline = { steps };
  const width = featureNames(pipeline).length;
  if (!Array.isArray(raw.weights) || raw.weights.length !== width) throw invalid(label, 'weights', `expected ${width} numbers, one per pipeline feature`);
  const weights = Float64Array.from(raw.weights as unknown[], (value, index) => finiteNumber(label, `weights[${index}]`, value));
  return {
    kind: 'linear',
    learner,
    params: (raw.params ?? {}) as LinearParams,
    features,
    pipeline,
    weights,
    intercept: finiteNumber(label, 'intercept', raw.intercept),
    training: (raw.training ?? {}) as Record<string, unknown>,
  };
}
