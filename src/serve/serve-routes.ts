/**
 * The prediction service's routes, as Fastify plugins:
 * - mlcycle's: `POST /api/v1/predict/<NAME | NAME@ALIAS | NAME/VERSION>` and `POST /api/v1/events`,
 *   errors as `{error: {code, message, field, issues}}`;
 * - MLflow's scoring protocol for the service's default model: `POST /invocations` (JSON or CSV),
 *   `GET /ping`, errors as MLflow's `{error_code, message}`;
 * - `GET /health`, `/ready` (the default model is loaded), `/version` and Prometheus' `/metrics`.
 * A request is answered only after its records reached the event log as durably as the log promises.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asMlcycleError, MlcycleError } from '../error.js';
import { readBusinessEvents } from '../events/business-events.js';
import type { EventWriter } from '../store/event-store.js';
import { predictRows, type InputLogging } from './predict.js';
import { readPredictBody, readScoringBody, readScoringCsv, type RequestRows } from './request-rows.js';
import type { ServedExperiments } from './served-experiments.js';
import type { ServedModels, ServedVersion } from './served-models.js';
import type { EventRecord } from '../store/event-store.js';
import type { InputValue } from '../models/input-signature.js';
import type { ServiceMetrics } from './service-metrics.js';

export interface ServeRouteOptions {
  models: ServedModels;
  /** Running experiments: a request to a bare endpoint name with unit ids is routed by them. */
  experiments?: ServedExperiments;
  /** Where predictions and events are recorded; an Error when the log could not be opened (answered 503). */
  events: EventWriter | Error | undefined;
  logInputs: InputLogging;
  maxBatchRows: number;
  maxEventsPerRequest: number;
  /** The model `/invocations` answers with, as a reference. */
  defaultModel?: string;
  eventNames: () => Set<string> | undefined;
  metrics: ServiceMetrics;
  version: string;
  now?: () => Date;
  logError?: (error: unknown) => void;
  /** Register `/health` and `/version` (default true; `mlcycle server` answers them through its MLflow API). */
  infoRoutes?: boolean;
}

const SERVED = Symbol('served');
type Tagged = FastifyRequest & { [SERVED]?: { model: string; version: string; rows: number; route: string } };

function apiError(error: MlcycleError) {
  return { error: { code: error.code, message: error.message, field: error.issues[0]?.path || null, issues: error.issues } };
}

/** A thrown value as the status and body of one error shape; internal errors keep their text in the log. */
function errorReply(thrown: unknown, shape: 'api' | 'mlflow', logError?: (error: unknown) => void): { status: number; body: unknown } {
  const fastifyStatus = (thrown as { statusCode?: number }).statusCode;
  let error: MlcycleError;
  if (!(thrown instanceof MlcycleError) && fastifyStatus !== undefined && fastifyStatus < 500) {
    error = new MlcycleError(fastifyStatus === 413 ? 'too_large' : 'invalid_input', `body: ${(thrown as Error).message}`, { issues: [{ path: 'body', message: (thrown as Error).message }] });
  } else error = asMlcycleError(thrown);
  if (error.code === 'internal') {
    logError?.(thrown);
    error = new MlcycleError('internal', 'internal server error; see the service log');
  }
  const status = fastifyStatus === 415 ? 415 : error.httpStatus;
  if (shape === 'api') return { status, body: apiError(error) };
  const code = status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : status === 413 ? 'REQUEST_LIMIT_EXCEEDED' : status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
  return { status, body: { error_code: code, message: error.message } };
}

function writerOf(options: ServeRouteOptions): EventWriter | undefined {
  if (options.events instanceof Error) throw new MlcycleError('conflict', `predictions are not served here: ${options.events.message}`);
  return options.events;
}

async function servedVersion(options: ServeRouteOptions, ref: string): Promise<ServedVersion> {
  const served = options.models.get(ref);
  return served instanceof Promise ? await served : served;
}

/** Predicts, logs, and returns the answer; shared by both protocols. */
async function answer(options: ServeRouteOptions, request: Tagged, ref: string, rows: RequestRows, route: string) {
  const startedAt = performance.now();
  const served = await servedVersion(options, ref);
  request[SERVED] = { model: served.model, version: String(served.version), rows: rows.rows, route };
  const writer = writerOf(options);
  const time = (options.now?.() ?? new Date()).toISOString();
  const result = predictRows(served, rows, { id: request.id, time, startedAt, now: () => performance.now(), logInputs: options.logInputs });
  if (writer !== undefined) await writer.append(result.records);
  return { served, predictions: result.predictions };
}

/** One row's attributes for targeting and segments: its inputs, then the request's attributes over them. */
function rowAttributes(rows: RequestRows, row: number): Record<string, InputValue | undefined> {
  const out: Record<string, InputValue | undefined> = Object.create(null) as Record<string, InputValue | undefined>;
  if (Array.isArray(rows.input)) Object.assign(out, rows.input[row]);
  else for (const [name, column] of Object.entries(rows.input)) out[name] = (column as ArrayLike<InputValue>)[row];
  const given = rows.attributes?.[row];
  if (given !== undefined) Object.assign(out, given);
  return out;
}

/** The rows at these indexes, as a request of their own. */
function subsetRows(rows: RequestRows, indexes: readonly number[]): RequestRows {
  if (indexes.length === rows.rows) return rows;
  const input = Array.isArray(rows.input)
    ? indexes.map((index) => (rows.input as Record<string, InputValue>[])[index] as Record<string, InputValue>)
    : Object.fromEntries(Object.entries(rows.input).map(([name, column]) => [name, indexes.map((index) => (column as ArrayLike<InputValue>)[index] as InputValue)]));
  const units = rows.units;
  return { input, rows: indexes.length, ...(units === undefined ? {} : { units: indexes.map((index) => units[index]) }) };
}

type RoutedPrediction = Record<string, unknown> & { experiment?: string; arm?: string };

/**
 * Answers a request to an endpoint with running experiments: each row with a unit goes to the arm that
 * takes it (rows no experiment takes go to the endpoint's default reference), each group is predicted by
 * its arm's model (or answered with the arm's default decision), and an exposure is logged per routed row
 * beside the predictions, in the same append.
 */
async function answerRouted(options: ServeRouteOptions, experiments: ServedExperiments, request: Tagged, endpoint: string, rows: RequestRows, route: string) {
  const startedAt = performance.now();
  const time = (options.now?.() ?? new Date()).toISOString();
  const groups = new Map<string, { indexes: number[]; routed?: ReturnType<ServedExperiments['route']> }>();
  const attributes: Record<string, InputValue | undefined>[] = [];
  for (let row = 0; row < rows.rows; row++) {
    const unit = rows.units?.[row];
    const rowAttributesOf = rowAttributes(rows, row);
    attributes.push(rowAttributesOf);
    const routed = unit === undefined ? undefined : experiments.route(endpoint, unit, rowAttributesOf);
    const key = routed === undefined ? '' : `${routed.experiment.name}\u0000${routed.arm.id}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { indexes: [], routed }));
    group.indexes.push(row);
  }
  const predictions: RoutedPrediction[] = new Array(rows.rows);
  const records: EventRecord[] = [];
  let head: { model: string; version: number } | undefined;
  let failure: unknown;
  const requestIdOf = (index: number) => (rows.rows === 1 ? request.id : `${request.id}/${index}`);
  for (const { indexes, routed } of groups.values()) {
    const arm = routed?.arm;
    if (arm?.default !== undefined) {
      for (const index of indexes) predictions[index] = { decision: arm.default.decision, ...(arm.default.score === undefined ? {} : { score: arm.default.score }), unit: rows.units?.[index] };
    } else {
      const ref = arm?.model ?? endpoint;
      let served: ServedVersion | undefined;
      try {
        served = await servedVersion(options, ref);
        head ??= { model: served.model, version: served.version };
        const result = predictRows(served, subsetRows(rows, indexes), { id: request.id, time, startedAt, now: () => performance.now(), logInputs: options.logInputs });
        indexes.forEach((index, position) => (predictions[index] = { ...(result.predictions[position] as object) }));
        if (rows.rows > 1) result.records.forEach((record, position) => (record.requestId = `${request.id}/${indexes[position] as number}`));
        records.push(...result.records);
      } catch (error) {
        // An arm that cannot answer fails the request; its exposures and an error record per row are still
        // logged, so that a rollout's health gate sees the candidate's failures.
        if (routed === undefined) throw error;
        failure ??= error;
        const code = asMlcycleError(error).code;
        const latencyMs = performance.now() - startedAt;
        for (const index of indexes) {
          const unit = rows.units?.[index];
          records.push({ type: 'error', time, requestId: requestIdOf(index), model: served?.model ?? ref, ...(served === undefined ? {} : { version: served.version }), name: code, latencyMs, ...(unit === undefined ? {} : { unit }) });
        }
      }
    }
    const shadow = failure === undefined ? routed?.experiment.definition.shadow : undefined;
    if (shadow !== undefined) {
      // Shadow mode: the candidate scores the same rows without acting; logged beside, named `shadow`.
      const served = await servedVersion(options, shadow);
      const result = predictRows(served, subsetRows(rows, indexes), { id: request.id, time, startedAt, now: () => performance.now(), logInputs: 'none' });
      result.records.forEach((record, position) => {
        record.name = 'shadow';
        if (rows.rows > 1) record.requestId = `${request.id}/${indexes[position] as number}`;
      });
      records.push(...result.records);
    }
    if (routed === undefined) continue;
    for (const index of indexes) {
      const prediction = predictions[index];
      if (prediction !== undefined) {
        prediction.experiment = routed.experiment.name;
        prediction.arm = routed.arm.id;
      }
      records.push({
        type: 'exposure',
        time,
        unit: rows.units?.[index] as string,
        requestId: requestIdOf(index),
        experiment: routed.experiment.name,
        phase: routed.experiment.phase,
        arm: routed.arm.id,
        attributes: JSON.stringify(attributes[index]),
      });
    }
  }
  request[SERVED] = { model: head?.model ?? endpoint, version: String(head?.version ?? ''), rows: rows.rows, route };
  const writer = writerOf(options);
  if (writer !== undefined) await writer.append(records);
  if (failure !== undefined) throw failure;
  return { head, predictions };
}

/** Registers the prediction service's routes on an app (or inside `mlcycle server`). */
export async function registerServeRoutes(app: FastifyInstance, options: ServeRouteOptions): Promise<void> {
  app.addHook('onResponse', async (request: Tagged, reply) => {
    const served = request[SERVED];
    const route = served?.route ?? (request.routeOptions.url === '/api/v1/predict/*' ? '/api/v1/predict' : (request.routeOptions.url ?? 'unknown'));
    if (served === undefined && !route.startsWith('/api/v1/predict') && route !== '/invocations' && route !== '/api/v1/events') return;
    options.metrics.observe(route, served?.model ?? '', served?.version ?? '', reply.statusCode, reply.elapsedTime / 1000, reply.statusCode < 400 ? (served?.rows ?? 0) : 0);
  });

  await app.register(async (api) => {
    api.setErrorHandler((thrown, _request, reply) => {
      const { status, body } = errorReply(thrown, 'api', options.logError);
      return reply.status(status).send(body);
    });
    api.post('/api/v1/predict/*', async (request: Tagged) => {
      const ref = decodeURIComponent((request.params as { '*': string })['*']);
      const rows = readPredictBody(request.body, options.maxBatchRows);
      const single = !Array.isArray((request.body as { rows?: unknown }).rows) && (request.body as { columns?: unknown }).columns === undefined;
      const experiments = options.experiments;
      if (experiments !== undefined && rows.units !== undefined && experiments.has(ref)) {
        const routed = await answerRouted(options, experiments, request, ref, rows, '/api/v1/predict');
        const head = { requestId: request.id, ...(routed.head === undefined ? { model: ref } : routed.head) };
        return single ? { ...head, ...(routed.predictions[0] as object) } : { ...head, predictions: routed.predictions };
      }
      const { served, predictions } = await answer(options, request, ref, rows, '/api/v1/predict');
      const head = { requestId: request.id, model: served.model, version: served.version };
      return single ? { ...head, ...(predictions[0] as object) } : { ...head, predictions };
    });
    api.post('/api/v1/events', async (request: Tagged, reply) => {
      request[SERVED] = { model: '', version: '', rows: 0, route: '/api/v1/events' };
      const records = readBusinessEvents(request.body, { names: options.eventNames(), now: (options.now?.() ?? new Date()).getTime(), maxEvents: options.maxEventsPerRequest });
      const writer = writerOf(options);
      if (writer === undefined) throw new MlcycleError('usage', 'this service runs without an event log (--no-log): events are not accepted');
      const { written, duplicates } = await writer.append(records);
      return reply.status(202).send({ accepted: written, duplicates });
    });
  });

  await app.register(async (scoring) => {
    scoring.setErrorHandler((thrown, _request, reply) => {
      const { status, body } = errorReply(thrown, 'mlflow', options.logError);
      return reply.status(status).send(body);
    });
    scoring.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scoring.post('/invocations', async (request: Tagged) => {
      if (options.defaultModel === undefined) throw new MlcycleError('not_found', 'this service has no default model for /invocations: start it with --model NAME@ALIAS');
      const rows = typeof request.body === 'string' ? readScoringCsv(request.body, options.maxBatchRows) : readScoringBody(request.body, options.maxBatchRows);
      const { predictions } = await answer(options, request, options.defaultModel, rows, '/invocations');
      return { predictions: predictions.map((prediction) => prediction.scores ?? prediction.score) };
    });
    scoring.get('/ping', async (_request, reply: FastifyReply) => {
      if (options.defaultModel !== undefined) await servedVersion(options, options.defaultModel);
      return reply.status(200).send('\n');
    });
  });

  if (options.infoRoutes !== false) app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (options.events instanceof Error) return reply.status(503).send({ ready: false, reason: options.events.message });
    try {
      if (options.defaultModel !== undefined) await servedVersion(options, options.defaultModel);
    } catch (error) {
      return reply.status(503).send({ ready: false, reason: asMlcycleError(error).message });
    }
    return { ready: true, models: options.models.list() };
  });
  if (options.infoRoutes !== false) app.get('/version', async () => ({ mlcycle: options.version }));
  app.get('/metrics', async (_request, reply) => reply.header('content-type', options.metrics.registry.contentType).send(await options.metrics.registry.metrics()));
}

/** A fresh request id, for Fastify's genReqId: the client's `x-request-id` when it sent a sane one. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}
