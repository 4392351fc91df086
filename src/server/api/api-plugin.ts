/**
 * mlcycle's own API as one Fastify plugin under /api/v1 (docs/api.md): its routes, and its own error and
 * not-found handlers answering `{error: {code, message, field, issues}}`; an internal error's text stays in
 * the server's log and the client gets a generic message.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asMlcycleError, type InputIssue } from '../../error.js';
import { addAuthentication, frameworkClientStatus } from '../auth-hook.js';
import type { AccessToken } from '../auth.js';
import type { ServerContext } from '../server-context.js';
import { registerApiEvaluationRoutes } from './evaluation-routes.js';
import { registerApiExperimentRoutes } from './experiments-routes.js';
import { registerApiLifecycleRoutes } from './lifecycle-routes.js';
import { registerApiMonitorRoutes } from './monitor-routes.js';
import { registerApiSurveyDesignRoutes } from './survey-design-routes.js';
import { registerApiServingRoutes } from './serving-routes.js';
import { registerApiOnlineExperimentRoutes } from './online-experiment-routes.js';
import { registerApiRegistryRoutes } from './registry-routes.js';
import { registerApiRunDataRoutes } from './run-data-routes.js';
import { registerApiProblemDataRoutes } from './problem-data-routes.js';
import { registerApiRolloutRoutes } from './rollout-routes.js';
import { registerApiRunRoutes } from './runs-routes.js';
import { registerApiWebhookRoutes } from './webhook-routes.js';

/** Where the plugin is mounted; route files declare their paths below it. */
import { boundedError } from '../client-errors.js';

export const API_V1_PREFIX = '/api/v1';

/**
 * The error body of /api/v1: `{error: {code, message, field, issues}}`; `field` is the request field at
 * fault (the first issue's path), null when the error is not about one field.
 */
export function apiErrorBody(code: string, message: string, field?: string, issues: readonly InputIssue[] = []) {
  return { error: { code, message, field: field === undefined || field === '' ? null : field, issues } };
}

export interface ApiPluginOptions {
  tokens: readonly AccessToken[];
  logError?: ((error: unknown) => void) | undefined;
}

/** Registers /api/v1 as an encapsulated plugin on `app`. */
export function registerApiV1(app: FastifyInstance, server: ServerContext, options: ApiPluginOptions): void {
  void app.register(
    async (api) => {
      api.setErrorHandler((thrown, _request, reply) => {
        const status = frameworkClientStatus(thrown);
        if (status !== undefined) {
          const { message } = boundedError((thrown as Error).message, []);
          return reply.status(status).send(apiErrorBody(status === 413 ? 'request_too_large' : 'invalid_input', message, status === 413 ? undefined : 'body'));
        }
        const error = asMlcycleError(thrown);
        if (error.code !== 'internal') {
          const { message, issues } = boundedError(error.message, error.issues);
          return reply.status(error.httpStatus).send(apiErrorBody(error.code, message, issues[0]?.path, issues));
        }
        options.logError?.(thrown);
        return reply.status(500).send(apiErrorBody('internal', 'internal server error; see the server log'));
      });
      addAuthentication(api, options.tokens, (code, message) => apiErrorBody(code, message));
      const notFound = (request: FastifyRequest, reply: FastifyReply) => reply.status(404).send(apiErrorBody('endpoint_not_found', `no endpoint ${request.method} ${request.url.split('?')[0]}`));
      api.setNotFoundHandler(notFound);
      // The web UI answers every other GET path with its page (ui-routes.ts): an unknown GET here stays this API's 404.
      api.get('/*', notFound);
      registerApiLifecycleRoutes(api, server);
      registerApiProblemDataRoutes(api, server);
      registerApiEvaluationRoutes(api, server);
      registerApiRolloutRoutes(api, server);
      registerApiMonitorRoutes(api, server);
      registerApiSurveyDesignRoutes(api, server);
      registerApiServingRoutes(api, server);
      registerApiExperimentRoutes(api, server);
      registerApiOnlineExperimentRoutes(api, server);
      registerApiRunRoutes(api, server);
      registerApiRunDataRoutes(api, server);
      registerApiRegistryRoutes(api, server);
      registerApiWebhookRoutes(api, server);
    },
    { prefix: API_V1_PREFIX },
  );
}
