/**
 * /api/v1/board, /api/v1/audit and /api/v1/session: the lifecycle board (the ten stages with state, evidence
 * and next step, as `mlcycle status` shows them), the audit log, newest first, and who the caller's token is.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { readBoard } from '../../lifecycle.js';
import { fieldsOf, optionalInteger, optionalString } from '../mlflow/request-fields.js';
import { actorOf, sessionOf, type ServerContext } from '../server-context.js';

/** The most audit entries one request returns. */
export const AUDIT_PAGE_LIMIT = 1000;

export function registerApiLifecycleRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  // Who the request's token is and whether it may write: the UI shows no write buttons to a read token.
  app.get('/session', async (request) => ({ session: sessionOf(request) }));
  app.get('/board', async (request) => ({ board: await readBoard(workspace, actorOf(server, request)()) }));
  app.get('/audit', async (request) => {
    const fields = fieldsOf({ query: request.query });
    const limit = optionalInteger(fields, 'limit') ?? 100;
    if (limit < 1 || limit > AUDIT_PAGE_LIMIT) throw new MlcycleError('invalid_input', `limit: expected 1 to ${AUDIT_PAGE_LIMIT}, got ${limit}`, { issues: [{ path: 'limit', message: `expected 1 to ${AUDIT_PAGE_LIMIT}` }] });
    const actionPrefix = optionalString(fields, 'action');
    return { entries: await workspace.audit.list({ limit, ...(actionPrefix === undefined || actionPrefix === '' ? {} : { actionPrefix }) }) };
  });
}
