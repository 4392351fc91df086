/**
 * /api/v1/evaluations: the stored offline evaluations (candidate, champion, dataset version, the verdict and
 * every model's metrics with bootstrap intervals), newest first, and each one's HTML report.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import type { ServerContext } from '../server-context.js';
import { positiveIntegerParam } from './api-json.js';

const PREFIX = '/evaluations';

export function registerApiEvaluationRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  const find = async (id: string) => {
    const number = positiveIntegerParam(id, 'id');
    const record = await workspace.evaluations.find(number);
    if (record === undefined) throw new MlcycleError('not_found', `no evaluation ${number}`);
    return record;
  };
  app.get(PREFIX, async () => ({ evaluations: await workspace.evaluations.list() }));
  app.get<{ Params: { id: string } }>(`${PREFIX}/:id`, async (request) => ({ evaluation: await find(request.params.id) }));
  app.get<{ Params: { id: string } }>(`${PREFIX}/:id/report`, async (request, reply) => {
    const record = await find(request.params.id);
    if (!workspace.artifacts.exists(record.reportKey)) throw new MlcycleError('not_found', `evaluation ${record.id}: its report ${record.reportKey} is missing from the artifact store`);
    const html = await readFile(await workspace.artifacts.localCopy(record.reportKey));
    // The report (static HTML and SVG) opens in an opaque origin: nothing in it could reach the UI's stored token or the API.
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', 'sandbox').send(html);
  });
}
