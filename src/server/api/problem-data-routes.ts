/**
 * /api/v1/spec and /api/v1/datasets: the problem spec as the workspace's mlcycle.yaml holds it (checked,
 * with its issues by line), and the dataset versions with their schemas, lineage and latest validation.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { loadSpec } from '../../problem/load-spec.js';
import type { ServerContext } from '../server-context.js';

export function registerApiProblemDataRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  app.get('/spec', async () => {
    const check = await loadSpec(workspace.specFile);
    if (!check.exists) return { spec: { exists: false, file: check.file } };
    return { spec: { exists: true, file: check.file, hash: check.hash, text: check.text, spec: check.spec ?? null, issues: check.issues } };
  });
  app.get('/datasets', async () => ({ datasets: await workspace.datasets.listDatasets() }));
  app.get<{ Params: { name: string } }>('/datasets/:name', async (request) => {
    const versions = await workspace.datasets.listVersions(request.params.name);
    if (versions.length === 0) throw new MlcycleError('not_found', `no dataset "${request.params.name}"`);
    const validations = await Promise.all(versions.map(async (version) => (await workspace.datasets.latestValidation(version.ref)) ?? null));
    return { dataset: request.params.name, versions: versions.map((version, index) => ({ version, validation: validations[index] ?? null })) };
  });
}
