/**
 * /api/v1/serving: stage 8's service as the event log saw it. Per model and version: the predictions it
 * answered (shadow ones apart), the requests that failed, the alert rate, latency quantiles and the first
 * and last request; and the predictions per hour, for the traffic chart. Aggregates only, computed by
 * DuckDB over the log.
 */
import type { FastifyInstance } from 'fastify';
import { openDuckDb } from '../../store/duckdb/engine.js';
import type { ServerContext } from '../server-context.js';
import type { ApiServedVersion } from './api-types.js';

export function registerApiServingRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  app.get('/serving', async () => {
    const summary = await workspace.events.summary();
    if (!summary.some((row) => row.type === 'prediction' || row.type === 'error')) return { versions: [], hourly: [] };
    const relation = await workspace.events.relation();
    const engine = await openDuckDb();
    try {
      const time = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;
      const versions = await engine.query(`SELECT model, version::INTEGER AS version,
  count(*) FILTER (WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow'))::DOUBLE AS predictions,
  count(*) FILTER (WHERE type = 'prediction' AND name = 'shadow')::DOUBLE AS shadow,
  count(*) FILTER (WHERE type = 'error')::DOUBLE AS errors,
  avg(decision) FILTER (WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow'))::DOUBLE AS alert_rate,
  quantile_cont(latency_ms, 0.5) FILTER (WHERE type = 'prediction')::DOUBLE AS p50,
  quantile_cont(latency_ms, 0.99) FILTER (WHERE type = 'prediction')::DOUBLE AS p99,
  ${time('min(time)')} AS first, ${time('max(time)')} AS last
FROM (${relation.sql}) WHERE type IN ('prediction', 'error') AND model IS NOT NULL GROUP BY ALL ORDER BY model, version`);
      const hourly = await engine.query(`SELECT model, version::INTEGER AS version, ${time("date_trunc('hour', time)")} AS hour, count(*)::DOUBLE AS predictions
FROM (${relation.sql}) WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow') AND model IS NOT NULL GROUP BY ALL ORDER BY hour`);
      const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
      return {
        versions: versions.map(
          (row): ApiServedVersion => ({
            model: String(row.model),
            version: Number(row.version),
            predictions: Number(row.predictions),
            shadow: Number(row.shadow),
            errors: Number(row.errors),
            alertRate: number(row.alert_rate),
            latencyP50Ms: number(row.p50),
            latencyP99Ms: number(row.p99),
            first: String(row.first),
            last: String(row.last),
          }),
        ),
        hourly: hourly.map((row) => ({ model: String(row.model), version: Number(row.version), hour: String(row.hour), predictions: Number(row.predictions) })),
      };
    } finally {
      await engine.close();
      relation.release();
    }
  });
}
