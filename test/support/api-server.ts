/** A server on a fresh workspace for API tests: called in-process (inject) or listening on a real port. */
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { createWorkspace, type Workspace } from '../../src/store/workspace.js';
import { tempDir, testContext } from './temp-dir.js';

const open: { app: FastifyInstance; workspace: Workspace }[] = [];
afterEach(async () => {
  for (const { app, workspace } of open.splice(0)) {
    // Every request of the test has been answered: drop the client's kept-alive sockets, which close() would
    // otherwise wait for (a hook timeout on a loaded machine).
    app.server.closeAllConnections();
    await app.close();
    await workspace.close().catch(() => undefined);
  }
});

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A server on a new workspace; `call` sends JSON to a path under `prefix` and returns status and parsed body. */
export async function apiServer(prefix: string, options: Partial<ServerOptions> = {}) {
  const root = tempDir();
  const context = testContext('server');
  const { workspace } = await createWorkspace(root, 'api', context);
  const errors: unknown[] = [];
  const app = buildServer({ workspace, context: (user) => (user === undefined ? context : { ...context, actor: user }), logError: (error) => errors.push(error), ...options });
  open.push({ app, workspace });
  const call = async (method: Method, url: string, payload?: unknown) => {
    const response = await app.inject({ method, url: `${prefix}${url}`, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: response.statusCode, body: (response.body === '' ? undefined : response.json()) as any };
  };
  /** Starts listening on a free loopback port and returns the base URL. */
  const listen = async () => app.listen({ port: 0, host: '127.0.0.1' });
  return { root, workspace, context, call, errors, app, listen };
}

/** A server whose `call` addresses MLflow's REST API. */
export function mlflowServer(options: Partial<ServerOptions> = {}) {
  return apiServer('/api/2.0/mlflow', options);
}
