/**
 * The pipeline's public types: what `runPipeline` takes and returns (also what `mlcycle tune` calls once
 * per trial), and the normalised pipeline and its plan of steps.
 */
import type { ChangeContext } from '../../store/audit-log.js';
import type { Workspace } from '../../store/workspace.js';
import type { FeatureDefinition } from '../feature-table.js';
import type { TrainingChoice } from './learner-params.js';
import type { SplitSpec } from './pipeline-spec.js';

/** Where a pipeline comes from: a pipeline file, `mlcycle.yaml`'s `pipeline:` section, or text. */
export type PipelineSource = { file: string } | { text: string; label: string };

/** Said after each boosting round with the validation metrics so far; `prune` stops training there. */
export type RoundCallback = (round: number, metrics: Readonly<Record<string, number>>) => 'continue' | 'prune';

/** Progress of a run, for progress bars: steps starting and ending, training rounds. */
export type PipelineEvent =
  | { kind: 'step-start'; step: StepName; cached: boolean }
  | { kind: 'step-end'; step: StepName; cached: boolean; seconds: number }
  | { kind: 'round'; round: number; rounds: number; metrics: Readonly<Record<string, number>> };

export interface RunPipelineOptions {
  workspace: Workspace;
  /** Default: mlcycle.yaml's `pipeline:` (a section or a file name), else `pipeline.yaml` in the workspace. */
  pipeline?: PipelineSource;
  /** Values put at dotted paths before validation, e.g. `{ 'train.params.numLeaves': 31 }`. */
  overrides?: Readonly<Record<string, unknown>>;
  context: ChangeContext;
  /** Nest the run under this one (a tuning trial under its study's run). */
  parentRunId?: string;
  runName?: string;
  tags?: Readonly<Record<string, string>>;
  onRound?: RoundCallback;
  onEvent?: (event: PipelineEvent) => void;
  /** Aborting (Ctrl-C) stops at the next round or step and ends the run KILLED. */
  signal?: AbortSignal;
  /** The command recorded with the run; false for none. */
  command?: string | false;
  /** Recompute every step, ignoring (but refreshing) the cache. */
  noCache?: boolean;
  /**
   * `redis://HOST:PORT`: compute each step that is not a cache hit on a `mlcycle worker` serving this
   * BullMQ queue (step-queue.ts), in this workspace's stores; the run waits for it. GBDT rounds computed
   * remotely reach `onRound` once the step is done (as cached rounds do), so they cannot stop it early.
   */
  queue?: string;
}

/** The model a run produced, as logged to the run's artifacts. */
export interface PipelineModel {
  /** The path inside the run's artifacts, `model/model.json`. */
  artifactPath: string;
  sha256: string;
  /** Local path of the bytes in the artifact store. */
  file: string;
  learner: TrainingChoice['learner'];
}

export interface StepOutcome {
  step: StepName;
  cacheKey: string;
  cached: boolean;
  seconds: number;
  /** Content hashes of the step's inputs (dataset versions, upstream outputs). */
  inputs: Record<string, string>;
  /** Content hashes of the step's outputs. */
  outputs: Record<string, string>;
  /** The `mlcycle worker` (`HOST:PID`) that computed the step, when it ran through the queue. */
  worker?: string;
}

export interface PipelineResult {
  runId: string;
  experiment: string;
  /** FINISHED, or FINISHED with `pruned` when onRound said so. */
  status: 'FINISHED';
  pruned: boolean;
  /** True when every step came from the cache. */
  cached: boolean;
  /** Validation metrics by the spec's names (`roc_auc`...), final model. */
  metrics: Record<string, number>;
  /** The metric tuning optimises: the first evaluated metric, with its direction. */
  objective: { metric: string; value: number; higherIsBetter: boolean };
  /** The watched validation metric per boosting round (GBDT only). */
  history: { round: number; value: number }[];
  model: PipelineModel;
  steps: StepOutcome[];
  datasets: { training: string; validation: string };
}

export type StepName = 'split' | 'features' | 'train' | 'evaluate';

/** Phase 2: the pipeline with every default filled in and every reference checked in form. */
export interface NormalizedPipeline {
  name: string;
  experiment: string;
  task: 'binary' | 'multiclass' | 'regression' | 'ranking';
  data: { training: string; validation: string; split?: undefined } | { dataset: string; split: SplitSpec; training?: undefined };
  label: string;
  features: FeatureDefinition[];
  train: TrainingChoice & { sampleStride: number };
  metrics: string[];
  /** The text of the file and its label, for the run's record. */
  sourceLabel: string;
}
