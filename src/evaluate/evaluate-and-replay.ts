/**
 * What `mlcycle evaluate` does, as one service call: evaluate a model version (evaluateModels), write its
 * HTML report, and optionally replay a later dataset version under each model's decisions at the threshold
 * the evaluation chose. Phases: check the replay's preconditions (before anything is stored), evaluate,
 * write the report, replay.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import { evaluateModels, type EvaluateModelsRequest, type EvaluateModelsResult } from './evaluate-models.js';
import { replayAtBestThresholds, type ReplayPeriodResult } from './replay-period.js';

export interface EvaluateAndReplayRequest extends EvaluateModelsRequest {
  /** Where to write the HTML report; by default a stored evaluation's report goes to `.mlcycle/reports/evaluation-<id>.html`. */
  reportFile?: string;
  /** A later dataset version to replay (binary tasks with a value model). */
  replay?: string;
}

export interface EvaluateAndReplayResult {
  evaluated: EvaluateModelsResult;
  /** The report written, if any (none for an unstored evaluation without `reportFile`). */
  report?: string;
  /** The replay, when one was asked for and some model has a threshold that meets the guardrails. */
  replayed?: ReplayPeriodResult;
}

/** Evaluates, writes the report, and replays the later period when asked. */
export async function evaluateAndReplay(request: EvaluateAndReplayRequest): Promise<EvaluateAndReplayResult> {
  const { workspace, engine, spec } = request;
  if (request.replay !== undefined) {
    // Checked before anything is stored: a replay decides by the value model's best threshold.
    if (spec.task !== 'binary' || spec.valueModel === undefined) throw new MlcycleError('invalid_input', `--replay: replaying decisions needs a binary task with a valueModel in mlcycle.yaml (task: ${spec.task}${spec.valueModel === undefined ? ', no valueModel' : ''})`);
    await resolveDatasetRef(workspace.datasets, request.replay);
  }
  const evaluated = await evaluateModels(request);
  // Without a file, a stored evaluation's report goes where `mlcycle explore` puts its reports.
  const report = request.reportFile ?? (evaluated.record === undefined ? undefined : path.join(workspace.stateDir, 'reports', `evaluation-${evaluated.record.id}.html`));
  if (report !== undefined) {
    await mkdir(path.dirname(report), { recursive: true });
    await writeFile(report, evaluated.html);
  }
  const interval = { ...(request.bootstrap?.resamples === undefined ? {} : { resamples: request.bootstrap.resamples }), ...(request.bootstrap?.seed === undefined ? {} : { seed: request.bootstrap.seed }) };
  const replayed = request.replay === undefined ? undefined : await replayAtBestThresholds({ workspace, engine, spec, evaluated, dataset: request.replay, interval });
  return { evaluated, ...(report === undefined ? {} : { report }), ...(replayed === undefined ? {} : { replayed }) };
}
