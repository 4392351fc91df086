/**
 * `mlcycle serve`: the prediction service on a workspace. It opens the event log for writing (unless
 * logging is off), follows the registry so alias moves reach it within a poll interval, loads the default
 * model before it reports ready, and logs as JSON lines through Fastify's pino logger at `LOG_LEVEL`
 * (default info: start, stop and errors; `debug` adds one line per request with its id).
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { MlcycleError } from '../error.js';
import type { EventDurability, EventWriter } from '../store/event-store.js';
import type { Workspace } from '../store/workspace.js';
import type { InputLogging } from './predict.js';
import { ServedExperiments } from './served-experiments.js';
import { ServedModels } from './served-models.js';
import { registerServeRoutes, requestIdOf, type ServeRouteOptions } from './serve-routes.js';
import { createServiceMetrics } from './service-metrics.js';

export interface ServiceSettings {
  /** The model `/invocations` answers with, and the one loaded before the service is ready. */
  defaultModel?: string;
  /** Record predictions and accept events (default true). */
  log?: boolean;
  durability?: EventDurability;
  logInputs?: InputLogging;
  maxBatchRows?: number;
  maxEventsPerRequest?: number;
  /** How often the registry is polled for alias moves, in ms (default 200). */
  followMs?: number;
  eventNames?: () => Set<string> | undefined;
  /** Delete sealed event files older than this. */
  retentionDays?: number;
}

export const SERVE_DEFAULTS = { maxBatchRows: 10_000, maxEventsPerRequest: 10_000, bodyLimit: 64 * 1024 * 1024, followMs: 200 } as const;

/** Opens what the service's routes need: the log writer, the models, the metrics. */
export async function openServeRoutes(workspace: Workspace, settings: ServiceSettings, version: string, logError: (error: unknown) => void): Promise<{ routes: ServeRouteOptions; close(): Promise<void> }> {
  let events: EventWriter | Error | undefined;
  if (settings.log !== false) {
    try {
      events = await workspace.openEventWriter({
        ...(settings.durability === undefined ? {} : { durability: settings.durability }),
        ...(settings.retentionDays === undefined ? {} : { retentionDays: settings.retentionDays }),
      });
    } catch (error) {
      if (!(error instanceof MlcycleError) || error.code !== 'conflict') throw error;
      events = error;
    }
  }
  const models = new ServedModels(workspace, logError);
  await models.follow(settings.followMs ?? SERVE_DEFAULTS.followMs);
  const experiments = new ServedExperiments(workspace.experiments, logError);
  await experiments.follow(settings.followMs ?? SERVE_DEFAULTS.followMs);
  const writer = events instanceof Error ? undefined : events;
  const routes: ServeRouteOptions = {
    models,
    experiments,
    events,
    logInputs: settings.logInputs ?? 'full',
    maxBatchRows: settings.maxBatchRows ?? SERVE_DEFAULTS.maxBatchRows,
    maxEventsPerRequest: settings.maxEventsPerRequest ?? SERVE_DEFAULTS.maxEventsPerRequest,
    eventNames: settings.eventNames ?? (() => undefined),
    metrics: createServiceMetrics(() => writer?.stats()),
    version,
    logError,
    ...(settings.defaultModel === undefined ? {} : { defaultModel: settings.defaultModel }),
  };
  return {
    routes,
    close: async () => {
      models.stop();
      experiments.stop();
      await writer?.close();
    },
  };
}

/** Builds the standalone prediction service; the caller listens, and closes (which flushes the log). */
export async function buildPredictionService(workspace: Workspace, settings: ServiceSettings, version: string): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: SERVE_DEFAULTS.bodyLimit,
    genReqId: requestIdOf,
  });
  const { routes, close } = await openServeRoutes(workspace, settings, version, (error) => app.log.error({ err: error }, 'internal error'));
  if (settings.defaultModel !== undefined) {
    const loaded = routes.models.get(settings.defaultModel);
    if (loaded instanceof Promise) await loaded;
  }
  const debug = app.log.level === 'debug' || app.log.level === 'trace';
  if (debug) app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: { code: 'endpoint_not_found', message: `no endpoint ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`, field: null, issues: [] } }));
  await registerServeRoutes(app, routes);
  app.addHook('onClose', async () => close());
  return app;
}
