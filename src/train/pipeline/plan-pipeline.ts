/**
 * Phase 3, plan: the steps a normalised pipeline runs, in order, each with its code version and the
 * parameters that enter its cache key. Inputs are named here and bound to content hashes as the run goes
 * (a dataset version's hash, or an upstream step's output hash), so a change anywhere recomputes exactly
 * the steps downstream of it.
 *
 *   split? -> features -> train -> evaluate
 *                 \_____________________/   (validation features feed GBDT rounds and the evaluation)
 */
import type { NormalizedPipeline, StepName } from './pipeline-types.js';
import type { SplitRequest } from '../../data/split.js';
import type { SplitSpec } from './pipeline-spec.js';

/**
 * Bump a step's version whenever its code changes what it outputs for the same parameters and inputs;
 * every cached result of the older version is then recomputed.
 */
export const STEP_CODE_VERSIONS: Readonly<Record<StepName, string>> = {
  split: 'split-1',
  features: 'features-1',
  // train-2: models record their derived features' SQL (training.featureSql).
  train: 'train-2',
  // evaluate-2: metrics by the evaluate module's scikit-learn-equal functions.
  evaluate: 'evaluate-2',
};

/** Where a step input's hash comes from: a dataset version, or an output of an earlier step. */
export type InputSource = { dataset: 'source' | 'training' | 'validation' } | { step: StepName; output: string };

export interface PlannedStep {
  name: StepName;
  codeVersion: string;
  params: Record<string, unknown>;
  inputs: Record<string, InputSource>;
}

/** The `mlcycle data split` request a pipeline's split step makes of its source version: parts train and validation. */
export function splitRequestOf(split: SplitSpec, ref: string): SplitRequest {
  const share = split.validation ?? 0;
  return {
    ref,
    by: split.by,
    parts: split.by === 'time' ? [{ name: 'train' }, { name: 'validation' }] : [{ name: 'train', fraction: 1 - share }, { name: 'validation', fraction: share }],
    seed: split.seed,
    ...(split.cut === undefined ? {} : { cuts: [split.cut] }),
    ...(split.column === undefined ? {} : { column: split.column }),
  };
}

/** The SQL of each derived feature, by name. */
export function featureSqlOf(pipeline: Pick<NormalizedPipeline, 'features'>): Record<string, string> {
  return Object.fromEntries(pipeline.features.flatMap((feature) => (feature.sql === undefined ? [] : [[feature.name, feature.sql]])));
}

/** The plan: the steps in the order they run. */
export function planPipeline(pipeline: NormalizedPipeline): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const split = pipeline.data.split;
  if (split !== undefined) {
    steps.push({ name: 'split', codeVersion: STEP_CODE_VERSIONS.split, params: { split }, inputs: { dataset: { dataset: 'source' } } });
  }
  const dataInput = (part: 'training' | 'validation'): InputSource => (split === undefined ? { dataset: part } : { step: 'split', output: part });
  steps.push({
    name: 'features',
    codeVersion: STEP_CODE_VERSIONS.features,
    params: { features: pipeline.features, label: pipeline.label },
    inputs: { training: dataInput('training'), validation: dataInput('validation') },
  });
  const { learner, params, sampleStride } = pipeline.train;
  const watchesValidation = learner === 'gbdt';
  steps.push({
    name: 'train',
    codeVersion: STEP_CODE_VERSIONS.train,
    params: { learner, params, sampleStride, featureSql: featureSqlOf(pipeline) },
    inputs: { training: { step: 'features', output: 'training' }, ...(watchesValidation ? { validation: { step: 'features', output: 'validation' } } : {}) },
  });
  steps.push({
    name: 'evaluate',
    codeVersion: STEP_CODE_VERSIONS.evaluate,
    params: { metrics: pipeline.metrics, task: pipeline.task },
    inputs: { model: { step: 'train', output: 'model' }, validation: { step: 'features', output: 'validation' } },
  });
  return steps;
}
