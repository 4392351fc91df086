/**
 * What each kind of pipeline step does, beyond its place in the plan (plan-pipeline.ts): how it is
 * computed, and the behaviour a run gives it around the cache. runPipeline and computeStep read these
 * definitions instead of testing step names, so a new kind of step is one more entry here.
 */
import { resolveDatasetRef } from '../../data/dataset-ref.js';
import { MlcycleError } from '../../error.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import type { ChangeContext } from '../../store/audit-log.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import type { Workspace } from '../../store/workspace.js';
import { executeEvaluation, executeFeatures, executeSplit, executeTraining, type LazyEngine, type StepResult } from './execute-steps.js';
import type { NormalizedPipeline, StepName } from './pipeline-types.js';
import type { CachedStep, StepCache, StepOutput } from './step-cache.js';

/** The dataset versions a run reads, by role. */
export type PipelineData = Partial<Record<'source' | 'training' | 'validation', DatasetVersion>>;

/** What a step reads: the workspace, the compiled pipeline, the dataset versions and upstream outputs. */
export interface StepEnvironment {
  workspace: Workspace;
  cache: StepCache;
  engine: LazyEngine;
  spec: ProblemSpec;
  pipeline: NormalizedPipeline;
  data: Readonly<PipelineData>;
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

export interface StepDefinition {
  /** Runs the step, leaving its files staged for the cache. */
  execute(environment: StepEnvironment, control: StepControl): Promise<StepResult>;
  /** A result served from the cache or a worker replays its round history, so a pruner decides as if training ran here. */
  replaysRounds: boolean;
  /** Its result depends on how far training went: once a pruner stopped the run, it is kept by the run, not cached. */
  followsPruning: boolean;
  /** Dataset versions the step's result makes, which later steps read (the split's two parts). */
  producesData?(stored: CachedStep, workspace: Workspace): Promise<PipelineData>;
}

async function upstreamFile(environment: StepEnvironment, step: StepName, output: string): Promise<string> {
  const stored = environment.upstream[step]?.[output];
  if (stored === undefined) throw new MlcycleError('internal', `step ${step} has no output file ${output}`);
  return environment.cache.file(stored);
}

/** The definition of every kind of step, by name. */
export const STEP_DEFINITIONS: Readonly<Record<StepName, StepDefinition>> = {
  split: {
    execute({ workspace, engine, spec, pipeline, data, context }) {
      if (data.source === undefined) throw new MlcycleError('internal', 'split without a source dataset');
      return executeSplit(workspace, engine, spec, pipeline, data.source, context);
    },
    replaysRounds: false,
    followsPruning: false,
    async producesData(stored, workspace) {
      const parts = stored.summary as { training: { dataset: string; hash: string }; validation: { dataset: string; hash: string } };
      return {
        training: await resolveDatasetRef(workspace.datasets, `${parts.training.dataset}@${parts.training.hash}`),
        validation: await resolveDatasetRef(workspace.datasets, `${parts.validation.dataset}@${parts.validation.hash}`),
      };
    },
  },
  features: {
    execute({ workspace, engine, pipeline, data }) {
      if (data.training === undefined || data.validation === undefined) throw new MlcycleError('internal', 'features without datasets');
      return executeFeatures(workspace, engine, pipeline, { training: data.training, validation: data.validation });
    },
    replaysRounds: false,
    followsPruning: false,
  },
  train: {
    async execute(environment, control) {
      const { workspace, pipeline } = environment;
      return executeTraining(workspace, pipeline, {
        trainingFile: await upstreamFile(environment, 'features', 'training'),
        validationFile: pipeline.train.learner === 'gbdt' ? await upstreamFile(environment, 'features', 'validation') : undefined,
        onProgress: () => undefined,
        ...(control.onRound === undefined ? {} : { onRound: control.onRound }),
        ...(control.signal === undefined ? {} : { signal: control.signal }),
      });
    },
    replaysRounds: true,
    followsPruning: true,
  },
  evaluate: {
    async execute(environment) {
      return executeEvaluation(environment.pipeline, await upstreamFile(environment, 'train', 'model'), await upstreamFile(environment, 'features', 'validation'));
    },
    replaysRounds: false,
    followsPruning: true,
  },
};
