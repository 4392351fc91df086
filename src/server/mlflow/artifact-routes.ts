/**
 * MLflow's proxied artifact API (`/api/2.0/mlflow-artifacts/artifacts/...`), which MLflow clients use for
 * `mlflow-artifacts:/` URIs: upload (PUT), download (GET), listing and delete (DELETE; a registered
 * version's files are kept, refused naming the version). Paths read
 * `<experiment id>/<run id>/artifacts/<artifact path>`; the artifact path passes the same checks as
 * every other (no `..`, absolute, backslash or encoded forms of them), and bytes are stored by hash.
 * MLflow's client labels each upload with a guessed type (`text/plain` for MLmodel and YAML,
 * `application/json`, `text/csv`...; mlflow/utils/mime_type_utils.py, MLflow 2.22): the routes live in
 * their own Fastify scope whose one parser hands every body on as raw bytes, whatever its label.
 * Multipart uploads (`mpu/...`) are in multipart-upload-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { MlcycleError } from '../../error.js';
import { requireArtifactFolder, requireArtifactPath } from '../../tracking/artifact-paths.js';
import { artifactFile, storeBlob } from '../../tracking/run-artifacts.js';
import { openVerifiedArtifact } from '../../tracking/verified-blob.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { registerMlflowMultipartRoutes } from './multipart-upload-routes.js';

const PREFIX = '/api/2.0/mlflow-artifacts/artifacts';
/** The largest artifact accepted in one upload. */
export const MAX_ARTIFACT_BYTES = 2 * 1024 * 1024 * 1024;

/** The run and artifact path an artifact URL names; the run must exist in the named experiment. */
async function locate(server: ServerContext, wildcard: string, folder: boolean): Promise<{ runId: string; artifactPath: string }> {
  const match = /^(\d{1,15})\/([0-9a-f]{32})\/artifacts(?:\/(.*))?$/.exec(wildcard);
  if (match === null) throw new MlcycleError('invalid_input', `path: "${wildcard}" should read EXPERIMENT_ID/RUN_ID/artifacts/PATH`);
  const [, experimentId, runId, rest] = match as unknown as [string, string, string, string | undefined];
  const artifactPath = folder ? requireArtifactFolder(rest, 'path') : requireArtifactPath(rest, 'path');
  const run = await server.workspace.runs.findRun(runId);
  if (run === undefined || run.experimentId !== experimentId) throw new MlcycleError('not_found', `no run ${runId} in experiment ${experimentId}`);
  return { runId, artifactPath };
}

/** Registers the proxied artifact routes in a scope of their own (its body parsing differs from the JSON API's). */
export function registerMlflowArtifactRoutes(parent: FastifyInstance, server: ServerContext): void {
  void parent.register(async (app) => artifactRoutes(app, server));
  registerMlflowMultipartRoutes(parent, server, locate, MAX_ARTIFACT_BYTES);
}

function artifactRoutes(app: FastifyInstance, server: ServerContext): void {
  // Uploads arrive as raw bytes labelled with any type: hand the stream on instead of parsing or buffering it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.put<{ Params: { '*': string } }>(`${PREFIX}/*`, async (request) => {
    const { runId, artifactPath } = await locate(server, request.params['*'], false);
    const body = request.body as Readable | undefined;
    if (body === undefined || typeof (body as Readable).pipe !== 'function') throw new MlcycleError('invalid_input', 'body: send the file as the raw request body (application/octet-stream)');
    const stored = await storeBlob(server.workspace.artifacts, body, MAX_ARTIFACT_BYTES);
    await server.workspace.runs.recordArtifacts(runId, [{ path: artifactPath, ...stored }], actorOf(server, request)());
    return {};
  });

  app.get<{ Params: { '*': string } }>(`${PREFIX}/*`, async (request, reply) => {
    const { runId, artifactPath } = await locate(server, request.params['*'], false);
    const { artifact, file } = await artifactFile(server.workspace, runId, artifactPath);
    const stream = await openVerifiedArtifact(file, artifact);
    return reply.header('content-type', 'application/octet-stream').header('content-length', artifact.size).send(stream);
  });

  // HttpArtifactRepository.delete_artifacts: DELETE of a file or folder, answered with {} even when nothing was there (as MLflow's server).
  app.delete<{ Params: { '*': string } }>(`${PREFIX}/*`, async (request) => {
    const { runId, artifactPath } = await locate(server, request.params['*'], true);
    await server.workspace.runs.deleteArtifacts(runId, artifactPath, actorOf(server, request)());
    return {};
  });

  app.get<{ Querystring: { path?: string } }>(PREFIX, async (request) => {
    const { runId, artifactPath } = await locate(server, request.query.path ?? '', true);
    const entries = await server.workspace.runs.listArtifacts(runId, artifactPath);
    const prefix = artifactPath === '' ? '' : `${artifactPath}/`;
    return { files: entries.map((entry) => ({ path: entry.path.slice(prefix.length), is_dir: entry.isDir, ...(entry.size === undefined ? {} : { file_size: String(entry.size) }) })) };
  });
}
