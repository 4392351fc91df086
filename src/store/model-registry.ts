/**
 * The model registry, after MLflow's: registered models with numbered versions, each made from a run's
 * model artifact; aliases (`champion`, `challenger`) that point at one version each; tags and descriptions
 * on both. Every change also appends a registry event, and a pending delivery for each webhook that wants
 * it (the outbox), in the same transaction as the change and its audit entry.
 */
import type { ChangeContext } from './audit-log.js';

export interface RegisteredModel {
  name: string;
  description: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  tags: Record<string, string>;
  /** Alias to version number. */
  aliases: Record<string, number>;
  /** The highest version number; absent before the first version. */
  latestVersion?: number;
}

export interface ModelVersion {
  model: string;
  version: number;
  /** The run whose artifact this version is. */
  runId: string;
  /** The artifact folder (or file) inside the run, e.g. `model`. */
  source: string;
  description: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  tags: Record<string, string>;
  aliases: string[];
  /** MLflow's stage: None, Staging, Production or Archived (deprecated by MLflow for aliases, kept beside them). */
  stage: ModelStage;
}

/** MLflow's model version stages (mlflow/entities/model_registry/model_version_stages.py). */
export const MODEL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

export const REGISTRY_EVENT_TYPES = [
  'registered_model.created',
  'registered_model.updated',
  'registered_model.tag_set',
  'registered_model.tag_deleted',
  'registered_model.deleted',
  'model_version.created',
  'model_version.updated',
  'model_version.tag_set',
  'model_version.tag_deleted',
  'model_version.alias_set',
  'model_version.alias_deleted',
  'model_version.deleted',
] as const;
export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number];

export interface RegistryEvent {
  /** Increasing: read on from the last id seen. */
  id: number;
  at: string;
  actor: string;
  type: RegistryEventType;
  model: string;
  version?: number;
  details: Record<string, unknown>;
}

export interface NewModelVersion {
  model: string;
  runId: string;
  source: string;
  description?: string;
  tags?: Record<string, string>;
  /** Create the registered model in the same transaction when it does not exist (MLflow's register_model). */
  createModel?: boolean;
}

/** Which entity a tag or description change is for: a model, or one of its versions. */
export type RegistryTarget = { model: string } | { model: string; version: number };

export interface ModelRegistry {
  /** Creates a registered model with its tags in one transaction; a name that exists is a conflict. */
  createModel(name: string, description: string, context: ChangeContext, tags?: Record<string, string>): Promise<RegisteredModel>;
  /** Deletes a model with all its versions, tags and aliases. */
  /** Renames a model; its versions, tags and aliases follow; a name already taken is a conflict. */
  renameModel(name: string, newName: string, context: ChangeContext): Promise<RegisteredModel>;
  deleteModel(name: string, context: ChangeContext): Promise<void>;
  /** Deletes one version with its tags and the aliases that point at it; its number is not given again. */
  deleteVersion(model: string, version: number, context: ChangeContext): Promise<void>;
  findModel(name: string): Promise<RegisteredModel | undefined>;
  listModels(): Promise<RegisteredModel[]>;
  /** Adds the model's next version; the model must exist and the run must hold the source artifact. */
  createVersion(version: NewModelVersion, context: ChangeContext): Promise<ModelVersion>;
  findVersion(model: string, version: number): Promise<ModelVersion | undefined>;
  /** Versions, newest first. */
  listVersions(model: string): Promise<ModelVersion[]>;
  /** Versions made from a run's artifacts. */
  versionsOfRun(runId: string): Promise<ModelVersion[]>;
  setDescription(target: RegistryTarget, description: string, context: ChangeContext): Promise<void>;
  setTag(target: RegistryTarget, key: string, value: string, context: ChangeContext): Promise<void>;
  deleteTag(target: RegistryTarget, key: string, context: ChangeContext): Promise<void>;
  /** Points an alias at a version, moving it from any other version of the model. */
  /** Moves a version to a stage; with `archiveOthers`, the model's other versions in that stage become Archived. */
  transitionStage(model: string, version: number, stage: ModelStage, archiveOthers: boolean, context: ChangeContext): Promise<ModelVersion>;
  setAlias(model: string, alias: string, version: number, context: ChangeContext): Promise<void>;
  deleteAlias(model: string, alias: string, context: ChangeContext): Promise<void>;
  /** Events after `afterId` (all when absent), oldest first. */
  listEvents(query?: { afterId?: number; limit?: number }): Promise<RegistryEvent[]>;
}
