/**
 * mlcycle's own REST API under /api/v1, beside MLflow's: what MLflow's API lacks. For now a metric
 * history downsampled for charts (`?maxPoints=1000`: each step bucket's minimum and maximum).
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { downsampleSeries } from '../../tracking/downsample.js';
import { keyProblem, validateRunId } from '../../tracking/limits.js';
import { jsonNumber } from '../mlflow/mlflow-shapes.js';
import { fieldsOf, optionalInteger } from '../mlflow/request-fields.js';
import type { ServerContext } from '../server-context.js';

export function registerApiRunRoutes(app: FastifyInstance, server: ServerContext): void {
  app.get<{ Params: { run: string; key: string } }>('/api/v1/runs/:run/metrics/:key', async (request) => {
    const { run, key } = request.params;
    validateRunId(run, 'run');
    const problem = keyProblem(key);
    if (problem !== undefined) throw new MlcycleError('invalid_input', `key: ${problem}`);
    const maxPoints = optionalInteger(fieldsOf({ query: request.query }), 'maxPoints') ?? 1000;
    if (maxPoints < 2 || maxPoints > 100_000) throw new MlcycleError('invalid_input', `maxPoints: expected 2 to 100,000, got ${maxPoints}`);
    const history = await server.workspace.metrics.metricHistory(run, key);
    const series = downsampleSeries(history, maxPoints);
    return {
      key,
      totalPoints: history.values.length,
      steps: Array.from(series.steps),
      timestamps: Array.from(series.timestamps),
      values: Array.from(series.values, jsonNumber),
    };
  });
}
