/**
 * MLflow's REST API 2.0 (tracking, registry, proxied artifacts) as one Fastify plugin, with its own error
 * and not-found handlers answering MLflow's `{error_code, message}`. Its routes keep MLflow's full paths
 * (`/api/2.0/mlflow...`), so the plugin has no prefix and its not-found handler answers every path outside
 * /api/v1, as an MLflow server does.
 */
import type { FastifyInstance } from 'fastify';
import { asMlcycleError, type MlcycleError } from '../../error.js';
import { addAuthentication, frameworkClientStatus } from '../auth-hook.js';
import type { AccessToken } from '../auth.js';
import type { ServerContext } from '../server-context.js';
import { registerMlflowArtifactRoutes } from './artifact-routes.js';
import { registerMlflowRegistryRoutes } from './registry-routes.js';
import { registerMlflowTrackingRoutes } from './tracking-routes.js';
import { registerMlflowRegistrySearchRoutes } from './registry-search-routes.js';
import { registerMlflowMetricIntervalRoutes } from './metric-interval-routes.js';
import { registerMlflowServerInfoRoutes } from './server-info-routes.js';
import { registerMlflowLoggedModelRoutes } from './logged-model-routes.js';

/** MLflow's error code and HTTP status for an mlcycle error on a given route. */
export function mlflowError(error: MlcycleError, url: string): { status: number; code: string } {
  switch (error.code) {
    case 'not_found':
      return { status: 404, code: 'RESOURCE_DOES_NOT_EXIST' };
    case 'conflict':
      return /\/(experiments\/create|registered-models\/(create|rename))(\?|$)/.test(url) ? { status: 400, code: 'RESOURCE_ALREADY_EXISTS' } : { status: 400, code: 'INVALID_PARAMETER_VALUE' };
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

export interface MlflowPluginOptions {
  tokens: readonly AccessToken[];
  logError?: ((error: unknown) => void) | undefined;
}

import { boundedError } from '../client-errors.js';

const REFUSAL_CODES = { unauthenticated: 'UNAUTHENTICATED', permission_denied: 'PERMISSION_DENIED' } as const;

/** Registers the MLflow API as an encapsulated plugin on `app`. */
export function registerMlflowApi(app: FastifyInstance, server: ServerContext, options: MlflowPluginOptions): void {
  void app.register(async (mlflow) => {
    mlflow.setErrorHandler((thrown, request, reply) => {
      const status = frameworkClientStatus(thrown);
      if (status !== undefined) return reply.status(status).send({ error_code: status === 413 ? 'REQUEST_LIMIT_EXCEEDED' : 'BAD_REQUEST', message: boundedError((thrown as Error).message, []).message });
      const error = asMlcycleError(thrown);
      const { status: mapped, code } = mlflowError(error, request.url);
      if (mapped >= 500) {
        options.logError?.(thrown);
        return reply.status(mapped).send({ error_code: code, message: 'internal server error; see the server log' });
      }
      return reply.status(mapped).send({ error_code: code, message: boundedError(error.message, []).message });
    });
    addAuthentication(mlflow, options.tokens, (code, message) => ({ error_code: REFUSAL_CODES[code], message }));
    mlflow.setNotFoundHandler((request, reply) => reply.status(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `no endpoint ${request.method} ${request.url.split('?')[0]}` }));
    registerMlflowTrackingRoutes(mlflow, server);
    registerMlflowRegistryRoutes(mlflow, server);
    registerMlflowRegistrySearchRoutes(mlflow, server);
    registerMlflowArtifactRoutes(mlflow, server);
    registerMlflowServerInfoRoutes(mlflow);
    registerMlflowMetricIntervalRoutes(mlflow, server);
    registerMlflowLoggedModelRoutes(mlflow, server);
  });
}
