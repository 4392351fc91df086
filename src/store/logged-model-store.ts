/**
 * MLflow 3's logged models: a model as an entity of its own in an experiment (id `m-<32 hex>`), with its
 * name, type, status, params, tags and metrics, made by a run (its source run) and linked to the runs that
 * output it at a step. Its files are kept by the artifact store under the source run (the server decides
 * where); this store keeps the metadata.
 */
import type { ChangeContext } from './audit-log.js';

export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

/** A metric point logged against a model (MLflow 3's `Metric.model_id`). */
export interface LoggedModelMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

export interface NewLoggedModel {
  experimentId: string;
  name: string;
  sourceRunId: string;
  modelType?: string;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface LoggedModel extends NewLoggedModel {
  id: string;
  status: LoggedModelStatus;
  statusMessage?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  lifecycleStage: 'active' | 'deleted';
  metrics: LoggedModelMetric[];
}

/** A model a run output, at a step (MLflow 3's `LoggedModelOutput`). */
export interface LoggedModelOutput {
  modelId: string;
  step: number;
}

export interface LoggedModelStore {
  /** Creates a logged model in PENDING, audited; its source run must exist in its experiment. */
  create(model: NewLoggedModel, context: ChangeContext): Promise<LoggedModel>;
  /** The model, deleted ones included (callers decide what a deleted model answers). */
  find(id: string): Promise<LoggedModel | undefined>;
  /** The models of the given experiments that are not deleted, newest first (then by id); `page` takes a slice of that order. */
  list(experimentIds: readonly string[], page?: { offset: number; limit: number }): Promise<LoggedModel[]>;
  /** Sets the status (READY or UPLOAD_FAILED, or back to PENDING), audited; a missing model is not_found. */
  finalize(id: string, status: LoggedModelStatus, context: ChangeContext): Promise<LoggedModel>;
  /** Marks the model deleted, audited. */
  remove(id: string, context: ChangeContext): Promise<void>;
  /** Adds params; a key already set to another value is refused (params are immutable, as a run's). */
  logParams(id: string, params: Record<string, string>, context: ChangeContext): Promise<void>;
  setTags(id: string, tags: Record<string, string>, context: ChangeContext): Promise<void>;
  /** Removes a tag; a missing tag is not_found. */
  deleteTag(id: string, key: string, context: ChangeContext): Promise<void>;
  /** Appends metric points to the model. */
  logMetrics(id: string, metrics: readonly LoggedModelMetric[], context: ChangeContext): Promise<void>;
  /** Links models to a run as its outputs, audited; every model must exist. */
  logOutputs(runId: string, outputs: readonly LoggedModelOutput[], context: ChangeContext): Promise<void>;
  /** The models a run output, in the order logged. */
  outputsOf(runId: string): Promise<LoggedModelOutput[]>;
  /** The models each of several runs output, in the order logged, in one read (a run with none is absent). */
  outputsOfRuns(runIds: readonly string[]): Promise<Map<string, LoggedModelOutput[]>>;
  /** Links models to a run as its inputs (MLflow 3's model inputs), audited; every model must exist, and a model already an input is kept once. */
  logInputs(runId: string, modelIds: readonly string[], context: ChangeContext): Promise<void>;
  /** The model ids each of several runs took in, in the order logged, in one read (a run with none is absent). */
  inputsOfRuns(runIds: readonly string[]): Promise<Map<string, string[]>>;
}
