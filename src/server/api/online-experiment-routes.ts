/**
 * /api/v1/online-experiments: online A/B tests, as `mlcycle experiment` runs them (`/api/v1/experiments`
 * is the tracking experiments' path, MLflow's sense of the word). List, create, read, update, start, stop,
 * and analyse from the event log with the spec's success metrics (stored and audited).
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { checkExperimentDefinition } from '../../experiment/online-definition.js';
import { analyzeStoredExperiment, createExperiment, startExperiment, stopExperiment, updateExperiment } from '../../experiment/online-experiments.js';
import { loadSpec, requireValidSpec } from '../../problem/load-spec.js';
import { openDuckDb } from '../../store/duckdb/engine.js';
import { optionalPositiveInteger, requiredString } from '../mlflow/request-fields.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { bodyOf } from './api-json.js';

const PREFIX = '/online-experiments';

export function registerApiOnlineExperimentRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  const find = async (name: string) => {
    const record = await workspace.experiments.find(name);
    if (record === undefined) throw new MlcycleError('not_found', `no experiment "${name}"`);
    return record;
  };
  const definitionField = (body: Record<string, unknown>) => {
    if (body.definition === undefined) throw new MlcycleError('invalid_input', 'definition: required (the experiment definition as JSON)', { issues: [{ path: 'definition', message: 'required' }] });
    return checkExperimentDefinition(body.definition, 'definition');
  };

  app.get(PREFIX, async () => ({ experiments: await workspace.experiments.list() }));
  app.post(PREFIX, async (request, reply) => {
    const body = bodyOf(request);
    const name = requiredString(body, 'name');
    const record = await createExperiment(workspace, name, definitionField(body), actorOf(server, request)());
    return reply.status(201).send({ experiment: record });
  });
  app.get<{ Params: { name: string } }>(`${PREFIX}/:name`, async (request) => {
    const record = await find(request.params.name);
    const [latest] = await workspace.experiments.analyses(record.name);
    return { experiment: record, latestAnalysis: latest ?? null };
  });
  app.put<{ Params: { name: string } }>(`${PREFIX}/:name`, async (request) => ({ experiment: await updateExperiment(workspace, request.params.name, definitionField(bodyOf(request)), actorOf(server, request)()) }));
  app.post<{ Params: { name: string } }>(`${PREFIX}/:name/start`, async (request) => ({ experiment: await startExperiment(workspace, request.params.name, actorOf(server, request)()) }));
  app.post<{ Params: { name: string } }>(`${PREFIX}/:name/stop`, async (request) => ({ experiment: await stopExperiment(workspace, request.params.name, actorOf(server, request)()) }));
  app.post<{ Params: { name: string } }>(`${PREFIX}/:name/analyze`, async (request) => {
    const phase = optionalPositiveInteger(bodyOf(request), 'phase');
    await find(request.params.name);
    const spec = requireValidSpec(await loadSpec(workspace.specFile));
    const engine = await openDuckDb();
    try {
      const result = await analyzeStoredExperiment(workspace, engine, spec, request.params.name, actorOf(server, request)(), phase === undefined ? {} : { phase });
      return { exposedUnits: result.exposedUnits, decided: result.decided, decision: result.decision, analysis: result.analysis, statistics: result.statistics, stored: result.stored?.id ?? null };
    } finally {
      await engine.close();
    }
  });
}
