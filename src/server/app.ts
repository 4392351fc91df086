/**
 * The HTTP server (Fastify): MLflow's REST API 2.0 under /api/2.0/mlflow, mlcycle's own under /api/v1
 * (docs/api.md). MLflow's routes answer errors as MLflow's `{error_code, message}`, ours as
 * `{error: {code, message, field, issues}}`; an internal error's text stays in the server's log and the
 * client gets a generic message. Request bodies are limited in size (MLflow's log-batch limit is 1 MB).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { asMlcycleError, type InputIssue, type MlcycleError } from '../error.js';
import { defaultChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { registerApiExperimentRoutes } from './api/experiments-routes.js';
import { registerApiRegistryRoutes } from './api/registry-routes.js';
import { registerApiRunDataRoutes } from './api/run-data-routes.js';
import { registerApiRunRoutes } from './api/runs-routes.js';
import { registerApiWebhookRoutes } from './api/webhook-routes.js';
import { registerMlflowArtifactRoutes } from './mlflow/artifact-routes.js';
import { registerMlflowRegistryRoutes } from './mlflow/registry-routes.js';
import { registerMlflowTrackingRoutes } from './mlflow/tracking-routes.js';
import { authenticate, isReadRequest, type AccessToken } from './auth.js';
import { WebhookDeliverer, type DeliverOptions } from '../tracking/registry/webhooks.js';
import { PRINCIPAL, type ServerContext } from './server-context.js';
import { registerServeRoutes, type ServeRouteOptions } from '../serve/serve-routes.js';

/** The largest request body accepted, in bytes. */
export const BODY_LIMIT = 4 * 1024 * 1024;

export interface ServerOptions {
  workspace: Workspace;
  /** Who acts when the request names no user; the server's user by default. */
  context?: ServerContext['context'];
  /** When given and not empty, every request must carry one of these tokens. */
  tokens?: readonly AccessToken[];
  /** Where internal errors are reported (never to the client). */
  logError?: (error: unknown) => void;
  /** Also serve predictions and accept events (`mlcycle serve`'s routes), with these settings. */
  serve?: ServeRouteOptions;
  /** Deliver registry webhooks from this process: polled, and nudged after each change request. */
  webhookDelivery?: DeliverOptions & { intervalMs?: number };
}

/** MLflow's error code and HTTP status for an mlcycle error on a given route. */
export function mlflowError(error: MlcycleError, url: string): { status: number; code: string } {
  switch (error.code) {
    case 'not_found':
      return { status: 404, code: 'RESOURCE_DOES_NOT_EXIST' };
    case 'conflict':
      return /\/(experiments|registered-models)\/create(\?|$)/.test(url) ? { status: 400, code: 'RESOURCE_ALREADY_EXISTS' } : { status: 400, code: 'INVALID_PARAMETER_VALUE' };
    case 'invalid_input':
    case 'usage':
      return { status: 400, code: 'INVALID_PARAMETER_VALUE' };
    case 'check_failed':
      return { status: 400, code: 'INVALID_STATE' };
    case 'too_large':
      return { status: 413, code: 'REQUEST_LIMIT_EXCEEDED' };
    case 'internal':
      return { status: 500, code: 'INTERNAL_ERROR' };
  }
}

/**
 * The error body of /api/v1: `{error: {code, message, field, issues}}`; `field` is the request field at
 * fault (the first issue's path), null when the error is not about one field.
 */
export function apiErrorBody(code: string, message: string, field?: string, issues: readonly InputIssue[] = []) {
  return { error: { code, message, field: field === undefined || field === '' ? null : field, issues } };
}

/** Builds the server around an open workspace; the caller listens and closes. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false });
  const server: ServerContext = {
    workspace: options.workspace,
    context:
      options.context ??
      ((user) => {
        const context = defaultChangeContext();
        return user === undefined || user === '' ? context : { ...context, actor: user };
      }),
  };
  app.setErrorHandler((thrown, request, reply) => {
    const v1 = request.url.startsWith('/api/v1/');
    // Fastify's own errors (a malformed JSON body, a body over the limit) carry a status code.
    const fastifyStatus = (thrown as { statusCode?: number }).statusCode;
    if (fastifyStatus !== undefined && fastifyStatus < 500 && !(thrown instanceof Error && thrown.name === 'MlcycleError')) {
      const message = (thrown as Error).message;
      if (v1) return reply.status(fastifyStatus).send(apiErrorBody(fastifyStatus === 413 ? 'request_too_large' : 'invalid_input', message, fastifyStatus === 413 ? undefined : 'body'));
      return reply.status(fastifyStatus).send({ error_code: fastifyStatus === 413 ? 'REQUEST_LIMIT_EXCEEDED' : 'BAD_REQUEST', message });
    }
    const error = asMlcycleError(thrown);
    if (v1) {
      if (error.code !== 'internal') return reply.status(error.httpStatus).send(apiErrorBody(error.code, error.message, error.issues[0]?.path, error.issues));
      options.logError?.(thrown);
      return reply.status(500).send(apiErrorBody('internal', 'internal server error; see the server log'));
    }
    const { status, code } = mlflowError(error, request.url);
    if (status >= 500) {
      options.logError?.(thrown);
      return reply.status(status).send({ error_code: code, message: 'internal server error; see the server log' });
    }
    return reply.status(status).send({ error_code: code, message: error.message });
  });
  const tokens = options.tokens ?? [];
  if (tokens.length > 0) {
    app.addHook('onRequest', async (request, reply) => {
      const holder = authenticate(request.headers.authorization, tokens);
      const v1 = request.url.startsWith('/api/v1/');
      if (holder === undefined) {
        const message = 'a valid token is required: Authorization: Bearer TOKEN (MLFLOW_TRACKING_TOKEN)';
        return reply.status(401).header('www-authenticate', 'Bearer').send(v1 ? apiErrorBody('unauthenticated', message) : { error_code: 'UNAUTHENTICATED', message });
      }
      if (holder.access === 'read' && !isReadRequest(request.method, request.url)) {
        const message = `token ${holder.name} may only read`;
        return reply.status(403).send(v1 ? apiErrorBody('permission_denied', message) : { error_code: 'PERMISSION_DENIED', message });
      }
      (request as typeof request & { [PRINCIPAL]?: string })[PRINCIPAL] = holder.name;
      return undefined;
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const message = `no endpoint ${request.method} ${request.url.split('?')[0]}`;
    return reply.status(404).send(request.url.startsWith('/api/v1/') ? apiErrorBody('endpoint_not_found', message) : { error_code: 'ENDPOINT_NOT_FOUND', message });
  });
  registerMlflowTrackingRoutes(app, server);
  registerMlflowRegistryRoutes(app, server);
  registerMlflowArtifactRoutes(app, server);
  registerApiExperimentRoutes(app, server);
  registerApiRunRoutes(app, server);
  registerApiRunDataRoutes(app, server);
  registerApiRegistryRoutes(app, server);
  registerApiWebhookRoutes(app, server);
  const serve = options.serve;
  if (serve !== undefined) void app.register(async (instance) => registerServeRoutes(instance, serve));
  if (options.webhookDelivery !== undefined) {
    const deliverer = new WebhookDeliverer(options.workspace.webhooks, { ...options.webhookDelivery, ...(options.logError === undefined ? {} : { onError: options.logError }) });
    app.addHook('onReady', async () => deliverer.start());
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') deliverer.nudge();
    });
    app.addHook('onClose', async () => deliverer.stop());
  }
  return app;
}
