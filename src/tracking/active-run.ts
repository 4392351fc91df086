/**
 * A run being logged to from this process. Params, tags, inputs and artifacts are written at once, each
 * call one transaction. Metric points are buffered and written in bulk: they are durable once `flush()`
 * or `end()` has resolved; a full buffer (`flushEvery` points) starts a write on its own, and a failure
 * of that write is thrown by the next call. Points lost to a crash are those logged since the last write.
 */
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { RunArtifact, RunInfo, RunInput, RunStatus } from '../store/run-store.js';
import type { Workspace } from '../store/workspace.js';
import { IssueList, metricPointProblem, TRACKING_LIMITS, validateMetricKey, validateParams, validateTags } from './limits.js';
import { MetricBuffer } from './metric-buffer.js';
import { logArtifact } from './run-artifacts.js';

/** A dataset a run reads: a version reference (`flights@2`), a version, or an outside dataset. */
export type DatasetInput = string | DatasetVersion | { name: string; digest: string; source?: string };

export interface ActiveRunOptions {
  context: ChangeContext;
  /** Milliseconds for metric timestamps; the context's clock unless given. */
  clock?: () => number;
  flushEvery?: number;
  /** Called after `end()`, e.g. to close a workspace the run opened. */
  onEnd?: () => Promise<void>;
}

export class ActiveRun {
  readonly id: string;
  private readonly buffer = new MetricBuffer();
  private readonly validKeys = new Set<string>();
  private readonly clock: () => number;
  private readonly flushEvery: number;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private ended = false;

  constructor(
    readonly workspace: Workspace,
    readonly info: RunInfo,
    private readonly options: ActiveRunOptions,
  ) {
    this.id = info.id;
    this.clock = options.clock ?? (() => options.context.now().getTime());
    this.flushEvery = options.flushEvery ?? 100_000;
  }

  private checkOpen(): void {
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
    if (this.ended) throw new MlcycleError('conflict', `run ${this.id} has ended; start a new run to log more`);
  }

  /** Buffers one metric point; `step` defaults to 0 and `timestamp` to now, as in MLflow. */
  logMetric(key: string, value: number, step = 0, timestamp?: number): void {
    this.checkOpen();
    if (!this.validKeys.has(key)) {
      validateMetricKey(key);
      this.validKeys.add(key);
    }
    const at = timestamp ?? this.clock();
    if (typeof value !== 'number' || !Number.isSafeInteger(step) || !Number.isSafeInteger(at) || at < 0) {
      const problem = metricPointProblem(value, step, at) ?? 'invalid point';
      throw new MlcycleError('invalid_input', `metrics.${key}: ${problem}`, { issues: [{ path: `metrics.${key}`, message: problem }] });
    }
    this.buffer.push(key, value, step, at);
    if (this.buffer.size >= this.flushEvery) this.startWrite();
  }

  /** Buffers several metrics at one step and time. */
  logMetrics(metrics: Record<string, number>, step = 0, timestamp?: number): void {
    const at = timestamp ?? this.clock();
    for (const [key, value] of Object.entries(metrics)) this.logMetric(key, value, step, at);
  }

  private startWrite(): void {
    const series = this.buffer.drain();
    if (series.length === 0) return;
    this.writing = this.writing.then(() =>
      this.workspace.metrics.appendMetrics(this.id, series, this.options.context).catch((error: unknown) => {
        this.failure ??= error;
      }),
    );
  }

  /** Writes every buffered point; resolves once they are durable. */
  async flush(): Promise<void> {
    if (this.failure === undefined && !this.ended) this.startWrite();
    await this.writing;
    this.checkFailure();
  }

  private checkFailure(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }

  /** Logs params (write-once: a different value for a logged key is a conflict); values become strings. */
  async logParams(params: Record<string, string | number | boolean>): Promise<void> {
    this.checkOpen();
    const strings = Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)]));
    validateParams(strings);
    await this.workspace.runs.logParams(this.id, strings, this.options.context);
  }

  async logParam(key: string, value: string | number | boolean): Promise<void> {
    await this.logParams({ [key]: value });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    this.checkOpen();
    validateTags(tags);
    await this.workspace.runs.setTags(this.id, tags, this.options.context);
  }

  async setTag(key: string, value: string): Promise<void> {
    await this.setTags({ [key]: value });
  }

  /** Records a dataset the run read, with how it used it (`training`, `validation`...). */
  async logInput(dataset: DatasetInput, context = ''): Promise<RunInput> {
    this.checkOpen();
    let input: RunInput;
    if (typeof dataset === 'string' || 'ref' in dataset) {
      const version = typeof dataset === 'string' ? await resolveDatasetRef(this.workspace.datasets, dataset) : dataset;
      input = { dataset: version.dataset, digest: version.hash, context, versionRef: version.ref };
    } else {
      input = { dataset: dataset.name, digest: dataset.digest, context, ...(dataset.source === undefined ? {} : { source: dataset.source }) };
    }
    const issues = new IssueList();
    if (input.dataset === '' || input.dataset.length > TRACKING_LIMITS.datasetNameLength) issues.add('dataset.name', `must have 1 to ${TRACKING_LIMITS.datasetNameLength} characters`);
    if (input.digest === '' || input.digest.length > TRACKING_LIMITS.datasetDigestLength) issues.add('dataset.digest', `must have 1 to ${TRACKING_LIMITS.datasetDigestLength} characters`);
    if (context.length > TRACKING_LIMITS.datasetContextLength) issues.add('context', `has more than ${TRACKING_LIMITS.datasetContextLength} characters`);
    issues.throwIfAny('invalid input dataset');
    await this.workspace.runs.logInputs(this.id, [input], this.options.context);
    return input;
  }

  /** Logs a local file or folder under `folder` in the run's artifact root, keeping its name. */
  async logArtifact(localPath: string, folder?: string): Promise<RunArtifact[]> {
    this.checkOpen();
    return logArtifact(this.workspace, this.id, localPath, folder, this.options.context);
  }

  /** Writes buffered metrics, then sets the final status (FINISHED unless told) and the end time. */
  async end(status: RunStatus = 'FINISHED'): Promise<RunInfo> {
    if (this.ended) throw new MlcycleError('conflict', `run ${this.id} has already ended`);
    try {
      await this.flush();
      this.ended = true;
      return await this.workspace.runs.endRun(this.id, status, Math.max(this.clock(), this.info.startTime), this.options.context);
    } finally {
      this.ended = true;
      await this.options.onEnd?.();
    }
  }
}
