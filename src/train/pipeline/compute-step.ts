/**
 * Computing one step on a cache miss and storing its result as its cache entry. The same function serves
 * a local run (run-pipeline.ts) and a `mlcycle worker` that took the step from the queue (step-job.ts):
 * a step's result IS its cache entry (files as blobs, then the row), so where a step ran leaves no trace
 * in what it produced, and the coordinator of a remote step reads the result back from the cache.
 */
import { rm } from 'node:fs/promises';
import { MlcycleError } from '../../error.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import type { ChangeContext } from '../../store/audit-log.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import type { Workspace } from '../../store/workspace.js';
import { executeEvaluation, executeFeatures, executeSplit, executeTraining, type LazyEngine, type StepResult } from './execute-steps.js';
import type { PlannedStep } from './plan-pipeline.js';
import type { NormalizedPipeline, StepName } from './pipeline-types.js';
import type { CachedStep, StepCache, StepOutput } from './step-cache.js';

/** What a step reads: the workspace, the compiled pipeline, the dataset versions and upstream outputs. */
export interface StepEnvironment {
  workspace: Workspace;
  cache: StepCache;
  engine: LazyEngine;
  spec: ProblemSpec;
  pipeline: NormalizedPipeline;
  data: Readonly<Partial<Record<'source' | 'training' | 'validation', DatasetVersion>>>;
  /** The stored output files of the steps done so far, by step and output name. */
  upstream: Readonly<Partial<Record<StepName, Readonly<Record<string, StepOutput>>>>>;
  /** The run the step is computed for, recorded in the cache row. */
  runId: string;
  context: ChangeContext;
}

/** How a local run follows training: rounds for pruners and progress bars, Ctrl-C. */
export interface StepControl {
  onRound?: (round: number, value: number) => 'continue' | 'prune';
  signal?: AbortSignal;
  /** Asked once the step is computed: false keeps the files as blobs but writes no cache row (a pruned model). */
  cacheable?: () => boolean;
}

function upstreamFile(environment: StepEnvironment, step: StepName, output: string): string {
  const stored = environment.upstream[step]?.[output];
  if (stored === undefined) throw new MlcycleError('internal', `step ${step} has no output file ${output}`);
  return environment.cache.file(stored);
}

async function execute(environment: StepEnvironment, step: PlannedStep, control: StepControl): Promise<StepResult> {
  const { workspace, engine, spec, pipeline, data, context } = environment;
  if (step.name === 'split') {
    if (data.source === undefined) throw new MlcycleError('internal', 'split without a source dataset');
    return executeSplit(workspace, engine, spec, pipeline, data.source, context);
  }
  if (step.name === 'features') {
    if (data.training === undefined || data.validation === undefined) throw new MlcycleError('internal', 'features without datasets');
    return executeFeatures(workspace, engine, pipeline, { training: data.training, validation: data.validation });
  }
  if (step.name === 'train') {
    return executeTraining(workspace, pipeline, {
      trainingFile: upstreamFile(environment, 'features', 'training'),
      validationFile: pipeline.train.learner === 'gbdt' ? upstreamFile(environment, 'features', 'validation') : undefined,
      onProgress: () => undefined,
      ...(control.onRound === undefined ? {} : { onRound: control.onRound }),
      ...(control.signal === undefined ? {} : { signal: control.signal }),
    });
  }
  return executeEvaluation(pipeline, upstreamFile(environment, 'train', 'model'), upstreamFile(environment, 'features', 'validation'));
}

/** Computes a step and stores it under its cache key; the staged files are removed either way. */
export async function computeStep(environment: StepEnvironment, step: PlannedStep, key: { cacheKey: string; inputs: Record<string, string> }, control: StepControl = {}): Promise<CachedStep> {
  const started = performance.now();
  const result = await execute(environment, step, control);
  try {
    if (control.signal?.aborted === true) throw new MlcycleError('internal', `step ${step.name} was stopped`);
    const seconds = (performance.now() - started) / 1000;
    const { cache, runId, context } = environment;
    return control.cacheable?.() === false
      ? await cache.detached(key.cacheKey, step.name, result.files, result.summary, seconds, runId)
      : await cache.store({ cacheKey: key.cacheKey, step: step.name, codeVersion: step.codeVersion, params: step.params, inputs: key.inputs }, result.files, result.summary, seconds, runId, context);
  } finally {
    await Promise.all(result.scratch.map((file) => rm(file, { force: true })));
  }
}
