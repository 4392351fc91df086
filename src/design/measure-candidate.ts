/**
 * A design candidate's learning-curve runs on the workspace's data: its pipeline file gives the datasets,
 * features, label and learner; the training rows the pipeline would learn from (after its sampleStride)
 * are the candidate's full data, of which a seeded sample of at most `rows` is measured on growing
 * fractions (measure-learning-curve.ts). A capped sample is read from every k-th row of the file (DuckDB
 * reads the rest of the file not at all), so measuring a sample of millions of rows costs seconds. Each model is fitted here, in this thread, as the pipeline's
 * train step fits it (fitModel), and scored on the validation rows (every k-th row when capped) with the
 * candidate's metric, the way the evaluate step scores (scorePredictions). Nothing is tracked as a run.
 */
import path from 'node:path';
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { splitDataset } from '../data/split.js';
import type { DataSpec } from '../problem/data-spec.js';
import type { ChangeContext } from '../store/audit-log.js';
import { MlcycleError } from '../error.js';
import { seededRandom } from '../stats/random.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { readFeatureTable } from '../train/feature-table.js';
import { loadPipeline } from '../train/pipeline/load-pipeline.js';
import type { NormalizedPipeline } from '../train/pipeline/pipeline-types.js';
import { featureSqlOf, splitRequestOf } from '../train/pipeline/plan-pipeline.js';
import type { FeatureColumns } from '../train/pipeline/steps/feature-file.js';
import { fitModel, predictFromText } from '../train/pipeline/steps/fit-model.js';
import { scorePredictions } from '../train/pipeline/steps/score-predictions.js';
import { measureLearningCurve, sampleRows, type LearningCurveRun } from './measure-learning-curve.js';

/** The metrics a candidate's learning curve can be measured in, and whether higher is better. */
export const CURVE_METRICS: Readonly<Record<string, boolean>> = { roc_auc: true, r2: true, log_loss: false, rmse: false, mae: false };

export interface CandidateMeasureOptions {
  /** At most this many training rows are measured (the curve's 100%); all of them when absent. */
  rows?: number;
  /** At most this many validation rows score each fit (every k-th row); all of them when absent. */
  validationRows?: number;
  fractions?: readonly number[];
  seeds?: readonly number[];
  /** Seeds the choice of the measured sample. */
  sampleSeed?: number;
}

export interface CandidateMeasurement extends LearningCurveRun {
  pipeline: string;
  learner: string;
  /** Rows the pipeline itself trains on: the candidate's full data. */
  trainingRows: number;
  /** Rows of the largest measured size. */
  measuredRows: number;
  validationRows: number;
  datasets: { training: string; validation: string };
}

/** Tables already read in this assessment, by dataset and feature set, so candidates sharing data read it once. */
export type FeatureTableCache = Map<string, Promise<{ training: FeatureColumns; validation: FeatureColumns }>>;

/** The given rows of a table (columns copied; typed arrays for numbers and the label). */
function pick(table: FeatureColumns, rows: Int32Array): FeatureColumns {
  const raw: FeatureColumns['raw'] = {};
  for (const [name, column] of Object.entries(table.raw)) {
    raw[name] = column instanceof Float64Array ? Float64Array.from(rows, (row) => column[row] as number) : Array.from(rows, (row) => column[row] ?? null);
  }
  return { rows: rows.length, signature: table.signature, raw, label: Float64Array.from(rows, (row) => table.label[row] as number) };
}

/** Every k-th row of each file (k = 1 reads all), read once per assessment for candidates sharing them. */
async function readTables(engine: AnalyticsEngine, workspace: Workspace, pipeline: NormalizedPipeline, data: { training: DatasetVersion; validation: DatasetVersion }, every: { training: number; validation: number }, cache: FeatureTableCache) {
  const key = JSON.stringify([data.training.hash, data.validation.hash, pipeline.features, pipeline.label, every]);
  let tables = cache.get(key);
  if (tables === undefined) {
    tables = (async () => {
      const training = await readFeatureTable(engine, workspace.artifacts.localPath(data.training.artifactKey), pipeline.features, pipeline.label, undefined, { every: every.training });
      const validation = await readFeatureTable(engine, workspace.artifacts.localPath(data.validation.artifactKey), pipeline.features, pipeline.label, training.signature, { every: every.validation });
      return { training, validation };
    })();
    cache.set(key, tables);
  }
  return tables;
}

/** The pipeline of a candidate, checked for what feasibility needs; `at` names the candidate in errors. */
export async function loadCandidatePipeline(workspace: Workspace, file: string, metric: string, at: string): Promise<NormalizedPipeline> {
  const { pipeline } = await loadPipeline(workspace.root, { file: path.resolve(workspace.root, file) });
  if (pipeline.data.split !== undefined) await resolveDatasetRef(workspace.datasets, pipeline.data.dataset);
  if (CURVE_METRICS[metric] === undefined) {
    throw new MlcycleError('invalid_input', `${at}.metric: a learning curve can be measured in ${Object.keys(CURVE_METRICS).join(', ')}, not ${metric}`);
  }
  return pipeline;
}

/** A candidate's training and validation versions. */
export interface CandidateData {
  training: DatasetVersion;
  validation: DatasetVersion;
}

/**
 * The versions the pipeline trains and validates on: the ones it names, or the parts of its split, made
 * as its split step makes them (`<dataset>-train` and `<dataset>-validation`, registered with lineage;
 * the same seed and source give the same versions, which a later `mlcycle train` then finds in place).
 */
export async function candidateData(workspace: Workspace, engine: AnalyticsEngine, spec: DataSpec | undefined, pipeline: NormalizedPipeline, context: ChangeContext): Promise<CandidateData> {
  if (pipeline.data.split === undefined) {
    return { training: await resolveDatasetRef(workspace.datasets, pipeline.data.training), validation: await resolveDatasetRef(workspace.datasets, pipeline.data.validation) };
  }
  const source = await resolveDatasetRef(workspace.datasets, pipeline.data.dataset);
  const outcome = await splitDataset(workspace, engine, spec, splitRequestOf(pipeline.data.split, source.ref), context);
  const [training, validation] = outcome.parts.map((part) => part.version);
  if (training === undefined || validation === undefined) throw new MlcycleError('internal', 'the split returned fewer than two parts');
  return { training, validation };
}

/** Reads the candidate's data and measures its learning curve and cost. */
export async function measureCandidate(
  workspace: Workspace,
  engine: AnalyticsEngine,
  pipeline: NormalizedPipeline,
  data: CandidateData,
  metric: string,
  options: CandidateMeasureOptions,
  cache: FeatureTableCache,
): Promise<CandidateMeasurement> {
  // The pipeline learns from every sampleStride-th row; of those, every k-th row is read when capped
  // (k the largest that leaves at least `rows`), then exactly `rows` of them are drawn at random.
  const stride = pipeline.train.sampleStride;
  const fullRows = Math.ceil(data.training.rowCount / stride);
  const cap = options.rows !== undefined && options.rows < fullRows ? options.rows : undefined;
  const every = {
    training: stride * (cap === undefined ? 1 : Math.max(1, Math.floor(fullRows / cap))),
    validation: options.validationRows !== undefined && options.validationRows < data.validation.rowCount ? Math.ceil(data.validation.rowCount / options.validationRows) : 1,
  };
  const tables = await readTables(engine, workspace, pipeline, data, every, cache);
  const measured = cap !== undefined && cap < tables.training.rows ? pick(tables.training, sampleRows(tables.training.rows, cap, seededRandom(options.sampleSeed ?? 0))) : tables.training;
  const validation = tables.validation;
  const featureSql = featureSqlOf(pipeline);
  const run = await measureLearningCurve(
    (rows) => {
      const fitted = fitModel(pipeline.train, 1, pick(measured, rows), pipeline.train.learner === 'gbdt' ? validation : undefined, featureSql);
      const scores = scorePredictions([metric], predictFromText(fitted.text, validation), validation.label);
      return scores[metric] as number;
    },
    { trainingRows: measured.rows, ...(options.fractions === undefined ? {} : { fractions: options.fractions }), ...(options.seeds === undefined ? {} : { seeds: options.seeds }) },
  );
  return {
    ...run,
    pipeline: pipeline.sourceLabel,
    learner: pipeline.train.learner,
    trainingRows: fullRows,
    measuredRows: measured.rows,
    validationRows: validation.rows,
    datasets: { training: data.training.ref, validation: data.validation.ref },
  };
}
