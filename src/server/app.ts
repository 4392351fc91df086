/**
 * The HTTP server (Fastify): MLflow's REST API 2.0 under /api/2.0/mlflow. Errors leave as MLflow's
 * `{error_code, message}` with MLflow's codes; an internal error's text stays in the server's log and the
 * client gets a generic message. Request bodies are limited in size (MLflow's log-batch limit is 1 MB).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { asMlcycleError, type MlcycleError } from '../error.js';
import { defaultChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { registerMlflowRegistryRoutes } from './mlflow/registry-routes.js';
import { registerMlflowTrackingRoutes } from './mlflow/tracking-routes.js';
import type { ServerContext } from './server-context.js';

/** The largest request body accepted, in bytes. */
export const BODY_LIMIT = 4 * 1024 * 1024;

export interface ServerOptions {
  workspace: Workspace;
  /** Who acts when the request names no user; the server's user by default. */
  context?: ServerContext['context'];
  /** Where internal errors are reported (never to the client). */
  logError?: (error: unknown) => void;
}

/** MLflow's error code and HTTP status for an mlcycle error on a given route. */
export function mlflowError(error: MlcycleError, url: string): { status: number; code: string } {
  switch (error.code) {
    case 'not_found':
      return { status: 404, code: 'RESOURCE_DOES_NOT_EXIST' };
    case 'conflict':
      return /\/create(\?|$)/.test(url) ? { status: 400, code: 'RESOURCE_ALREADY_EXISTS' } : { status: 400, code: 'INVALID_PARAMETER_VALUE' };
    case 'invalid_input':
    case 'usage':
      return { status: 400, code: 'INVALID_PARAMETER_VALUE' };
    case 'check_failed':
      return { status: 400, code: 'INVALID_STATE' };
    case 'internal':
      return { status: 500, code: 'INTERNAL_ERROR' };
  }
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
    // Fastify's own errors (a malformed JSON body, a body over the limit) carry a status code.
    const fastifyStatus = (thrown as { statusCode?: number }).statusCode;
    if (fastifyStatus !== undefined && fastifyStatus < 500 && !(thrown instanceof Error && thrown.name === 'MlcycleError')) {
      const code = fastifyStatus === 413 ? 'REQUEST_LIMIT_EXCEEDED' : 'BAD_REQUEST';
      return reply.status(fastifyStatus).send({ error_code: code, message: (thrown as Error).message });
    }
    const error = asMlcycleError(thrown);
    const { status, code } = mlflowError(error, request.url);
    if (status >= 500) {
      options.logError?.(thrown);
      return reply.status(status).send({ error_code: code, message: 'internal server error; see the server log' });
    }
    return reply.status(status).send({ error_code: code, message: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `no endpoint ${request.method} ${request.url.split('?')[0]}` }));
  registerMlflowTrackingRoutes(app, server);
  registerMlflowRegistryRoutes(app, server);
  return app;
}
