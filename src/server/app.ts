/**
 * The HTTP server (Fastify): MLflow's REST API 2.0 under /api/2.0/mlflow (mlflow/mlflow-plugin.ts),
 * mlcycle's own under /api/v1 (api/api-plugin.ts, docs/api.md), two encapsulated plugins with their own
 * error and not-found handlers; the web UI (ui-routes.ts) at `/`. Request bodies are limited in size (MLflow's log-batch limit is 1 MB).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { WebhookDeliverer, type DeliverOptions } from '../tracking/registry/webhooks.js';
import { API_V1_PREFIX, apiErrorBody, registerApiV1 } from './api/api-plugin.js';
import { boundedError, frameworkRefusal } from './client-errors.js';
import { registerSafeJsonParser } from './safe-json.js';
import { defaultUiDirectory, registerUiRoutes } from './ui-routes.js';
import type { AccessToken } from './auth.js';
import { registerMlflowApi } from './mlflow/mlflow-plugin.js';
import type { ServerContext } from './server-context.js';
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
  /** Deliver registry webhooks from this process: polled, and nudged after each change request. */
  webhookDelivery?: DeliverOptions & { intervalMs?: number; mayRun?: () => Promise<boolean> };
  /** Also serve predictions and accept events (`mlcycle serve`'s routes), with these settings. */
  serve?: ServeRouteOptions;
  /** Called for every route as it is added (tests enumerate the routes this way, so new ones are covered). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
  /** Let webhooks target private, loopback and link-local addresses, when added and when delivered. */
  allowPrivateWebhooks?: boolean;
  /** The built web UI's folder (index.html and assets/), served at `/`; dist/web by default; false for none. */
  ui?: string | false;
}

/** Builds the server around an open workspace; the caller listens and closes. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: false,
    // A request refused before routing (a malformed URL escape) is answered in its API's own shape.
    frameworkErrors: (thrown, request, reply) => {
      const error = frameworkRefusal(thrown);
      const { message } = boundedError(error.message, []);
      const body = request.url.startsWith(API_V1_PREFIX) ? apiErrorBody(error.code, message, error.issues[0]?.path, error.issues) : { error_code: 'INVALID_PARAMETER_VALUE', message };
      void (reply as unknown as { status(code: number): { send(payload: unknown): void } }).status(error.httpStatus).send(body);
    },
  });
  registerSafeJsonParser(app);
  const { onRoute } = options;
  if (onRoute !== undefined) app.addHook('onRoute', (route) => onRoute({ method: route.method, url: route.url }));
  const server: ServerContext = {
    workspace: options.workspace,
    allowPrivateWebhooks: options.allowPrivateWebhooks === true,
    context:
      options.context ??
      ((user) => {
        const context = defaultChangeContext();
        return user === undefined || user === '' ? context : { ...context, actor: user };
      }),
  };
  // Uploads (both APIs' artifact routes) arrive as raw bytes of any type: hand the stream on instead of buffering it.
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // Two encapsulated plugins, each answering its own errors and unknown paths in its own shape.
  const apiOptions = { tokens: options.tokens ?? [], logError: options.logError };
  registerMlflowApi(app, server, apiOptions);
  registerApiV1(app, server, apiOptions);
  if (options.ui !== false) registerUiRoutes(app, options.ui ?? defaultUiDirectory());
  // The MLflow API answers /health and /version itself: the prediction routes leave them to it.
  const serve = options.serve;
  if (serve !== undefined) void app.register(async (instance) => registerServeRoutes(instance, { ...serve, infoRoutes: false }));
  if (options.webhookDelivery !== undefined) {
    const deliverer = new WebhookDeliverer(options.workspace.webhooks, { ...options.webhookDelivery, allowPrivateTargets: options.allowPrivateWebhooks === true, ...(options.logError === undefined ? {} : { onError: options.logError }) });
    app.addHook('onReady', async () => deliverer.start());
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') deliverer.nudge();
    });
    app.addHook('onClose', async () => deliverer.stop());
  }
  return app;
}
