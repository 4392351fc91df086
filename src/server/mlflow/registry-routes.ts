/** MLflow REST API 2.0 for the model registry: registered models, model versions, tags and aliases. */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { validateRunId } from '../../tracking/limits.js';
import { resolveModelUri } from '../../tracking/registry/model-uri.js';
import { validateModelName } from '../../tracking/registry/registry-names.js';
import { createRegisteredModel, deleteModelAlias, deleteModelVersion, deleteRegisteredModel, registerModel, setModelAlias, setModelDescription, setModelTag } from '../../tracking/registry/register-model.js';
import { actorOf, type ActAs, type ServerContext } from '../server-context.js';
import { modelVersionJson, registeredModelJson } from './mlflow-shapes.js';
import { loggedModelArtifactPath } from './logged-model-routes.js';
import { canonicalStage, checkArchiveExisting, latestPerStage } from './model-stages.js';
import { fieldsOf, keyValues, optionalString, requiredString, type Fields } from './request-fields.js';

const PREFIX = '/api/2.0/mlflow';

/**
 * The run and artifact path a version's source names: `runs:/<run id>/<path>`, or the run's own
 * `mlflow-artifacts:/<experiment id>/<run id>/artifacts/<path>`, which MLflow 2.x's register_model sends
 * (RunsArtifactRepository.get_underlying_uri). mlcycle registers artifacts of its runs only, so that a
 * version stays linked to the run that made it: any other source is refused, saying so.
 */
async function versionSource(workspace: ServerContext['workspace'], source: string, runId: string | undefined, modelId: string | undefined): Promise<{ runId: string; path: string }> {
  // MLflow 3's register_model sends `models:/<logged model id>` with model_id: the logged model's files, kept in its source run.
  const logged = /^models:\/(m-[0-9a-f]{32})\/?$/.exec(source);
  if (logged !== null) {
    const id = logged[1] as string;
    if (modelId !== undefined && modelId !== id) throw new MlcycleError('invalid_input', `source: names logged model ${id}, but model_id is ${modelId}`);
    const model = await workspace.loggedModels.find(id);
    if (model === undefined || model.lifecycleStage === 'deleted') throw new MlcycleError('not_found', `source: Logged model with ID '${id}' not found`);
    if (runId !== undefined && runId !== model.sourceRunId) throw new MlcycleError('invalid_input', `source: logged model ${id} was made by run ${model.sourceRunId}, but run_id is ${runId}`);
    return { runId: model.sourceRunId, path: loggedModelArtifactPath(id) };
  }
  const runs = /^runs:\/([0-9a-f]{32})\/(.+)$/.exec(source);
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(\d{1,15})\/([0-9a-f]{32})\/artifacts\/(.+)$/.exec(source);
  const named = runs !== null ? { runId: runs[1] as string, path: runs[2] as string } : proxied !== null ? { runId: proxied[2] as string, path: proxied[3] as string } : undefined;
  if (named === undefined) {
    throw new MlcycleError('invalid_input', `source: expected runs:/<run_id>/<path>, mlflow-artifacts:/<experiment_id>/<run_id>/artifacts/<path> or models:/<logged model id>, got "${source}" (mlcycle registers artifacts of its own runs, so that each version stays linked to the run that made it)`);
  }
  if (runId !== undefined && named.runId !== runId) throw new MlcycleError('invalid_input', `source: names run ${named.runId}, but run_id is ${runId}`);
  if (proxied !== null) {
    const run = await workspace.runs.findRun(named.runId);
    if (run === undefined || run.experimentId !== proxied[1]) throw new MlcycleError('invalid_input', `source: run ${named.runId} is not in experiment ${proxied[1]}`);
  }
  return named;
}

function versionNumber(fields: Fields): number {
  const text = requiredString(fields, 'version');
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new MlcycleError('invalid_input', `version: "${text}" is not a version number`);
  return Number(text);
}

/** Registers the MLflow registry routes. */
export function registerMlflowRegistryRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  type Handler = (fields: Fields, actAs: ActAs) => Promise<unknown>;
  const body = (path: string, method: 'POST' | 'PATCH' | 'DELETE', handler: Handler) =>
    app.route({ method, url: `${PREFIX}${path}`, handler: async (request) => handler(fieldsOf(request.body === undefined ? { query: request.query } : request), actorOf(server, request)) });
  const get = (path: string, handler: Handler) => app.get(`${PREFIX}${path}`, async (request) => handler(fieldsOf({ query: request.query }), actorOf(server, request)));

  const modelJson = async (name: string) => {
    const model = await workspace.registry.findModel(name);
    if (model === undefined) throw new MlcycleError('not_found', `Registered Model with name=${name} not found`);
    return registeredModelJson(model, latestPerStage(await workspace.registry.listVersions(model.name), []));
  };
  const versionJson = async (name: string, version: number) => {
    const found = await workspace.registry.findVersion(name, version);
    if (found === undefined) throw new MlcycleError('not_found', `Model Version (name=${name}, version=${version}) not found`);
    return modelVersionJson(found);
  };

  body('/registered-models/create', 'POST', async (fields, actAs) => {
    const name = requiredString(fields, 'name');
    const description = optionalString(fields, 'description');
    await createRegisteredModel(workspace, { name, tags: keyValues(fields, 'tags'), ...(description === undefined ? {} : { description }) }, actAs());
    return { registered_model: await modelJson(name) };
  });
  body('/registered-models/rename', 'POST', async (fields, actAs) => {
    const newName = requiredString(fields, 'new_name');
    validateModelName(newName);
    const model = await workspace.registry.renameModel(requiredString(fields, 'name'), newName, actAs());
    return { registered_model: await modelJson(model.name) };
  });
  body('/registered-models/delete', 'DELETE', async (fields, actAs) => {
    await deleteRegisteredModel(workspace, requiredString(fields, 'name'), actAs());
    return {};
  });
  get('/registered-models/get', async (fields) => ({ registered_model: await modelJson(requiredString(fields, 'name')) }));
  body('/registered-models/update', 'PATCH', async (fields, actAs) => {
    const name = requiredString(fields, 'name');
    const description = optionalString(fields, 'description');
    if (description !== undefined) await setModelDescription(workspace, { model: name }, description, actAs());
    return { registered_model: await modelJson(name) };
  });
  body('/registered-models/set-tag', 'POST', async (fields, actAs) => {
    await setModelTag(workspace, { model: requiredString(fields, 'name') }, requiredString(fields, 'key'), optionalString(fields, 'value') ?? '', actAs());
    return {};
  });
  body('/registered-models/delete-tag', 'DELETE', async (fields, actAs) => {
    await workspace.registry.deleteTag({ model: requiredString(fields, 'name') }, requiredString(fields, 'key'), actAs());
    return {};
  });

  body('/model-versions/create', 'POST', async (fields, actAs) => {
    const name = requiredString(fields, 'name');
    const givenRunId = optionalString(fields, 'run_id') || undefined;
    if (givenRunId !== undefined) validateRunId(givenRunId, 'run_id');
    const tags = keyValues(fields, 'tags');
    const description = optionalString(fields, 'description');
    const modelId = optionalString(fields, 'model_id') || undefined;
    const { runId, path } = await versionSource(workspace, requiredString(fields, 'source'), givenRunId, modelId);
    const version = await registerModel(workspace, { name, run: runId, path, tags, ...(description === undefined ? {} : { description }) }, actAs());
    return { model_version: modelVersionJson(version) };
  });
  get('/model-versions/get', async (fields) => ({ model_version: await versionJson(requiredString(fields, 'name'), versionNumber(fields)) }));
  body('/model-versions/update', 'PATCH', async (fields, actAs) => {
    const name = requiredString(fields, 'name');
    const version = versionNumber(fields);
    const description = optionalString(fields, 'description');
    if (description !== undefined) await setModelDescription(workspace, { model: name, version }, description, actAs());
    return { model_version: await versionJson(name, version) };
  });
  body('/model-versions/transition-stage', 'POST', async (fields, actAs) => {
    const name = requiredString(fields, 'name');
    const version = versionNumber(fields);
    const stage = canonicalStage(requiredString(fields, 'stage'));
    const archive = fields.archive_existing_versions === true || fields.archive_existing_versions === 'true';
    checkArchiveExisting(stage, archive);
    if ((await workspace.registry.findVersion(name, version)) === undefined) throw new MlcycleError('not_found', `Model Version (name=${name}, version=${version}) not found`);
    return { model_version: modelVersionJson(await workspace.registry.transitionStage(name, version, stage, archive, actAs())) };
  });
  body('/model-versions/delete', 'DELETE', async (fields, actAs) => {
    await deleteModelVersion(workspace, requiredString(fields, 'name'), versionNumber(fields), actAs());
    return {};
  });
  body('/model-versions/set-tag', 'POST', async (fields, actAs) => {
    await setModelTag(workspace, { model: requiredString(fields, 'name'), version: versionNumber(fields) }, requiredString(fields, 'key'), optionalString(fields, 'value') ?? '', actAs());
    return {};
  });
  body('/model-versions/delete-tag', 'DELETE', async (fields, actAs) => {
    await workspace.registry.deleteTag({ model: requiredString(fields, 'name'), version: versionNumber(fields) }, requiredString(fields, 'key'), actAs());
    return {};
  });

  body('/registered-models/alias', 'POST', async (fields, actAs) => {
    await setModelAlias(workspace, requiredString(fields, 'name'), requiredString(fields, 'alias'), versionNumber(fields), actAs());
    return {};
  });
  body('/registered-models/alias', 'DELETE', async (fields, actAs) => {
    await deleteModelAlias(workspace, requiredString(fields, 'name'), requiredString(fields, 'alias'), actAs());
    return {};
  });
  get('/registered-models/alias', async (fields) => {
    const version = await resolveModelUri(workspace.registry, `models:/${requiredString(fields, 'name')}@${requiredString(fields, 'alias')}`);
    return { model_version: modelVersionJson(version) };
  });
}
