/**
 * MLflow's `GET metrics/get-history-bulk-interval` (the UI's charts of many runs): one metric of up to 100
 * runs, sampled to at most `max_results` steps (1 to 2,500) in `[start_step, end_step]`, with each run's
 * first and last step kept. Ported from MLflow 2.22's server (mlflow/server/handlers.py,
 * `get_metric_history_bulk_interval_impl` and `_get_sampled_steps_from_steps`), including its index test
 * `idx < num_steps`, so that both servers pick the same steps.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { validateRunId } from '../../tracking/limits.js';
import type { ServerContext } from '../server-context.js';
import { jsonNumber } from './mlflow-shapes.js';
import { fieldsOf, optionalInteger, optionalStrings, requiredString } from './request-fields.js';

const MAX_RUNS = 100;
const MAX_RESULTS_PER_RUN = 2500;
const MAX_POINTS_PER_RUN = 25_000;

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** `_get_sampled_steps_from_steps`: about `maxResults` evenly spaced steps of the sorted `steps` in the range, and the last one. */
export function sampledSteps(startStep: number, endStep: number, maxResults: number, steps: readonly number[]): Set<number> {
  const start = lowerBound(steps, startStep);
  const end = lowerBound(steps, endStep + 1);
  if (end - start <= maxResults) return new Set(steps.slice(start, end));
  const count = end - start;
  const interval = count / maxResults;
  const sampled = new Set<number>();
  for (let index = 0; index < maxResults; index++) {
    const at = start + Math.trunc(index * interval);
    // MLflow compares with the count, not the end index; kept so both servers sample alike.
    if (at < count) sampled.add(steps[at] as number);
  }
  sampled.add(steps[end - 1] as number);
  return sampled;
}

/** Registers get-history-bulk-interval. */
export function registerMlflowMetricIntervalRoutes(app: FastifyInstance, server: ServerContext): void {
  app.get('/api/2.0/mlflow/metrics/get-history-bulk-interval', async (request) => {
    const fields = fieldsOf({ query: request.query });
    const runIds = optionalStrings(fields, 'run_ids');
    if (runIds.length === 0) throw new MlcycleError('invalid_input', "run_ids: missing value for required parameter 'run_ids'");
    if (runIds.length > MAX_RUNS) throw new MlcycleError('invalid_input', `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS} run_ids. Received ${runIds.length} run_ids.`);
    runIds.forEach((id, index) => validateRunId(id, `run_ids[${index}]`));
    const key = requiredString(fields, 'metric_key');
    const maxResults = optionalInteger(fields, 'max_results') ?? MAX_RESULTS_PER_RUN;
    if (maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) throw new MlcycleError('invalid_input', `max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`);
    let startStep = optionalInteger(fields, 'start_step');
    let endStep = optionalInteger(fields, 'end_step');
    if ((startStep === undefined) !== (endStep === undefined)) throw new MlcycleError('invalid_input', 'If either start step or end step are specified, both must be specified.');
    if (startStep !== undefined && endStep !== undefined && startStep > endStep) throw new MlcycleError('invalid_input', `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`);
    const histories = [];
    for (const id of runIds) {
      if ((await server.workspace.runs.findRun(id)) === undefined) throw new MlcycleError('not_found', `Run '${id}' not found`);
      histories.push({ id, series: await server.workspace.metrics.metricHistory(id, key) });
    }
    const allSteps = [...new Set(histories.flatMap(({ series }) => Array.from(series.steps)))].sort((a, b) => a - b);
    startStep ??= 0;
    endStep ??= allSteps.at(-1) ?? 0;
    const wanted = sampledSteps(startStep, endStep, maxResults, allSteps);
    for (const { series } of histories) {
      if (series.steps.length === 0) continue;
      for (const step of [Math.min(...series.steps), Math.max(...series.steps)]) if (step >= startStep && step <= endStep) wanted.add(step);
    }
    const metrics = histories.flatMap(({ id, series }) =>
      Array.from(series.steps, (step, index) => ({ key, value: series.values[index] as number, timestamp: series.timestamps[index] as number, step, run_id: id }))
        .filter((point) => wanted.has(point.step))
        // The store's order: by step, then timestamp (SqlAlchemyStore.get_metric_history_bulk_interval_from_steps).
        .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp)
        .slice(0, MAX_POINTS_PER_RUN)
        .map((point) => ({ ...point, value: jsonNumber(point.value) })),
    );
    return { metrics };
  });
}
