/**
 * Registering models from runs and managing their aliases, tags and descriptions: validation first (all
 * of it before any write), then one store call per change. Also the lineage of a version: the run that
 * made it, the dataset versions that run read, and where those came from.
 */
import { MlcycleError } from '../../error.js';
import type { ChangeContext } from '../../store/audit-log.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import type { ModelVersion, RegisteredModel, RegistryTarget } from '../../store/model-registry.js';
import type { Run, RunInput } from '../../store/run-store.js';
import type { Workspace } from '../../store/workspace.js';
import type { ActiveRun } from '../active-run.js';
import { requireArtifactPath } from '../artifact-paths.js';
import { validateRunId } from '../limits.js';
import { resolveModelUri } from './model-uri.js';
import { validateAlias, validateDescription, validateModelName, validateRegistryTag } from './registry-names.js';

export interface RegisterModelOptions {
  /** The registered model; created when it does not exist. */
  name: string;
  run: string | ActiveRun;
  /** The run's artifact folder or file holding the model (default `model`). */
  path?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** Adds a version of a registered model from a run's model artifact; a new model is created in the same transaction. */
export async function registerModel(workspace: Workspace, options: RegisterModelOptions, context: ChangeContext): Promise<ModelVersion> {
  validateModelName(options.name);
  const runId = typeof options.run === 'string' ? options.run : options.run.id;
  validateRunId(runId, 'run');
  const source = requireArtifactPath(options.path ?? 'model', 'path');
  if (options.description !== undefined) validateDescription(options.description);
  for (const [key, value] of Object.entries(options.tags ?? {})) validateRegistryTag(key, value);
  return workspace.registry.createVersion(
    { model: options.name, runId, source, createModel: true, ...(options.description === undefined ? {} : { description: options.description }), ...(options.tags === undefined ? {} : { tags: options.tags }) },
    context,
  );
}

/** Points `alias` (e.g. `champion`) at a version of a model. */
export async function setModelAlias(workspace: Workspace, model: string, alias: string, version: number, context: ChangeContext): Promise<void> {
  validateModelName(model);
  validateAlias(alias);
  if (!Number.isSafeInteger(version) || version < 1) throw new MlcycleError('invalid_input', `version: expected a positive whole number, got ${version}`);
  await workspace.registry.setAlias(model, alias, version, context);
}

/** Removes an alias from a model. */
export async function deleteModelAlias(workspace: Workspace, model: string, alias: string, context: ChangeContext): Promise<void> {
  validateModelName(model);
  validateAlias(alias);
  await workspace.registry.deleteAlias(model, alias, context);
}

/** Creates a registered model with its description and tags, all checked first and stored in one step. */
export async function createRegisteredModel(workspace: Workspace, model: { name: string; description?: string; tags?: Record<string, string> }, context: ChangeContext): Promise<RegisteredModel> {
  validateModelName(model.name);
  const description = model.description ?? '';
  validateDescription(description);
  for (const [key, value] of Object.entries(model.tags ?? {})) validateRegistryTag(key, value);
  return workspace.registry.createModel(model.name, description, context, model.tags ?? {});
}

/** Deletes a registered model with every version, tag and alias it has. */
export async function deleteRegisteredModel(workspace: Workspace, model: string, context: ChangeContext): Promise<void> {
  validateModelName(model);
  await workspace.registry.deleteModel(model, context);
}

/** Deletes one version of a model, and the aliases pointing at it; later versions keep their numbers. */
export async function deleteModelVersion(workspace: Workspace, model: string, version: number, context: ChangeContext): Promise<void> {
  validateModelName(model);
  if (!Number.isSafeInteger(version) || version < 1) throw new MlcycleError('invalid_input', `version: expected a positive whole number, got ${version}`);
  await workspace.registry.deleteVersion(model, version, context);
}

/** Sets a tag on a model or one of its versions. */
export async function setModelTag(workspace: Workspace, target: RegistryTarget, key: string, value: string, context: ChangeContext): Promise<void> {
  validateModelName(target.model);
  validateRegistryTag(key, value);
  await workspace.registry.setTag(target, key, value, context);
}

/** Sets the description of a model or one of its versions. */
export async function setModelDescription(workspace: Workspace, target: RegistryTarget, description: string, context: ChangeContext): Promise<void> {
  validateModelName(target.model);
  validateDescription(description);
  await workspace.registry.setDescription(target, description, context);
}

export interface ModelLineage {
  version: ModelVersion;
  run: Run;
  /** Each input of the run, with its mlcycle dataset version when it is one (and so its sources and parents). */
  inputs: { input: RunInput; datasetVersion?: DatasetVersion }[];
}

/** Version, then run, then dataset versions, then their sources: what a model was made from. */
export async function modelLineage(workspace: Workspace, uri: string): Promise<ModelLineage> {
  const version = await resolveModelUri(workspace.registry, uri);
  const run = await workspace.runs.findRun(version.runId);
  if (run === undefined) throw new MlcycleError('internal', `model version ${uri} points at run ${version.runId}, which does not exist`);
  const inputs = await Promise.all(
    run.inputs.map(async (input) => {
      const datasetVersion = input.versionRef === undefined ? undefined : await workspace.datasets.findByHash(input.dataset, input.digest);
      return datasetVersion === undefined ? { input } : { input, datasetVersion };
    }),
  );
  return { version, run, inputs };
}
