/**
 * /api/v1/monitors and /api/v1/incidents: what `mlcycle monitor` and `mlcycle incidents` do. The spec's
 * monitors with their last window; a monitor's results (its time series, newest first); one run of a
 * monitor's new windows (`POST /monitors/NAME/run`, as `mlcycle monitor run NAME`); the incidents, and
 * acknowledging or resolving one, for the UI's buttons.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { findMonitor, runMonitor } from '../../monitor/run-monitor.js';
import { loadSpec, requireValidSpec } from '../../problem/load-spec.js';
import { openDuckDb } from '../../store/duckdb/engine.js';
import { INCIDENT_STATES, type IncidentState } from '../../store/monitor-store.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { bodyOf } from './api-json.js';

const VERBS = { ack: 'acknowledged', resolve: 'resolved' } as const;

function limitOf(value: unknown): number {
  if (value === undefined) return 100;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new MlcycleError('invalid_input', `limit: expected a whole number from 1 to 10000, got "${String(value)}"`, { issues: [{ path: 'limit', message: 'a whole number from 1 to 10000' }] });
  return limit;
}

export function registerApiMonitorRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  const spec = async () => requireValidSpec(await loadSpec(workspace.specFile));
  app.get('/monitors', async () => {
    const current = await spec();
    const monitors = [];
    for (const monitor of current.monitors) {
      const [last] = await workspace.monitors.listResults({ monitor: monitor.name, limit: 1 });
      monitors.push({ ...monitor, last: last ?? null });
    }
    return { monitors };
  });
  app.get<{ Params: { name: string }; Querystring: { limit?: string } }>('/monitors/:name/results', async (request) => {
    const limit = limitOf(request.query.limit);
    // Results of monitors run by hand (`mlcycle monitor drift`) are kept under names the spec may not declare.
    return { results: await workspace.monitors.listResults({ monitor: request.params.name, limit }) };
  });
  app.post<{ Params: { name: string } }>('/monitors/:name/run', async (request) => {
    const current = await spec();
    const monitor = findMonitor(current, request.params.name);
    const engine = await openDuckDb();
    try {
      const run = await runMonitor(workspace, engine, current, monitor, actorOf(server, request)());
      return { run: { monitor: run.monitor, waiting: run.waiting, windows: run.windows.map(({ result, report }) => ({ result: result.id, ...report })), incidents: run.incidents } };
    } finally {
      await engine.close();
    }
  });
  app.get<{ Querystring: { state?: string } }>('/incidents', async (request) => {
    const states = request.query.state === undefined ? undefined : request.query.state.split(',');
    const unknown = states?.filter((state) => !(INCIDENT_STATES as readonly string[]).includes(state)) ?? [];
    if (unknown.length > 0) throw new MlcycleError('invalid_input', `state: expected ${INCIDENT_STATES.join(', ')}, got "${unknown.join(', ')}"`, { issues: [{ path: 'state', message: `one of ${INCIDENT_STATES.join(', ')}` }] });
    return { incidents: await workspace.monitors.listIncidents(states as IncidentState[] | undefined) };
  });
  app.post<{ Params: { id: string; verb: string } }>('/incidents/:id/:verb', async (request) => {
    const { id, verb } = request.params;
    if (!(verb in VERBS)) throw new MlcycleError('not_found', `no incident action "${verb}": one of ${Object.keys(VERBS).join(', ')}`);
    const number = Number(id);
    if (!Number.isInteger(number) || number < 1) throw new MlcycleError('invalid_input', `incident id: expected a whole number, got "${id}"`, { issues: [{ path: 'id', message: 'a whole number' }] });
    const body = bodyOf(request);
    const note = body.note === undefined || body.note === null ? null : body.note;
    if (note !== null && typeof note !== 'string') throw new MlcycleError('invalid_input', 'note: expected a string', { issues: [{ path: 'note', message: 'a string' }] });
    return { incident: await workspace.monitors.transitionIncident(number, VERBS[verb as keyof typeof VERBS], note, actorOf(server, request)()) };
  });
}
