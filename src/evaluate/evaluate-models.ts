/**
 * `evaluateModels`: the offline evaluation of a registered model version on a dataset version, as the
 * CLI and the demo run it. Phases: resolve (models through the registry, the dataset version, the spec's
 * target, segments and targets; every bad input fails here, before any write), read (one DuckDB pass
 * over the rows), predict (each model's `predictModel`, plus the baseline), evaluate (evaluatePredictions),
 * render (the HTML report), store (the evaluation JSON and report as artifacts, then one metadata row).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { datasetArtifactKey } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import { predictModel } from '../models/predict-model.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { EvaluationRecord } from '../store/evaluation-store.js';
import type { Workspace } from '../store/workspace.js';
import type { BootstrapOptions } from './bootstrap-metrics.js';
import { evaluatePredictions, type Evaluation, type ModelPredictions } from './evaluate-predictions.js';
import { businessValueOfModels } from './evaluation-value.js';
import { findLabel, loadModelVersion, readEvaluationTable, type LoadedModel } from './model-inputs.js';
import type { MetricSettings } from './prepared-metrics.js';
import { renderEvaluationReport } from './report/render-evaluation.js';

export interface EvaluateModelsRequest {
  workspace: Workspace;
  engine: AnalyticsEngine;
  spec: ProblemSpec;
  /** The model version to evaluate: `NAME`, `NAME@ALIAS`, `NAME@3` or a `models:/` URI. */
  candidate: string;
  /** The dataset version: `NAME` or `NAME@VERSION`. */
  dataset: string;
  /** The champion to compare with, e.g. `NAME@champion`. */
  champion?: string;
  /** Columns to slice by besides the spec's segments. */
  by?: readonly string[];
  /** Ranking: the column that groups rows into queries. */
  query?: string;
  bootstrap?: BootstrapOptions;
  settings?: Partial<MetricSettings>;
  /** Store the evaluation in the workspace (default true). */
  store?: boolean;
  context: ChangeContext;
}

export interface EvaluateModelsResult {
  evaluation: Evaluation;
  html: string;
  dataset: string;
  candidate: string;
  champion?: string;
  baseline: string;
  /** Rows left out because their label was missing. */
  unlabelled: number;
  /** Spec segments the dataset does not hold. */
  skippedSegments: string[];
  record?: EvaluationRecord;
}

/** One probability per row for binary tasks (the second column of two-column outputs), else as predicted. */
export function modelOutput(spec: ProblemSpec, loaded: LoadedModel, inputs: Record<string, Float64Array | (string | null)[]>, rows: number): { predictions: Float64Array; classes?: number } {
  const predicted = predictModel(loaded.model, inputs);
  const outputs = rows === 0 ? 1 : predicted.length / rows;
  if (spec.task === 'binary') {
    if (outputs === 1) return { predictions: predicted };
    if (outputs === 2) return { predictions: Float64Array.from({ length: rows }, (_, row) => predicted[row * 2 + 1] as number) };
    throw new MlcycleError('invalid_input', `${loaded.uri} gives ${outputs} outputs per row; a binary task needs one probability`);
  }
  if (spec.task === 'multiclass') {
    if (!Number.isInteger(outputs) || outputs < 2) throw new MlcycleError('invalid_input', `${loaded.uri} gives ${outputs} outputs per row; a multiclass task needs one probability per class`);
    return { predictions: predicted, classes: outputs };
  }
  if (outputs !== 1) throw new MlcycleError('invalid_input', `${loaded.uri} gives ${outputs} outputs per row; a ${spec.task} task needs one`);
  return { predictions: predicted };
}

/**
 * The baseline's predictions ("strawman first"): the training label's mean for binary and regression,
 * class shares for multiclass, one score for every row in ranking (every order is a tie). The training
 * data is the candidate run's `training` input when it is a dataset version here; else the evaluated
 * rows, which flatters the baseline, and the name says so.
 */
async function baselineOf(request: EvaluateModelsRequest, candidate: LoadedModel, labels: Float64Array, classes: number | undefined): Promise<ModelPredictions> {
  const { workspace, engine, spec } = request;
  const rows = labels.length;
  if (spec.task === 'ranking') return { name: 'baseline: one score for all (random order)', role: 'baseline', predictions: new Float64Array(rows) };
  const run = await workspace.runs.findRun(candidate.version.runId);
  const input = run?.inputs.find((item) => item.context === 'training' && item.versionRef !== undefined);
  const training = input === undefined ? undefined : await workspace.datasets.findByHash(input.dataset, input.digest);
  let source = 'the evaluated rows';
  let trainingLabels: Float64Array = labels;
  if (training !== undefined) {
    const table = `read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(datasetArtifactKey(training.hash)))})`;
    // Only a training version without a label falls back to the evaluated rows; any other failure is real.
    const lookup = await findLabel(engine, spec, training, table);
    if (lookup.found) {
      const label = lookup.label;
      const column = (await engine.columns(`SELECT CAST(${label.sql} AS DOUBLE) AS label FROM ${table} WHERE (${label.sql}) IS NOT NULL`)).label as Float64Array;
      if (column.length > 0) {
        trainingLabels = column;
        source = training.ref;
      }
    }
  }
  if (spec.task === 'multiclass') {
    const count = classes ?? 2;
    const shares = new Float64Array(count);
    for (const label of trainingLabels) if (label >= 0 && label < count) shares[label] = (shares[label] as number) + 1 / trainingLabels.length;
    const predictions = new Float64Array(rows * count);
    for (let row = 0; row < rows; row++) predictions.set(shares, row * count);
    return { name: `baseline: class shares of ${source}`, role: 'baseline', predictions };
  }
  let mean = 0;
  for (const label of trainingLabels) mean += label / trainingLabels.length;
  return { name: `baseline: ${spec.task === 'binary' ? 'prior rate' : 'mean'} ${Number(mean.toPrecision(4))} of ${source}`, role: 'baseline', predictions: new Float64Array(rows).fill(mean) };
}

/** Stores a text artifact under its content hash. */
async function storeText(workspace: Workspace, text: string, extension: string): Promise<string> {
  const key = `evaluations/${createHash('sha256').update(text).digest('hex')}${extension}`;
  const staged = await workspace.artifacts.stagingPath(extension);
  await writeFile(staged, text);
  await workspace.artifacts.commit(staged, key);
  return key;
}

export interface EvaluationToStore {
  evaluation: Evaluation;
  html: string;
  /** `name@number` of the evaluated dataset version. */
  dataset: string;
  candidate: { model: string; version: number };
  champion?: { model: string; version: number };
}

/**
 * Stores an evaluation: the whole evaluation as a JSON artifact, the report as an HTML artifact, then one
 * metadata row linking the model versions and the dataset version (the board's offline-evaluation
 * evidence). For callers that evaluated predictions themselves (evaluatePredictions), such as the demo.
 */
export async function storeEvaluation(workspace: Workspace, stored: EvaluationToStore, context: ChangeContext): Promise<EvaluationRecord> {
  const { evaluation } = stored;
  const uri = (ref: { model: string; version: number }) => `models:/${ref.model}/${ref.version}`;
  const document = JSON.stringify({ dataset: stored.dataset, candidate: uri(stored.candidate), champion: stored.champion === undefined ? null : uri(stored.champion), evaluation });
  const artifactKey = await storeText(workspace, document, '.json');
  const reportKey = await storeText(workspace, stored.html, '.html');
  const summary = {
    models: evaluation.models.map((model) => ({ name: model.name, role: model.role, metrics: model.metrics })),
    comparison: evaluation.comparison === undefined ? null : { champion: evaluation.comparison.champion, differences: evaluation.comparison.differences, delong: evaluation.comparison.delong ?? null },
    verdict: evaluation.verdict,
  };
  return workspace.evaluations.record(
    {
      candidate: { model: stored.candidate.model, version: stored.candidate.version },
      ...(stored.champion === undefined ? {} : { champion: { model: stored.champion.model, version: stored.champion.version } }),
      dataset: stored.dataset,
      task: evaluation.task,
      ready: evaluation.verdict.ready,
      summary: evaluation.verdict.summary,
      metrics: summary,
      artifactKey,
      reportKey,
    },
    context,
  );
}

/** Evaluates a model version on a dataset version against the baseline and (optionally) the champion. */
export async function evaluateModels(request: EvaluateModelsRequest): Promise<EvaluateModelsResult> {
  // resolve
  const { workspace, engine, spec } = request;
  const candidate = await loadModelVersion(workspace, request.candidate);
  const champion = request.champion === undefined ? undefined : await loadModelVersion(workspace, request.champion);
  if (champion !== undefined && champion.uri === candidate.uri) throw new MlcycleError('invalid_input', `${request.candidate} and ${request.champion} are the same version (${candidate.uri}): nothing to compare`);
  const version = await resolveDatasetRef(workspace.datasets, request.dataset);
  if (spec.task === 'ranking' && request.query === undefined) throw new MlcycleError('usage', 'a ranking evaluation needs --query COLUMN: the column that groups rows into queries');
  const columns = new Set(version.columns.map((column) => column.name));
  const specSegments = spec.segments.map((segment) => segment.column);
  const skippedSegments = specSegments.filter((column) => !columns.has(column));
  const segmentColumns = [...new Set([...specSegments.filter((column) => columns.has(column)), ...(request.by ?? [])])];
  // read
  const models = champion === undefined ? [candidate] : [candidate, champion];
  const table = await readEvaluationTable(engine, workspace, spec, version, models, segmentColumns, request.query);
  // predict
  const candidateOutput = modelOutput(spec, candidate, table.inputs.get(candidate.uri) ?? {}, table.rows);
  const predictions: ModelPredictions[] = [{ name: candidate.uri, role: 'candidate', predictions: candidateOutput.predictions }];
  if (champion !== undefined) predictions.push({ name: champion.uri, role: 'champion', predictions: modelOutput(spec, champion, table.inputs.get(champion.uri) ?? {}, table.rows).predictions });
  const baseline = await baselineOf(request, candidate, table.labels, candidateOutput.classes);
  predictions.push(baseline);
  // evaluate
  const evaluation = evaluatePredictions({
    rows: { task: spec.task, labels: table.labels, ...(candidateOutput.classes === undefined ? {} : { classes: candidateOutput.classes }), ...(table.queries === undefined ? {} : { queries: table.queries.map((query) => query ?? '') }) },
    models: predictions,
    segments: table.segments,
    targets: spec.mlMetrics,
    ...(request.settings === undefined ? {} : { settings: request.settings }),
    ...(request.bootstrap === undefined ? {} : { bootstrap: request.bootstrap }),
  });
  // business value under the spec's value model, for every model (the eval-policy modules)
  const businessValue = businessValueOfModels(
    spec,
    { labels: table.labels, threshold: evaluation.settings.threshold, ...(candidateOutput.classes === undefined ? {} : { classes: candidateOutput.classes }), ...(table.queries === undefined ? {} : { queries: table.queries.map((query) => query ?? '') }) },
    predictions,
    evaluation.bootstrap,
  );
  if (businessValue.length > 0) evaluation.businessValue = businessValue;
  // render
  const createdAt = request.context.now().toISOString();
  const html = await renderEvaluationReport(evaluation, { dataset: version.ref, createdAt });
  const result: EvaluateModelsResult = { evaluation, html, dataset: version.ref, candidate: candidate.uri, baseline: baseline.name, unlabelled: table.unlabelled, skippedSegments };
  if (champion !== undefined) result.champion = champion.uri;
  // store
  if (request.store !== false) {
    result.record = await storeEvaluation(workspace, { evaluation, html, dataset: version.ref, candidate: candidate.version, ...(champion === undefined ? {} : { champion: champion.version }) }, request.context);
  }
  return result;
}
