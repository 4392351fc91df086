/**
 * MLflow endpoints mlcycle knows and does not serve (docs/api.md's compatibility table): they answer 501
 * NOT_IMPLEMENTED in MLflow's error shape with the reason, instead of a bare ENDPOINT_NOT_FOUND, so that a
 * client's error tells its user what to do instead. Paths as in MLflow 3.1's service.proto and
 * model_registry.proto.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';

/** Method, path (under the server root) and why it is not served. */
export const UNSERVED_MLFLOW_ENDPOINTS: readonly [HTTPMethods | HTTPMethods[], string, string][] = [
  ['DELETE', '/api/2.0/mlflow-artifacts/artifacts/*', 'mlcycle keeps a run\'s artifacts: they are evidence for the models registered from the run'],
];

/** Registers the unserved endpoints' 501 answers. */
export function registerMlflowUnservedRoutes(app: FastifyInstance): void {
  for (const [method, url, reason] of UNSERVED_MLFLOW_ENDPOINTS) {
    app.route({ method, url, handler: async (_request, reply) => reply.status(501).send({ error_code: 'NOT_IMPLEMENTED', message: reason }) });
  }
}
