/**
 * What a run holds, through /api/v1: params, tags and metric points logged in one atomic request, tag
 * removal, dataset inputs, and artifacts (listing, download, upload of one file as the raw body).
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { resolveDatasetRef } from '../../data/dataset-ref.js';
import { MlcycleError } from '../../error.js';
import type { RunInput } from '../../store/run-store.js';
import { requireArtifactFolder, requireArtifactPath } from '../../tracking/artifact-paths.js';
import { IssueList, TRACKING_LIMITS, validateParams, validateRunId, validateTags } from '../../tracking/limits.js';
import { artifactFile, storeBlob } from '../../tracking/run-artifacts.js';
import { openVerifiedArtifact } from '../../tracking/verified-blob.js';
import { MAX_ARTIFACT_BYTES } from '../mlflow/artifact-routes.js';
import { readMetricEntries } from '../mlflow/log-batch.js';
import { optionalList, optionalString } from '../mlflow/request-fields.js';
import { refuseUnknownFields } from '../client-errors.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { bodyOf, optionalRecord } from './api-json.js';

const PREFIX = '/runs/:run';
/** Metric points per log request; the body limit (4 MB) allows about this many. */
export const API_METRICS_PER_REQUEST = 10_000;

export function registerApiRunDataRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  type RunParams = { Params: { run: string } };

  app.post<RunParams>(`${PREFIX}/log`, async (request) => {
    validateRunId(request.params.run, 'run');
    const fields = bodyOf(request);
    refuseUnknownFields(fields, ['params', 'tags', 'metrics']);
    const points = optionalList(fields, 'metrics');
    if (points.length > API_METRICS_PER_REQUEST) throw new MlcycleError('invalid_input', `metrics: at most ${API_METRICS_PER_REQUEST} points per request, got ${points.length}`, { issues: [{ path: 'metrics', message: 'too many points' }] });
    const params = optionalRecord(fields, 'params');
    const tags = optionalRecord(fields, 'tags');
    validateParams(params);
    validateTags(tags);
    const context = actorOf(server, request)();
    const metrics = readMetricEntries(points, context.now().getTime());
    await workspace.runs.logBatch(request.params.run, { params, tags, metrics }, context);
    return { logged: { params: Object.keys(params).length, tags: Object.keys(tags).length, points: points.length } };
  });

  app.delete<{ Params: { run: string; key: string } }>(`${PREFIX}/tags/:key`, async (request) => {
    validateRunId(request.params.run, 'run');
    await workspace.runs.deleteTag(request.params.run, request.params.key, actorOf(server, request)());
    return {};
  });

  app.post<RunParams>(`${PREFIX}/inputs`, async (request) => {
    validateRunId(request.params.run, 'run');
    const body = bodyOf(request);
    refuseUnknownFields(body, ['inputs']);
    const items = optionalList(body, 'inputs');
    const issues = new IssueList();
    const inputs: RunInput[] = [];
    for (const [index, item] of items.entries()) {
      const context = optionalString(item, 'context') ?? '';
      const ref = optionalString(item, 'ref');
      if (context.length > TRACKING_LIMITS.datasetContextLength) issues.add(`inputs[${index}].context`, `has more than ${TRACKING_LIMITS.datasetContextLength} characters`);
      if (ref !== undefined) {
        const version = await resolveDatasetRef(workspace.datasets, ref);
        inputs.push({ dataset: version.dataset, digest: version.hash, context, versionRef: version.ref });
        continue;
      }
      const name = optionalString(item, 'name') ?? '';
      const digest = optionalString(item, 'digest') ?? '';
      const source = optionalString(item, 'source');
      if (name === '' || name.length > TRACKING_LIMITS.datasetNameLength) issues.add(`inputs[${index}].name`, `give ref (a dataset version such as flights@2), or name and digest; a name has 1 to ${TRACKING_LIMITS.datasetNameLength} characters`);
      if (digest === '' || digest.length > TRACKING_LIMITS.datasetDigestLength) issues.add(`inputs[${index}].digest`, `must have 1 to ${TRACKING_LIMITS.datasetDigestLength} characters`);
      inputs.push({ dataset: name, digest, context, ...(source === undefined ? {} : { source }) });
    }
    issues.throwIfAny('invalid inputs');
    await workspace.runs.logInputs(request.params.run, inputs, actorOf(server, request)());
    return { inputs };
  });

  app.get<RunParams & { Querystring: { path?: string } }>(`${PREFIX}/artifacts`, async (request) => {
    validateRunId(request.params.run, 'run');
    const folder = requireArtifactFolder(request.query.path, 'path');
    return { artifacts: await workspace.runs.listArtifacts(request.params.run, folder) };
  });
  app.get<RunParams & { Querystring: { path?: string } }>(`${PREFIX}/artifacts/content`, async (request, reply) => {
    validateRunId(request.params.run, 'run');
    const { artifact, file } = await artifactFile(workspace, request.params.run, requireArtifactPath(request.query.path, 'path'));
    const stream = await openVerifiedArtifact(file, artifact);
    return reply.header('content-type', 'application/octet-stream').header('content-length', artifact.size).header('x-content-sha256', artifact.sha256).send(stream);
  });
  app.put<RunParams & { Querystring: { path?: string } }>(`${PREFIX}/artifacts/content`, async (request) => {
    validateRunId(request.params.run, 'run');
    const artifactPath = requireArtifactPath(request.query.path, 'path');
    if ((await workspace.runs.findRun(request.params.run)) === undefined) throw new MlcycleError('not_found', `no run with id ${request.params.run}`);
    const body = request.body as Readable | undefined;
    if (body === undefined || typeof body.pipe !== 'function') throw new MlcycleError('invalid_input', 'body: send the file as the raw request body (content-type application/octet-stream)', { issues: [{ path: 'body', message: 'expected raw bytes' }] });
    const stored = await storeBlob(workspace.artifacts, body, MAX_ARTIFACT_BYTES);
    const artifact = { path: artifactPath, ...stored };
    await workspace.runs.recordArtifacts(request.params.run, [artifact], actorOf(server, request)());
    return { artifact };
  });
}
