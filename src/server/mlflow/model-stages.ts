/**
 * MLflow's model version stages as its clients send them: case-insensitive names made canonical, and
 * `archive_existing_versions` allowed only for the active stages (MLflow 2.22:
 * mlflow/entities/model_registry/model_version_stages.py, SqlAlchemyStore.transition_model_version_stage).
 */
import { MlcycleError } from '../../error.js';
import { MODEL_STAGES, type ModelStage } from '../../store/model-registry.js';

/** The canonical stage a client's spelling names (`production` is `Production`). */
export function canonicalStage(text: string): ModelStage {
  const stage = MODEL_STAGES.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
  if (stage === undefined) throw new MlcycleError('invalid_input', `Invalid Model Version stage: ${text}. Value must be one of ${MODEL_STAGES.join(', ')}.`);
  return stage;
}

/** Checks that archiving the other versions makes sense for the stage: only Staging and Production are active. */
export function checkArchiveExisting(stage: ModelStage, archive: boolean): void {
  if (archive && stage !== 'Staging' && stage !== 'Production') {
    throw new MlcycleError('invalid_input', `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging, Production`);
  }
}

/** The latest version in each stage, in MLflow's stage order; only the stages asked for when some are. */
export function latestPerStage<T extends { version: number; stage: ModelStage }>(versions: readonly T[], stages: readonly string[]): T[] {
  const wanted = stages.length === 0 ? MODEL_STAGES : stages.map(canonicalStage);
  const latest = new Map<ModelStage, T>();
  for (const version of versions) {
    const current = latest.get(version.stage);
    if (current === undefined || version.version > current.version) latest.set(version.stage, version);
  }
  return MODEL_STAGES.filter((stage) => wanted.includes(stage)).flatMap((stage) => (latest.has(stage) ? [latest.get(stage) as T] : []));
}
