/**
 * Experiment tracking's stored state, after MLflow's data model: experiments hold runs; a run has
 * write-once params, an append-only history per metric (with the latest value kept for search), mutable
 * tags, dataset inputs, artifacts, a status with start and end times, and an optional parent run.
 * Callers validate names and limits (src/tracking/limits.ts); the store enforces what needs stored state.
 */
import type { ChangeContext } from './audit-log.js';
import type { RunQuery } from './run-filter.js';

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const LIFECYCLE_STAGES = ['active', 'deleted'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface Experiment {
  /** A decimal string, as MLflow's experiment ids are. */
  id: string;
  name: string;
  lifecycleStage: LifecycleStage;
  createdAt: string;
  createdBy: string;
  tags: Record<string, string>;
}

/** The fields MLflow's runs/update may change; absent ones stay. */
export interface RunInfoChange {
  status?: RunStatus;
  endTime?: number | null;
  name?: string;
}

export interface RunInfo {
  /** 32 lowercase hex digits. */
  id: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  /** Milliseconds since the epoch. */
  startTime: number;
  endTime?: number;
  parentRunId?: string;
  userId: string;
  gitCommit?: string;
  command?: string;
  lifecycleStage: LifecycleStage;
}

/** The latest point of a metric: highest step, then newest timestamp, then largest value (MLflow's rule). */
export interface LatestMetric {
  value: number;
  step: number;
  timestamp: number;
}

/** A dataset a run read: an mlcycle dataset version (then `versionRef` is set) or an outside dataset. */
export interface RunInput {
  dataset: string;
  /** The content hash of the version. */
  digest: string;
  /** How the run used it: `training`, `validation`, `evaluation`...; empty when not said. */
  context: string;
  versionRef?: string;
  source?: string;
  /** As MLflow's clients describe the dataset: its source type (`local`, `http`, `code`...), schema and profile (JSON text). */
  sourceType?: string;
  schema?: string;
  profile?: string;
}

export interface RunArtifact {
  /** A relative POSIX path inside the run's artifact root, e.g. `model/model.json`. */
  path: string;
  size: number;
  /** The content's SHA-256; the bytes are stored once under it in the artifact store. */
  sha256: string;
}

/** One entry of an artifact folder listing: a file, or a folder holding files deeper down. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size?: number;
}

export interface Run extends RunInfo {
  params: Record<string, string>;
  metrics: Record<string, LatestMetric>;
  tags: Record<string, string>;
  inputs: RunInput[];
}

export interface NewRun {
  experimentId: string;
  name: string;
  /** Generated when absent. */
  id?: string;
  status?: RunStatus;
  startTime: number;
  parentRunId?: string;
  gitCommit?: string;
  command?: string;
  tags?: Record<string, string>;
}

/** Points of one metric series in columns; arrays of equal length. NaN and infinities are kept. */
export interface MetricSeries {
  key: string;
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
}

/** What MLflow's log-batch carries: params, tags and metric points for one run. */
export interface RunBatch {
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: readonly MetricSeries[];
}

export interface RunPage {
  runs: Run[];
  /** Present when more runs match: pass it back as `pageToken` with the same query for the next page. */
  nextPageToken?: string;
}

/** Experiments and runs: everything but the metric history. */
export interface RunStore {
  /** The experiment of that name, created (and audited) when it does not exist yet. */
  ensureExperiment(name: string, context: ChangeContext): Promise<Experiment>;
  /** Creates an experiment with its tags in one transaction; a name that exists is a conflict. */
  createExperiment(name: string, tags: Record<string, string>, context: ChangeContext): Promise<Experiment>;
  findExperiment(selector: { id: string } | { name: string }): Promise<Experiment | undefined>;
  listExperiments(): Promise<Experiment[]>;
  /** Renames an experiment; a name another experiment has is a conflict. */
  renameExperiment(id: string, name: string, context: ChangeContext): Promise<Experiment>;
  /** Deletes or restores an experiment; a deleted experiment takes no new runs. */
  setExperimentLifecycle(id: string, stage: LifecycleStage, context: ChangeContext): Promise<Experiment>;
  setExperimentTag(id: string, key: string, value: string, context: ChangeContext): Promise<void>;
  /** Removes an experiment's tag; a tag that is not set is not found (as MLflow's). */
  deleteExperimentTag(id: string, key: string, context: ChangeContext): Promise<void>;
  createRun(run: NewRun, context: ChangeContext): Promise<RunInfo>;
  findRun(id: string): Promise<Run | undefined>;
  /** Sets the final status and end time; a run that already ended is a conflict. */
  endRun(id: string, status: RunStatus, endTime: number, context: ChangeContext): Promise<RunInfo>;
  setRunLifecycle(id: string, stage: LifecycleStage, context: ChangeContext): Promise<RunInfo>;
  /** MLflow's update-run: status, end time (null reopens) and name as given, ended or not; audited as `run.updated`. */
  updateRunInfo(id: string, change: RunInfoChange, context: ChangeContext): Promise<RunInfo>;
  /** Params are write-once: the same value again is accepted, a different one is a conflict; all or none. */
  logParams(id: string, params: Record<string, string>, context: ChangeContext): Promise<void>;
  setTags(id: string, tags: Record<string, string>, context: ChangeContext): Promise<void>;
  /** Params (write-once), tags and metric points in one transaction: all of it is stored, or none. */
  logBatch(id: string, batch: RunBatch, context: ChangeContext): Promise<void>;
  deleteTag(id: string, key: string, context: ChangeContext): Promise<void>;
  /** Dataset inputs; `versionRef` must name a registered dataset version whose hash is `digest`. */
  logInputs(id: string, inputs: readonly RunInput[], context: ChangeContext): Promise<void>;
  /** Records artifact files whose bytes are already in the artifact store; a path logged again is replaced. */
  recordArtifacts(id: string, artifacts: readonly RunArtifact[], context: ChangeContext): Promise<void>;
  /** The direct children of a folder (`''` for the root), folders first-class as in MLflow's list-artifacts. */
  listArtifacts(id: string, folder: string): Promise<ArtifactEntry[]>;
  /** Every file at or under a path. */
  findArtifacts(id: string, pathOrFolder: string): Promise<RunArtifact[]>;
  /**
   * Forgets the files at or under a path (`''`: all of them), audited, and returns how many; the bytes stay
   * in the artifact store. Files a registered model version is made of are refused (check_failed), naming
   * the version, and nothing is removed.
   */
  deleteArtifacts(id: string, pathOrFolder: string, context: ChangeContext): Promise<number>;
  searchRuns(query: RunQuery): Promise<RunPage>;
}

/** Metric histories: appended in bulk, read back whole. */
export interface MetricStore {
  /** Appends the series' points and updates the latest values, with one audit entry, in one transaction. */
  appendMetrics(runId: string, series: readonly MetricSeries[], context: ChangeContext): Promise<void>;
  /** Every point of a metric in the order it was logged. */
  metricHistory(runId: string, key: string): Promise<MetricSeries>;
}
