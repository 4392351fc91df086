/**
 * /api/v1/references and /api/v1/designs: stages 4 and 5, what `mlcycle survey` and `mlcycle design` store.
 * The literature survey's references with their reported results and linked runs; the design documents
 * (the latest version of each, or a named version) with their candidates, feasibility evidence and decision.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import type { ServerContext } from '../server-context.js';

export function registerApiSurveyDesignRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  app.get('/references', async () => ({ references: await workspace.references.list() }));
  app.get('/designs', async () => ({ designs: await workspace.designs.list() }));
  app.get<{ Params: { name: string }; Querystring: { version?: string } }>('/designs/:name', async (request) => {
    const given = request.query.version;
    const version = given === undefined ? undefined : Number(given);
    if (version !== undefined && !(Number.isInteger(version) && version >= 1)) throw new MlcycleError('invalid_input', `version: expected a whole number from 1, got "${given}"`, { issues: [{ path: 'version', message: 'a whole number from 1' }] });
    const design = await workspace.designs.find(request.params.name, version);
    if (design === undefined) throw new MlcycleError('not_found', `no design "${request.params.name}"${version === undefined ? '' : ` version ${version}`}`);
    return { design };
  });
}
