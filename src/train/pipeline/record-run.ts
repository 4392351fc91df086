/**
 * What a pipeline run records once its steps are done: the dataset versions it read (its lineage), each
 * step's cache key, whether it came from the cache and from which run, the worker that computed it (through
 * the queue), its time, the validation metrics, and the model file as the run's `model/model.json`
 * artifact (the cached bytes, not a copy).
 */
import type { ChangeContext } from '../../store/audit-log.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import type { ActiveRun } from '../../tracking/active-run.js';
import { validationMetricKey } from '../../tracking/metric-keys.js';
import { higherIsBetter } from './metric-names.js';
import type { NormalizedPipeline, PipelineResult, StepName, StepOutcome } from './pipeline-types.js';
import type { CachedStep, StepCache } from './step-cache.js';

export const MODEL_ARTIFACT_PATH = 'model/model.json';

export interface FinishedSteps {
  pipeline: NormalizedPipeline;
  data: Partial<Record<'source' | 'training' | 'validation', DatasetVersion>>;
  done: ReadonlyMap<StepName, CachedStep>;
  outcomes: readonly StepOutcome[];
  history: readonly { round: number; value: number }[];
  pruned: boolean;
  cache: StepCache;
  context: ChangeContext;
}

function shortHashes(hashes: Readonly<Record<string, string>>): string {
  return Object.entries(hashes).map(([name, hash]) => `${name}=${hash.slice(0, 12)}`).join(', ');
}

/** Logs the run's inputs, tags, metrics and model; returns what runPipeline returns. */
export async function recordPipelineRun(run: ActiveRun, finished: FinishedSteps): Promise<PipelineResult> {
  const { pipeline, data, done, outcomes, history, pruned, cache } = finished;
  const training = data.training as DatasetVersion;
  const validation = data.validation as DatasetVersion;
  if (data.source !== undefined) await run.logInput(data.source, 'source');
  await run.logInput(training, 'training');
  await run.logInput(validation, 'validation');
  const cached = outcomes.every((outcome) => outcome.cached);
  const tags: Record<string, string> = { 'mlcycle.cached': String(cached), 'mlcycle.pruned': String(pruned) };
  for (const outcome of outcomes) {
    tags[`step.${outcome.step}.cache_key`] = outcome.cacheKey;
    tags[`step.${outcome.step}.cached`] = String(outcome.cached);
    // Inputs and outputs by the first 12 digits of their content hashes, as `mlcycle data list` shows versions.
    tags[`step.${outcome.step}.inputs`] = shortHashes(outcome.inputs);
    tags[`step.${outcome.step}.outputs`] = shortHashes(outcome.outputs);
    const source = done.get(outcome.step)?.runId;
    if (outcome.cached && source !== undefined) tags[`step.${outcome.step}.computed_by`] = source;
    if (outcome.worker !== undefined) tags[`step.${outcome.step}.worker`] = outcome.worker;
    run.logMetric(`step.${outcome.step}.seconds`, outcome.seconds);
  }
  await run.setTags(tags);
  const evaluation = done.get('evaluate')?.summary.metrics as Record<string, number> | undefined;
  const metrics = { ...evaluation };
  // A pruned run's objective is its last reported round, as Optuna reports a pruned trial.
  const last = history.at(-1);
  run.logMetrics(Object.fromEntries(Object.entries(metrics).filter(([, value]) => Number.isFinite(value)).map(([name, value]) => [validationMetricKey(name), value])));
  const model = done.get('train')?.outputs.model;
  if (model === undefined) throw new Error('the train step left no model');
  await run.workspace.runs.recordArtifacts(run.id, [{ path: MODEL_ARTIFACT_PATH, size: model.size, sha256: model.sha256 }], finished.context);
  const first = pipeline.metrics[0] ?? '';
  const objectiveValue = pruned && last !== undefined ? last.value : (metrics[first] ?? NaN);
  return {
    runId: run.id,
    experiment: pipeline.experiment,
    status: 'FINISHED',
    pruned,
    cached,
    metrics,
    objective: { metric: first, value: objectiveValue, higherIsBetter: higherIsBetter(first) },
    history: [...history],
    model: { artifactPath: MODEL_ARTIFACT_PATH, sha256: model.sha256, file: await cache.file(model), learner: pipeline.train.learner },
    steps: [...outcomes],
    datasets: { training: training.ref, validation: validation.ref },
  };
}
