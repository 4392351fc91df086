/**
 * /api/v1/models: registered models, versions (by number or `latest`), aliases, tags, descriptions,
 * deletes, lineage and model cards; /api/v1/registry/events for the event log.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { validateRunId } from '../../tracking/limits.js';
import { buildModelCard } from '../../tracking/registry/model-card.js';
import { formatModelCardMarkdown } from '../../tracking/registry/model-card-markdown.js';
import { resolveModelUri } from '../../tracking/registry/model-uri.js';
import {
  createRegisteredModel,
  deleteModelAlias,
  deleteModelVersion,
  deleteRegisteredModel,
  modelLineage,
  registerModel,
  setModelAlias,
  setModelDescription,
  setModelTag,
} from '../../tracking/registry/register-model.js';
import { validateModelName } from '../../tracking/registry/registry-names.js';
import { fieldsOf, optionalInteger, optionalString, requiredString } from '../mlflow/request-fields.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { apiRun, bodyOf, optionalRecord, positiveIntegerParam } from './api-json.js';
import type { ApiLineage, ApiModelDetail } from './api-types.js';

const PREFIX = '/models';
type ModelParams = { Params: { name: string } };
type VersionParams = { Params: { name: string; version: string } };

/** The model URI of a version path parameter: a number or `latest`. */
function versionUri(name: string, version: string): string {
  if (version !== 'latest') positiveIntegerParam(version, 'version');
  return `models:/${name}/${version}`;
}

export function registerApiRegistryRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  const { registry } = workspace;
  const detail = async (name: string): Promise<ApiModelDetail> => {
    validateModelName(name);
    const model = await registry.findModel(name);
    if (model === undefined) throw new MlcycleError('not_found', `no registered model named "${name}"`);
    return { model, versions: await registry.listVersions(name) };
  };
  const versionOf = async (name: string, version: string) => resolveModelUri(registry, versionUri(name, version));

  app.get(PREFIX, async () => ({ models: await registry.listModels() }));
  app.post(PREFIX, async (request, reply) => {
    const fields = bodyOf(request);
    const description = optionalString(fields, 'description');
    const model = { name: requiredString(fields, 'name'), tags: optionalRecord(fields, 'tags'), ...(description === undefined ? {} : { description }) };
    return reply.status(201).send({ model: await createRegisteredModel(workspace, model, actorOf(server, request)()) });
  });
  app.get<ModelParams>(`${PREFIX}/:name`, async (request) => detail(request.params.name));
  app.patch<ModelParams>(`${PREFIX}/:name`, async (request) => {
    const description = requiredString(bodyOf(request), 'description');
    await setModelDescription(workspace, { model: request.params.name }, description, actorOf(server, request)());
    return detail(request.params.name);
  });
  app.delete<ModelParams>(`${PREFIX}/:name`, async (request) => {
    await deleteRegisteredModel(workspace, request.params.name, actorOf(server, request)());
    return {};
  });
  app.put<{ Params: { name: string; key: string } }>(`${PREFIX}/:name/tags/:key`, async (request) => {
    await setModelTag(workspace, { model: request.params.name }, request.params.key, requiredString(bodyOf(request), 'value'), actorOf(server, request)());
    return detail(request.params.name);
  });
  app.delete<{ Params: { name: string; key: string } }>(`${PREFIX}/:name/tags/:key`, async (request) => {
    validateModelName(request.params.name);
    await registry.deleteTag({ model: request.params.name }, request.params.key, actorOf(server, request)());
    return detail(request.params.name);
  });

  app.post<ModelParams>(`${PREFIX}/:name/versions`, async (request, reply) => {
    const fields = bodyOf(request);
    const runId = requiredString(fields, 'runId');
    validateRunId(runId, 'runId');
    const path = optionalString(fields, 'path');
    const description = optionalString(fields, 'description');
    const tags = optionalRecord(fields, 'tags');
    const version = await registerModel(
      workspace,
      { name: request.params.name, run: runId, tags, ...(path === undefined ? {} : { path }), ...(description === undefined ? {} : { description }) },
      actorOf(server, request)(),
    );
    return reply.status(201).send({ version });
  });
  app.get<VersionParams>(`${PREFIX}/:name/versions/:version`, async (request) => ({ version: await versionOf(request.params.name, request.params.version) }));
  app.patch<VersionParams>(`${PREFIX}/:name/versions/:version`, async (request) => {
    const found = await versionOf(request.params.name, request.params.version);
    await setModelDescription(workspace, { model: found.model, version: found.version }, requiredString(bodyOf(request), 'description'), actorOf(server, request)());
    return { version: await versionOf(found.model, String(found.version)) };
  });
  app.delete<VersionParams>(`${PREFIX}/:name/versions/:version`, async (request) => {
    await deleteModelVersion(workspace, request.params.name, positiveIntegerParam(request.params.version, 'version'), actorOf(server, request)());
    return {};
  });
  app.put<{ Params: { name: string; version: string; key: string } }>(`${PREFIX}/:name/versions/:version/tags/:key`, async (request) => {
    const found = await versionOf(request.params.name, request.params.version);
    await setModelTag(workspace, { model: found.model, version: found.version }, request.params.key, requiredString(bodyOf(request), 'value'), actorOf(server, request)());
    return { version: await versionOf(found.model, String(found.version)) };
  });
  app.delete<{ Params: { name: string; version: string; key: string } }>(`${PREFIX}/:name/versions/:version/tags/:key`, async (request) => {
    const found = await versionOf(request.params.name, request.params.version);
    await registry.deleteTag({ model: found.model, version: found.version }, request.params.key, actorOf(server, request)());
    return { version: await versionOf(found.model, String(found.version)) };
  });
  app.get<VersionParams>(`${PREFIX}/:name/versions/:version/lineage`, async (request): Promise<ApiLineage> => {
    const lineage = await modelLineage(workspace, versionUri(request.params.name, request.params.version));
    return { ...lineage, run: apiRun(lineage.run) };
  });
  app.get<VersionParams & { Querystring: { format?: string } }>(`${PREFIX}/:name/versions/:version/card`, async (request, reply) => {
    const format = request.query.format ?? 'json';
    if (format !== 'json' && format !== 'markdown') throw new MlcycleError('invalid_input', `format: "${format}" is not json or markdown`, { issues: [{ path: 'format', message: 'not json or markdown' }] });
    const card = await buildModelCard(workspace, versionUri(request.params.name, request.params.version));
    if (format === 'json') return { card };
    return reply.header('content-type', 'text/markdown; charset=utf-8').send(formatModelCardMarkdown(card));
  });

  app.get<{ Params: { name: string; alias: string } }>(`${PREFIX}/:name/aliases/:alias`, async (request) => ({ version: await resolveModelUri(registry, `models:/${request.params.name}@${request.params.alias}`) }));
  app.put<{ Params: { name: string; alias: string } }>(`${PREFIX}/:name/aliases/:alias`, async (request) => {
    const version = optionalInteger(bodyOf(request), 'version');
    if (version === undefined) throw new MlcycleError('invalid_input', 'version: give the version number the alias should point at', { issues: [{ path: 'version', message: 'missing' }] });
    await setModelAlias(workspace, request.params.name, request.params.alias, version, actorOf(server, request)());
    return { version: await resolveModelUri(registry, `models:/${request.params.name}@${request.params.alias}`) };
  });
  app.delete<{ Params: { name: string; alias: string } }>(`${PREFIX}/:name/aliases/:alias`, async (request) => {
    await deleteModelAlias(workspace, request.params.name, request.params.alias, actorOf(server, request)());
    return {};
  });

  app.get('/registry/events', async (request) => {
    const fields = fieldsOf({ query: request.query });
    const afterId = optionalInteger(fields, 'afterId');
    const limit = optionalInteger(fields, 'limit') ?? 100;
    if (limit < 1 || limit > 10_000) throw new MlcycleError('invalid_input', `limit: expected 1 to 10,000, got ${limit}`, { issues: [{ path: 'limit', message: 'expected 1 to 10,000' }] });
    return { events: await registry.listEvents({ limit, ...(afterId === undefined ? {} : { afterId }) }) };
  });
}
