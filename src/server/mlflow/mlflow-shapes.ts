/**
 * mlcycle's tracking and registry entities in the JSON shapes of MLflow's REST API 2.0 (field names as
 * in MLflow's protos: snake_case, timestamps in milliseconds, 64-bit integers as JSON numbers).
 */
import type { LoggedModelOutput } from '../../store/logged-model-store.js';
import type { ModelVersion, RegisteredModel } from '../../store/model-registry.js';
import type { Experiment, Run, RunInfo } from '../../store/run-store.js';

/** MLflow's tag for the dataset context of an input. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';
/** MLflow's tags for the parent run and the run name. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId';
export const RUN_NAME_TAG = 'mlflow.runName';

function tagList(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** NaN and infinities as MLflow's JSON writes them. */
export function jsonNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function experimentJson(experiment: Experiment) {
  const created = Date.parse(experiment.createdAt);
  return {
    experiment_id: experiment.id,
    name: experiment.name,
    artifact_location: `mlflow-artifacts:/${experiment.id}`,
    lifecycle_stage: experiment.lifecycleStage,
    creation_time: created,
    last_update_time: created,
    tags: tagList(experiment.tags),
  };
}

export function runInfoJson(info: RunInfo) {
  return {
    run_id: info.id,
    run_uuid: info.id,
    run_name: info.name,
    experiment_id: info.experimentId,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    ...(info.endTime === undefined ? {} : { end_time: info.endTime }),
    artifact_uri: `mlflow-artifacts:/${info.experimentId}/${info.id}/artifacts`,
    lifecycle_stage: info.lifecycleStage,
  };
}

/** MLflow 3's RunOutputs: the logged models a run output, each with the step it was logged at. */
export function outputsJson(outputs: readonly LoggedModelOutput[]) {
  return { model_outputs: outputs.map((output) => ({ model_id: output.modelId, step: output.step })) };
}

export function runJson(run: Run) {
  const tags: Record<string, string> = { ...run.tags, [RUN_NAME_TAG]: run.name };
  if (run.parentRunId !== undefined) tags[PARENT_RUN_TAG] = run.parentRunId;
  if (run.gitCommit !== undefined) tags['mlflow.source.git.commit'] = run.gitCommit;
  return {
    info: runInfoJson(run),
    data: {
      metrics: Object.entries(run.metrics).map(([key, metric]) => ({ key, value: jsonNumber(metric.value), timestamp: metric.timestamp, step: metric.step })),
      params: tagList(run.params),
      tags: tagList(tags),
    },
    inputs: {
      dataset_inputs: run.inputs.map((input) => ({
        tags: input.context === '' ? [] : [{ key: DATASET_CONTEXT_TAG, value: input.context }],
        dataset: {
          name: input.dataset,
          digest: input.digest,
          source_type: input.sourceType ?? (input.versionRef === undefined ? 'external' : 'mlcycle'),
          source: input.versionRef === undefined ? (input.source ?? '') : JSON.stringify({ ref: input.versionRef }),
          ...(input.schema === undefined ? {} : { schema: input.schema }),
          ...(input.profile === undefined ? {} : { profile: input.profile }),
        },
      })),
    },
  };
}

export function modelVersionJson(version: ModelVersion) {
  // A version of an MLflow 3 logged model (its files at models/<id> in the source run) names the model, as MLflow 3's source and model_id.
  const loggedModel = /^models\/(m-[0-9a-f]{32})$/.exec(version.source)?.[1];
  return {
    name: version.model,
    version: String(version.version),
    creation_timestamp: Date.parse(version.createdAt),
    last_updated_timestamp: Date.parse(version.updatedAt),
    user_id: version.createdBy,
    current_stage: version.stage,
    description: version.description,
    source: loggedModel === undefined ? `runs:/${version.runId}/${version.source}` : `models:/${loggedModel}`,
    run_id: version.runId,
    ...(loggedModel === undefined ? {} : { model_id: loggedModel }),
    status: 'READY',
    tags: tagList(version.tags),
    aliases: version.aliases,
  };
}

/** A registered model; `latest` is the latest version of each stage (MLflow's latest_versions). */
export function registeredModelJson(model: RegisteredModel, latest: readonly ModelVersion[]) {
  return {
    name: model.name,
    creation_timestamp: Date.parse(model.createdAt),
    last_updated_timestamp: Date.parse(model.updatedAt),
    user_id: model.createdBy,
    description: model.description,
    latest_versions: latest.map(modelVersionJson),
    tags: tagList(model.tags),
    aliases: Object.entries(model.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  };
}
