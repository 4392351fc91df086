/**
 * MLflow's registry reads that search or resolve: registered-model and model-version searches (filters,
 * orderings and paging as MLflow's), `get-latest-versions` (how `models:/name/latest` resolves) and
 * `model-versions/get-download-uri` (how `models:/name/N` and `models:/name@alias` reach the artifacts;
 * mlflow/store/artifact/models_artifact_repo.py, MLflow 2.22); get-latest-versions answers the latest
 * version of each stage.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import type { ModelVersion, RegisteredModel } from '../../store/model-registry.js';
import type { ServerContext } from '../server-context.js';
import { modelVersionJson, registeredModelJson, runInfoJson } from './mlflow-shapes.js';
import { latestPerStage } from './model-stages.js';
import { nextPageField, pageOf } from './paging.js';
import { matchesClauses, parseRegistryFilter, parseRegistryOrder, registryComparator } from './registry-search.js';
import { fieldsOf, optionalString, optionalStrings, requiredString, type Fields } from './request-fields.js';

const PREFIX = '/api/2.0/mlflow';
const MODEL_ORDER_KEYS = ['name', 'creation_timestamp', 'last_updated_timestamp'];
const VERSION_ORDER_KEYS = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'];

function modelField(model: RegisteredModel, key: string): string | number | undefined {
  if (key.startsWith('tags.')) return model.tags[key.slice(5)];
  if (key === 'name') return model.name;
  if (key === 'creation_timestamp') return Date.parse(model.createdAt);
  if (key === 'last_updated_timestamp') return Date.parse(model.updatedAt);
  return undefined;
}

function versionField(version: ModelVersion, key: string): string | number | undefined {
  if (key.startsWith('tags.')) return version.tags[key.slice(5)];
  const fields: Record<string, string | number> = {
    name: version.model,
    version_number: version.version,
    run_id: version.runId,
    source_path: version.source,
    creation_timestamp: Date.parse(version.createdAt),
    last_updated_timestamp: Date.parse(version.updatedAt),
  };
  return fields[key];
}

/** Registers the registry searches, get-latest-versions and get-download-uri. */
export function registerMlflowRegistrySearchRoutes(app: FastifyInstance, server: ServerContext): void {
  const { registry, runs } = server.workspace;
  const readBoth = (path: string, handler: (fields: Fields) => Promise<unknown>) => {
    app.get(`${PREFIX}${path}`, async (request) => handler(fieldsOf({ query: request.query })));
    app.post(`${PREFIX}${path}`, async (request) => handler(fieldsOf(request)));
  };
  const requireModel = async (name: string) => {
    const model = await registry.findModel(name);
    if (model === undefined) throw new MlcycleError('not_found', `Registered Model with name=${name} not found`);
    return model;
  };

  app.get(`${PREFIX}/registered-models/search`, async (request) => {
    const fields = fieldsOf({ query: request.query });
    const filter = optionalString(fields, 'filter');
    const orderBy = optionalStrings(fields, 'order_by');
    const clauses = parseRegistryFilter(filter, ['name', 'tags']);
    const orders = parseRegistryOrder(orderBy, MODEL_ORDER_KEYS);
    const models = (await registry.listModels())
      .filter((model) => matchesClauses(clauses, (field) => modelField(model, field)?.toString()))
      .sort(registryComparator(orders, (model, key) => modelField(model, key) ?? '', (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
    // SearchRegisteredModels: 100 a page by default, at most 1,000 (model_registry.proto, MLflow 2.22).
    const { page, nextPageToken } = pageOf(models, fields, { filter, orderBy }, { maxResults: 100, limit: 1000 });
    // latest_versions: the latest version of each stage, as MLflow's RegisteredModel.
    const latest = await Promise.all(page.map(async (model) => latestPerStage(await registry.listVersions(model.name), [])));
    return { registered_models: page.map((model, index) => registeredModelJson(model, latest[index] ?? [])), ...nextPageField(nextPageToken) };
  });

  app.get(`${PREFIX}/model-versions/search`, async (request) => {
    const fields = fieldsOf({ query: request.query });
    const filter = optionalString(fields, 'filter');
    const orderBy = optionalStrings(fields, 'order_by');
    const clauses = parseRegistryFilter(filter, ['name', 'run_id', 'source_path', 'version_number', 'tags']);
    const orders = parseRegistryOrder(orderBy, VERSION_ORDER_KEYS);
    // Read only the versions a name or run_id equality names; all of them otherwise.
    const byName = clauses.find((clause) => clause.field === 'name' && clause.comparator === '=');
    const byRun = clauses.find((clause) => clause.field === 'run_id' && clause.comparator === '=');
    const candidates =
      byName !== undefined
        ? (await registry.findModel(byName.values[0] as string)) === undefined ? [] : await registry.listVersions(byName.values[0] as string)
        : byRun !== undefined && /^[0-9a-f]{32}$/.test(byRun.values[0] as string)
          ? await registry.versionsOfRun(byRun.values[0] as string)
          : (await Promise.all((await registry.listModels()).map((model) => registry.listVersions(model.name)))).flat();
    // MLflow's default order: newest version first within a model (SqlAlchemyStore.search_model_versions).
    const versions = candidates
      .filter((version) => matchesClauses(clauses, (field) => versionField(version, field)?.toString()))
      .sort(registryComparator(orders, (version, key) => versionField(version, key) ?? '', (a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : b.version - a.version)));
    // SearchModelVersions: 10,000 a page by default, at most 200,000 (model_registry.proto, MLflow 2.22).
    const { page, nextPageToken } = pageOf(versions, fields, { filter, orderBy }, { maxResults: 10_000, limit: 200_000 });
    return { model_versions: page.map(modelVersionJson), ...nextPageField(nextPageToken) };
  });

  readBoth('/registered-models/get-latest-versions', async (fields) => {
    const model = await requireModel(requiredString(fields, 'name'));
    return { model_versions: latestPerStage(await registry.listVersions(model.name), optionalStrings(fields, 'stages')).map(modelVersionJson) };
  });

  app.get(`${PREFIX}/model-versions/get-download-uri`, async (request) => {
    const fields = fieldsOf({ query: request.query });
    const name = requiredString(fields, 'name');
    const text = requiredString(fields, 'version');
    const version = /^[1-9]\d{0,8}$/.test(text) ? await registry.findVersion(name, Number(text)) : undefined;
    if (version === undefined) throw new MlcycleError('not_found', `Model Version (name=${name}, version=${text}) not found`);
    const run = await runs.findRun(version.runId);
    if (run === undefined) throw new MlcycleError('not_found', `Run '${version.runId}' of model version ${name}/${text} not found`);
    return { artifact_uri: `${runInfoJson(run).artifact_uri}/${version.source}` };
  });
}
