/**
 * What each step computes on a cache miss. DuckDB and the learners are imported here, on first need, so a
 * rerun served from the cache never loads them (the CLI starts in a fraction of a second that way).
 */
import { rm, writeFile } from 'node:fs/promises';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import type { AnalyticsEngine } from '../../store/analytics.js';
import type { ChangeContext } from '../../store/audit-log.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import type { Workspace } from '../../store/workspace.js';
import type { NormalizedPipeline } from './pipeline-types.js';
import { featureSqlOf, splitRequestOf } from './plan-pipeline.js';
import type { TrainOutcome, TrainRequest } from './steps/train-in-worker.js';

/** A step's fresh result: files to cache and a summary for the row (with hashes of non-file outputs). */
export interface StepResult {
  files: Record<string, string>;
  summary: Record<string, unknown>;
  /** Staged files to remove once cached. */
  scratch: string[];
}

/** Opens DuckDB on first use and closes it at the end of the run. */
export class LazyEngine {
  private engine: Promise<AnalyticsEngine> | undefined;

  get(): Promise<AnalyticsEngine> {
    this.engine ??= import('../../store/backends.js').then(({ openAnalyticsEngine }) => openAnalyticsEngine());
    return this.engine;
  }

  async close(): Promise<void> {
    if (this.engine !== undefined) await (await this.engine).close();
  }
}

/** Splits the source version into `<name>-train` and `<name>-validation` versions (registered, with lineage). */
export async function executeSplit(workspace: Workspace, engine: LazyEngine, spec: ProblemSpec, pipeline: NormalizedPipeline, source: DatasetVersion, context: ChangeContext): Promise<StepResult> {
  const split = pipeline.data.split;
  if (split === undefined) throw new Error('executeSplit without a split');
  const { splitDataset } = await import('../../data/split.js');
  const outcome = await splitDataset(workspace, await engine.get(), spec, splitRequestOf(split, source.ref), context);
  const [training, validation] = outcome.parts.map((part) => part.version);
  if (training === undefined || validation === undefined) throw new Error('the split returned fewer than two parts');
  return {
    files: {},
    summary: { training: { dataset: training.dataset, hash: training.hash }, validation: { dataset: validation.dataset, hash: validation.hash }, leftOut: outcome.leftOut, hashes: { training: training.hash, validation: validation.hash } },
    scratch: [],
  };
}

/** Reads the features and label of both versions (the signature from training) into feature files. */
export async function executeFeatures(workspace: Workspace, engine: LazyEngine, pipeline: NormalizedPipeline, data: { training: DatasetVersion; validation: DatasetVersion }): Promise<StepResult> {
  const [{ readFeatureTable }, { encodeFeatureColumns }] = await Promise.all([import('../feature-table.js'), import('./steps/feature-file.js')]);
  const duck = await engine.get();
  const files: Record<string, string> = {};
  const summary: Record<string, unknown> = {};
  let signature: Awaited<ReturnType<typeof readFeatureTable>>['signature'] | undefined;
  for (const part of ['training', 'validation'] as const) {
    const table = await readFeatureTable(duck, await workspace.artifacts.localCopy(data[part].artifactKey), pipeline.features, pipeline.label, signature);
    signature ??= table.signature;
    const file = await workspace.artifacts.stagingPath('.features');
    await writeFile(file, encodeFeatureColumns({ rows: table.rows, signature: table.signature, raw: table.raw, label: table.label }));
    files[part] = file;
    summary[`${part}Rows`] = table.rows;
  }
  return { files, summary, scratch: Object.values(files) };
}

/** Trains in a worker thread from the cached feature files. */
export async function executeTraining(workspace: Workspace, pipeline: NormalizedPipeline, request: Omit<TrainRequest, 'choice' | 'sampleStride' | 'featureSql' | 'outputFile'>): Promise<StepResult & { outcome: TrainOutcome }> {
  const { trainInWorker } = await import('./steps/train-in-worker.js');
  const outputFile = await workspace.artifacts.stagingPath('.json');
  try {
    const { sampleStride, ...choice } = pipeline.train;
    const outcome = await trainInWorker({ ...request, choice, sampleStride, featureSql: featureSqlOf(pipeline), outputFile });
    return { files: { model: outputFile }, summary: { history: outcome.history, rounds: outcome.rounds, trainingRows: outcome.trainingRows }, scratch: [outputFile], outcome };
  } catch (error) {
    await rm(outputFile, { force: true });
    throw error;
  }
}

/** Scores the model on the validation features with the pipeline's metrics. */
export async function executeEvaluation(pipeline: NormalizedPipeline, modelFile: string, validationFile: string): Promise<StepResult> {
  const [{ readFile }, { readFeatureColumns }, { predictFromText }, { scorePredictions }] = await Promise.all([
    import('node:fs/promises'),
    import('./steps/feature-file.js'),
    import('./steps/fit-model.js'),
    import('./steps/score-predictions.js'),
  ]);
  const validation = await readFeatureColumns(validationFile);
  const predictions = predictFromText(await readFile(modelFile, 'utf8'), validation);
  const metrics = scorePredictions(pipeline.metrics, predictions, validation.label);
  return { files: {}, summary: { metrics, rows: validation.rows }, scratch: [] };
}
