/**
 * /api/v1/runs: create, read, search (the filter language with OR, parentheses and IN; ordering; paging),
 * end, delete and restore; the metric history downsampled for charts (`?maxPoints=1000`: each step
 * bucket's minimum and maximum). Logging and artifacts are in run-data-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { RUN_STATUSES, type RunStatus } from '../../store/run-store.js';
import { downsampleSeries } from '../../tracking/downsample.js';
import { searchRunsByText } from '../../tracking/find-runs.js';
import { keyProblem, validateExperimentName, validateRunId, validateRunName, validateTags } from '../../tracking/limits.js';
import { jsonNumber } from '../mlflow/mlflow-shapes.js';
import { fieldsOf, optionalInteger, optionalString, optionalStrings, type Fields } from '../mlflow/request-fields.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { apiRun, bodyOf, optionalRecord } from './api-json.js';
import type { ApiMetricHistory, ApiRunPage, JsonNumber } from './api-types.js';

const PREFIX = '/runs';
const LIFECYCLES = ['active', 'deleted', 'all'] as const;

/** A search from body or query fields: experiment ids or names, filter text, orderings, paging. */
async function search(server: ServerContext, fields: Fields): Promise<ApiRunPage> {
  const lifecycle = optionalString(fields, 'lifecycle') ?? 'active';
  if (!(LIFECYCLES as readonly string[]).includes(lifecycle)) throw new MlcycleError('invalid_input', `lifecycle: "${lifecycle}" is not active, deleted or all`, { issues: [{ path: 'lifecycle', message: 'not active, deleted or all' }] });
  const filter = optionalString(fields, 'filter');
  const pageToken = optionalString(fields, 'pageToken');
  const maxResults = optionalInteger(fields, 'maxResults');
  const page = await searchRunsByText(server.workspace.runs, {
    experiments: optionalStrings(fields, 'experiments'),
    experimentIds: optionalStrings(fields, 'experimentIds'),
    ...(filter === undefined || filter.trim() === '' ? {} : { filter }),
    orderBy: optionalStrings(fields, 'orderBy'),
    ...(maxResults === undefined ? {} : { maxResults }),
    ...(pageToken === undefined || pageToken === '' ? {} : { pageToken }),
    lifecycle: lifecycle as (typeof LIFECYCLES)[number],
  });
  return { runs: page.runs.map(apiRun), nextPageToken: page.nextPageToken ?? null };
}

export function registerApiRunRoutes(app: FastifyInstance, server: ServerContext): void {
  const { runs, metrics } = server.workspace;
  const find = async (id: string) => {
    validateRunId(id, 'run');
    const run = await runs.findRun(id);
    if (run === undefined) throw new MlcycleError('not_found', `no run with id ${id}`);
    return run;
  };

  app.post(PREFIX, async (request, reply) => {
    const fields = bodyOf(request);
    const context = actorOf(server, request)();
    const experimentName = optionalString(fields, 'experiment');
    let experimentId = optionalString(fields, 'experimentId');
    if ((experimentName === undefined) === (experimentId === undefined)) throw new MlcycleError('invalid_input', 'experiment: give experiment (a name, created if new) or experimentId, not both', { issues: [{ path: 'experiment', message: 'give experiment or experimentId' }] });
    const name = optionalString(fields, 'name');
    if (name !== undefined) validateRunName(name);
    const tags = optionalRecord(fields, 'tags');
    validateTags(tags);
    const parentRunId = optionalString(fields, 'parentRunId');
    if (parentRunId !== undefined) validateRunId(parentRunId, 'parentRunId');
    const gitCommit = optionalString(fields, 'gitCommit');
    const command = optionalString(fields, 'command');
    if (experimentName !== undefined) {
      validateExperimentName(experimentName);
      experimentId = (await runs.ensureExperiment(experimentName, context)).id;
    }
    if (!/^\d{1,15}$/.test(experimentId as string)) throw new MlcycleError('invalid_input', `experimentId: "${experimentId}" is not an experiment id`, { issues: [{ path: 'experimentId', message: 'not an experiment id' }] });
    const info = await runs.createRun(
      {
        experimentId: experimentId as string,
        name: name ?? 'run',
        startTime: optionalInteger(fields, 'startTime') ?? context.now().getTime(),
        tags,
        ...(parentRunId === undefined ? {} : { parentRunId }),
        ...(gitCommit === undefined ? {} : { gitCommit }),
        ...(command === undefined ? {} : { command }),
      },
      context,
    );
    return reply.status(201).send({ run: apiRun(await find(info.id)) });
  });
  app.post(`${PREFIX}/search`, async (request) => search(server, bodyOf(request)));
  app.get(PREFIX, async (request) => search(server, fieldsOf({ query: request.query })));
  app.get<{ Params: { run: string } }>(`${PREFIX}/:run`, async (request) => ({ run: apiRun(await find(request.params.run)) }));
  app.patch<{ Params: { run: string } }>(`${PREFIX}/:run`, async (request) => {
    const fields = bodyOf(request);
    const run = await find(request.params.run);
    const status = optionalString(fields, 'status');
    if (status !== undefined) {
      if (!(RUN_STATUSES as readonly string[]).includes(status) || status === 'RUNNING' || status === 'SCHEDULED') {
        throw new MlcycleError('invalid_input', `status: "${status}" is not FINISHED, FAILED or KILLED`, { issues: [{ path: 'status', message: 'not FINISHED, FAILED or KILLED' }] });
      }
      const context = actorOf(server, request)();
      await runs.endRun(run.id, status as RunStatus, optionalInteger(fields, 'endTime') ?? context.now().getTime(), context);
    }
    return { run: apiRun(await find(run.id)) };
  });
  app.delete<{ Params: { run: string } }>(`${PREFIX}/:run`, async (request) => {
    validateRunId(request.params.run, 'run');
    await runs.setRunLifecycle(request.params.run, 'deleted', actorOf(server, request)());
    return { run: apiRun(await find(request.params.run)) };
  });
  app.post<{ Params: { run: string } }>(`${PREFIX}/:run/restore`, async (request) => {
    validateRunId(request.params.run, 'run');
    await runs.setRunLifecycle(request.params.run, 'active', actorOf(server, request)());
    return { run: apiRun(await find(request.params.run)) };
  });

  app.get<{ Params: { run: string; key: string } }>(`${PREFIX}/:run/metrics/:key`, async (request): Promise<ApiMetricHistory> => {
    const { run, key } = request.params;
    validateRunId(run, 'run');
    const problem = keyProblem(key);
    if (problem !== undefined) throw new MlcycleError('invalid_input', `key: ${problem}`, { issues: [{ path: 'key', message: problem }] });
    const maxPoints = optionalInteger(fieldsOf({ query: request.query }), 'maxPoints') ?? 1000;
    if (maxPoints < 2 || maxPoints > 100_000) throw new MlcycleError('invalid_input', `maxPoints: expected 2 to 100,000, got ${maxPoints}`, { issues: [{ path: 'maxPoints', message: 'expected 2 to 100,000' }] });
    const history = await metrics.metricHistory(run, key);
    const series = downsampleSeries(history, maxPoints);
    return {
      key,
      totalPoints: history.values.length,
      steps: Array.from(series.steps),
      timestamps: Array.from(series.timestamps),
      values: Array.from(series.values, (value) => jsonNumber(value) as JsonNumber),
    };
  });
}
