/**
 * MLflow's proxied multipart upload (`mpu/create`, `complete`, `abort` under `/api/2.0/mlflow-artifacts`),
 * which the client uses for large files when `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD` is set. The protocol,
 * from MLflow 3.1's mlflow/store/artifact/http_artifact_repo.py and mlflow/server/handlers.py:
 *
 * 1. create: POST `mpu/create/<experiment>/<run>/artifacts[/<folder>]` with `{path: <local file>, num_parts}`;
 *    the answer is `{upload_id, credentials: [{part_number, url, headers}]}`.
 * 2. each part: the client PUTs the bytes to the credential's `url` with its `headers`, and keeps the
 *    answer's `ETag`.
 * 3. complete: POST `mpu/complete/...` with `{path, upload_id, parts: [{part_number, etag, url}]}`; or, on
 *    any failure, abort: POST `mpu/abort/...` with `{path, upload_id}`.
 *
 * MLflow's server hands out presigned object-store URLs; here the part URLs point back at this server
 * (`mpu/parts/<upload id>/<part number>`), carry the creating request's Authorization header, and each
 * part's ETag is its SHA-256, checked again at completion. The file's name is the base name of `path`,
 * as S3ArtifactRepository.create_multipart_upload names it. Parts wait in the artifact store's staging
 * area, and an upload lives in the server process that created it; an upload left idle for a day is
 * dropped, and start-up removes staged parts a crash left behind.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MlcycleError } from '../../error.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import { joinArtifactPath, requireArtifactPath } from '../../tracking/artifact-paths.js';
import { stageHashed, storeBlob } from '../../tracking/run-artifacts.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { fieldsOf, optionalInteger, requiredString, type Fields } from './request-fields.js';

const PREFIX = '/api/2.0/mlflow-artifacts/mpu';
/** S3's limit on the parts of one upload, which MLflow's S3 repository inherits. */
export const MAX_UPLOAD_PARTS = 10_000;
/** How long an upload may sit without a request before it is dropped with its parts. */
export const UPLOAD_IDLE_MS = 24 * 60 * 60 * 1000;

/** Where a multipart upload goes and the parts received so far. */
interface MultipartUpload {
  runId: string;
  artifactPath: string;
  partCount: number;
  /** Part number to its staged file and SHA-256. */
  parts: Map<number, { file: string; sha256: string }>;
  touched: number;
  completing: boolean;
}

/** The run and artifact folder a multipart URL names (the same checks as every artifact URL). */
export type LocateArtifact = (server: ServerContext, wildcard: string, folder: boolean) => Promise<{ runId: string; artifactPath: string }>;

/** The artifact path a multipart upload writes: the named folder plus the base name of the client's local file. */
function destinationOf(folder: string, fields: Fields): string {
  const localFile = requiredString(fields, 'path');
  const name = localFile.split(/[\\/]/).pop() ?? '';
  return requireArtifactPath(joinArtifactPath(folder, name), 'path');
}

/** Removes an upload's staged parts. */
async function discardParts(artifacts: ArtifactStore, upload: MultipartUpload): Promise<void> {
  for (const part of upload.parts.values()) await artifacts.discard(part.file);
  upload.parts.clear();
}

/** An ETag as sent back by a client: quotes around it are optional. */
const bareEtag = (etag: string) => etag.replace(/^"(.*)"$/, '$1');

/** The parts a completion lists, checked against what was received: every part once, each with its ETag. */
function completedParts(upload: MultipartUpload, fields: Fields): string[] {
  const listed = fields.parts;
  if (!Array.isArray(listed)) throw new MlcycleError('invalid_input', 'parts: expected a list of {part_number, etag}');
  if (listed.length !== upload.partCount) throw new MlcycleError('invalid_input', `parts: the upload has ${upload.partCount} parts, the request lists ${listed.length}`);
  const files: string[] = new Array<string>(upload.partCount);
  listed.forEach((entry: unknown, index) => {
    const field = `parts[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new MlcycleError('invalid_input', `${field}: expected {part_number, etag}`);
    const number = optionalInteger(entry as Fields, 'part_number');
    if (number === undefined || number < 1 || number > upload.partCount) throw new MlcycleError('invalid_input', `${field}.part_number: expected 1 to ${upload.partCount}`);
    const received = upload.parts.get(number);
    if (received === undefined) throw new MlcycleError('invalid_input', `${field}: part ${number} was never uploaded`);
    if (files[number - 1] !== undefined) throw new MlcycleError('invalid_input', `${field}: part ${number} is listed twice`);
    const etag = (entry as Fields).etag;
    if (typeof etag !== 'string' || bareEtag(etag) !== received.sha256) throw new MlcycleError('invalid_input', `${field}.etag: does not match the ETag part ${number} was stored with`);
    files[number - 1] = received.file;
  });
  return files;
}

/** The parts' bytes one after another, as one stream. */
function concatenated(files: readonly string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const file of files) yield* createReadStream(file);
    })(),
  );
}

/** Registers the multipart routes: create, complete and abort take JSON on `parent`; part uploads take raw bytes in a scope of their own. */
export function registerMlflowMultipartRoutes(parent: FastifyInstance, server: ServerContext, locate: LocateArtifact, maxBytes: number): void {
  const uploads = new Map<string, MultipartUpload>();
  const artifacts = server.workspace.artifacts;

  const dropIdle = async (now: number) => {
    for (const [id, upload] of uploads) {
      if (now - upload.touched <= UPLOAD_IDLE_MS || upload.completing) continue;
      uploads.delete(id);
      await discardParts(artifacts, upload);
    }
  };

  /** The upload a request names, which must have been created for the same run and file. */
  const uploadOf = async (request: FastifyRequest<{ Params: { '*': string } }>): Promise<{ id: string; upload: MultipartUpload }> => {
    const fields = fieldsOf(request);
    const id = requiredString(fields, 'upload_id');
    const { runId, artifactPath: folder } = await locate(server, request.params['*'], true);
    const artifactPath = destinationOf(folder, fields);
    const upload = uploads.get(id);
    if (upload === undefined) throw new MlcycleError('not_found', `upload_id: no multipart upload ${id} in progress on this server`);
    if (upload.runId !== runId || upload.artifactPath !== artifactPath) throw new MlcycleError('invalid_input', `upload_id: upload ${id} was created for ${upload.artifactPath} of run ${upload.runId}, not ${artifactPath} of run ${runId}`);
    return { id, upload };
  };

  parent.post<{ Params: { '*': string } }>(`${PREFIX}/create/*`, async (request) => {
    const fields = fieldsOf(request);
    const { runId, artifactPath: folder } = await locate(server, request.params['*'], true);
    const artifactPath = destinationOf(folder, fields);
    const partCount = optionalInteger(fields, 'num_parts') ?? 1;
    if (partCount < 1 || partCount > MAX_UPLOAD_PARTS) throw new MlcycleError('invalid_input', `num_parts: expected 1 to ${MAX_UPLOAD_PARTS}, got ${partCount}`);
    await dropIdle(Date.now());
    const id = randomUUID().replaceAll('-', '');
    uploads.set(id, { runId, artifactPath, partCount, parts: new Map(), touched: Date.now(), completing: false });
    // The client PUTs each part with exactly these headers: pass its token on, since the part URL is this server's.
    const headers: Record<string, string> = request.headers.authorization === undefined ? {} : { Authorization: request.headers.authorization };
    const base = `${request.protocol}://${request.host}${PREFIX}/parts/${id}`;
    const credentials = Array.from({ length: partCount }, (_, index) => ({ part_number: index + 1, url: `${base}/${index + 1}`, headers }));
    return { upload_id: id, credentials };
  });

  parent.post<{ Params: { '*': string } }>(`${PREFIX}/complete/*`, async (request) => {
    const { id, upload } = await uploadOf(request);
    if (upload.completing) throw new MlcycleError('check_failed', `upload_id: upload ${id} is being completed by another request`);
    const files = completedParts(upload, fieldsOf(request));
    upload.completing = true;
    try {
      const stored = await storeBlob(artifacts, concatenated(files), maxBytes);
      await server.workspace.runs.recordArtifacts(upload.runId, [{ path: upload.artifactPath, ...stored }], actorOf(server, request)());
    } catch (error) {
      upload.completing = false;
      upload.touched = Date.now();
      throw error;
    }
    uploads.delete(id);
    await discardParts(artifacts, upload);
    return {};
  });

  parent.post<{ Params: { '*': string } }>(`${PREFIX}/abort/*`, async (request) => {
    const { id, upload } = await uploadOf(request);
    if (upload.completing) throw new MlcycleError('check_failed', `upload_id: upload ${id} is being completed and cannot be aborted`);
    uploads.delete(id);
    await discardParts(artifacts, upload);
    return {};
  });

  void parent.register(async (raw) => {
    // Parts arrive as raw bytes (`requests.put(url, data=chunk)`): hand the stream on unparsed.
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    raw.put<{ Params: { uploadId: string; partNumber: string } }>(`${PREFIX}/parts/:uploadId/:partNumber`, async (request, reply) => {
      const upload = uploads.get(request.params.uploadId);
      if (upload === undefined || upload.completing) throw new MlcycleError('not_found', `no multipart upload ${request.params.uploadId} in progress on this server`);
      const number = /^\d{1,5}$/.test(request.params.partNumber) ? Number(request.params.partNumber) : 0;
      if (number < 1 || number > upload.partCount) throw new MlcycleError('invalid_input', `part number: expected 1 to ${upload.partCount}, got "${request.params.partNumber}"`);
      const body = request.body as Readable | undefined;
      if (body === undefined || typeof body.pipe !== 'function') throw new MlcycleError('invalid_input', 'body: send the part as the raw request body');
      const { file, sha256 } = await stageHashed(artifacts, body, '.part', maxBytes, `part ${number}`);
      // A part sent again (the client retries) replaces the earlier copy; an upload aborted meanwhile keeps nothing.
      const previous = upload.parts.get(number);
      if (uploads.get(request.params.uploadId) !== upload || upload.completing) {
        await artifacts.discard(file);
        throw new MlcycleError('not_found', `multipart upload ${request.params.uploadId} ended while part ${number} was sent`);
      }
      upload.parts.set(number, { file, sha256 });
      upload.touched = Date.now();
      if (previous !== undefined) await artifacts.discard(previous.file);
      return reply.header('etag', `"${sha256}"`).send({});
    });
  });
}
