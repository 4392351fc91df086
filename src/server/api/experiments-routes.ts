/** /api/v1/experiments: list, create (with tags, in one step), read, rename, delete, restore, tag. */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../../store/run-store.js';
import { validateExperimentName, validateTags } from '../../tracking/limits.js';
import { optionalString, requiredString } from '../mlflow/request-fields.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { bodyOf, optionalRecord } from './api-json.js';

const PREFIX = '/experiments';

function experimentId(id: string): string {
  if (!/^\d{1,15}$/.test(id)) throw new MlcycleError('invalid_input', `experiment: "${id}" is not an experiment id (a whole number)`, { issues: [{ path: 'experiment', message: 'not an experiment id' }] });
  return id;
}

export function registerApiExperimentRoutes(app: FastifyInstance, server: ServerContext): void {
  const { runs } = server.workspace;
  const find = async (id: string) => {
    const experiment = await runs.findExperiment({ id: experimentId(id) });
    if (experiment === undefined) throw new MlcycleError('not_found', `no experiment with id ${id}`);
    return experiment;
  };

  app.get(PREFIX, async () => ({ experiments: await runs.listExperiments() }));
  app.post(PREFIX, async (request, reply) => {
    const fields = bodyOf(request);
    const name = requiredString(fields, 'name');
    validateExperimentName(name);
    const tags = optionalRecord(fields, 'tags');
    validateTags(tags);
    return reply.status(201).send({ experiment: await runs.createExperiment(name, tags, actorOf(server, request)()) });
  });
  app.get<{ Params: { id: string } }>(`${PREFIX}/:id`, async (request) => ({ experiment: await find(request.params.id) }));
  app.patch<{ Params: { id: string } }>(`${PREFIX}/:id`, async (request) => {
    const fields = bodyOf(request);
    const id = experimentId(request.params.id);
    const context = actorOf(server, request)();
    const name = optionalString(fields, 'name');
    const stage = optionalString(fields, 'lifecycleStage');
    if (stage !== undefined && !(LIFECYCLE_STAGES as readonly string[]).includes(stage)) throw new MlcycleError('invalid_input', `lifecycleStage: "${stage}" is not active or deleted`, { issues: [{ path: 'lifecycleStage', message: 'not active or deleted' }] });
    if (name !== undefined) {
      validateExperimentName(name);
      await runs.renameExperiment(id, name, context);
    }
    if (stage !== undefined) await runs.setExperimentLifecycle(id, stage as LifecycleStage, context);
    return { experiment: await find(id) };
  });
  app.delete<{ Params: { id: string } }>(`${PREFIX}/:id`, async (request) => ({ experiment: await runs.setExperimentLifecycle(experimentId(request.params.id), 'deleted', actorOf(server, request)()) }));
  app.put<{ Params: { id: string; key: string } }>(`${PREFIX}/:id/tags/:key`, async (request) => {
    const value = requiredString(bodyOf(request), 'value');
    const tags = { [request.params.key]: value };
    validateTags(tags);
    await runs.setExperimentTag(experimentId(request.params.id), request.params.key, value, actorOf(server, request)());
    return { experiment: await find(request.params.id) };
  });
}
