/** MLflow REST API 2.0 for the model registry: registered models, model versions, tags and aliases. */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { validateRunId } from '../../tracking/limits.js';
import { resolveModelUri } from '../../tracking/registry/model-uri.js';
import { createRegisteredModel, deleteModelAlias, deleteModelVersion, deleteRegisteredModel, registerModel, setModelAlias, setModelDescription, setModelTag } from '../../tracking/registry/register-model.js';
import { actorOf, type ActAs, type ServerContext } from '../server-context.js';
import { modelVersionJson, registeredModelJson } from './mlflow-shapes.js';
import { fieldsOf, keyValues, optionalString, requiredString, type Fields } from './request-fields.js';

const PREFIX = '/api/2.0/mlflow';

/** The run artifact path a version's source names: `runs:/<run id>/<path>`, as MLflow clients send it. */
function sourcePath(source: string, runId: string): string {
  const match = /^runs:\/([0-9a-f]{32})\/(.+)$/.exec(source);
  if (match === null) throw new MlcycleError('invalid_input', `source: expected runs:/<run_id>/<artifact path>, got "${source}"`);
  if (match[1] !== runId) throw new MlcycleError('invalid_input', `source: names run ${match[1]}, but run_id is ${runId}`);
  return match[2] as string;
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
    const latest = model.latestVersion === undefined ? undefined : await workspace.registry.findVersion(name, model.latestVersion);
    return registeredModelJson(model, latest);
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
  const searchModels = async (fields: Fields, _actAs: ActAs) => {
    const filter = optionalString(fields, 'filter');
    const match = filter === undefined || filter.trim() === '' ? undefined : /^\s*name\s*(=|LIKE)\s*'((?:[^']|'')*)'\s*$/i.exec(filter);
    if (match === null) throw new MlcycleError('invalid_input', `filter: only name = '...' and name LIKE '...' are supported, got ${filter}`);
    const pattern = match?.[2]?.replaceAll("''", "'");
    const like = pattern === undefined ? undefined : new RegExp(`^${[...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 's');
    const models = (await workspace.registry.listModels()).filter((model) => match === undefined || (match[1] === '=' ? model.name === pattern : like?.test(model.name)));
    return { registered_models: await Promise.all(models.map((model) => modelJson(model.name))) };
  };
  get('/registered-models/search', searchModels);
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
    const runId = requiredString(fields, 'run_id');
    validateRunId(runId, 'run_id');
    const tags = keyValues(fields, 'tags');
    const description = optionalString(fields, 'description');
    const version = await registerModel(
      workspace,
      { name, run: runId, path: sourcePath(requiredString(fields, 'source'), runId), tags, ...(description === undefined ? {} : { description }) },
      actAs(),
    );
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
  get('/model-versions/search', async (fields) => {
    const filter = optionalString(fields, 'filter') ?? '';
    const match = /^\s*name\s*=\s*'((?:[^']|'')*)'\s*$/.exec(filter);
    if (match === null) throw new MlcycleError('invalid_input', `filter: only name = '...' is supported, got ${filter}`);
    const versions = await workspace.registry.listVersions((match[1] as string).replaceAll("''", "'"));
    return { model_versions: versions.map(modelVersionJson) };
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
