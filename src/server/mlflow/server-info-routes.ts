/**
 * The MLflow server's own probes: `GET /health` ("OK"), `GET /version` (the MLflow version whose API this
 * server follows) and MLflow 3's `GET /api/3.0/mlflow/server-info`, which clients read to decide whether
 * to try multipart transfers (mlflow/utils/server_info.py, MLflow 3.x: store_type, workspaces_enabled,
 * multipart_uploads_enabled, multipart_downloads_enabled).
 */
import type { FastifyInstance } from 'fastify';

/** The MLflow release whose REST API these routes follow (docs/api.md's compatibility table). */
export const MLFLOW_API_VERSION = '2.22.0';

/** Registers /health, /version and server-info. */
export function registerMlflowServerInfoRoutes(app: FastifyInstance): void {
  app.get('/health', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('OK'));
  app.get('/version', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(MLFLOW_API_VERSION));
  // MLflow's SQL-backed store reports "SqlStore"; multipart uploads are served (multipart-upload-routes.ts), ranged downloads are not.
  const info = { store_type: 'SqlStore', workspaces_enabled: false, multipart_uploads_enabled: true, multipart_downloads_enabled: false };
  app.get('/api/3.0/mlflow/server-info', async () => info);
}
