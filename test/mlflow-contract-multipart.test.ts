/**
 * Contract: MLflow's proxied multipart upload as the client drives it with
 * `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true`, replayed from MLflow 3.1's
 * mlflow/store/artifact/http_artifact_repo.py: `create_multipart_upload` (POST `mpu/create/<run root>[/<folder>]`
 * with `{path: <local file>, num_parts}`), `_upload_part` (`requests.put(credential.url, data=chunk,
 * headers=credential.headers)`, keeping the answer's ETag), then `complete_multipart_upload` with the parts
 * sorted by number, or `abort_multipart_upload` on any failure. Issue 25's "artifact proxy (multipart too)".
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTokens } from '../src/server/auth.js';
import { mlflowServer } from './support/api-server.js';
import { mlflowClient } from './support/mlflow-client.js';

type Client = Awaited<ReturnType<typeof mlflowClient>>;
interface Credential {
  part_number: number;
  url: string;
  headers: Record<string, string>;
}

/** A run as mlflow.start_run() makes it, and its artifact root without the scheme. */
async function startRun(client: Client) {
  const created = await client.tracking('POST', '/runs/create', { experiment_id: '0', user_id: 'ana', start_time: 1_767_225_600_000, run_name: 'big' });
  const info = created.body.run.info as { run_id: string; artifact_uri: string };
  return { id: info.run_id, uri: info.artifact_uri, root: info.artifact_uri.replace('mlflow-artifacts:/', '') };
}

/** The parts waiting in the workspace's staging area. */
async function stagedParts(client: Client): Promise<string[]> {
  const staging = path.dirname(await client.workspace.artifacts.stagingPath('.probe'));
  return (await readdir(staging)).filter((name) => name.endsWith('.part'));
}

/** `_upload_part`: the chunk PUT to the credential's URL with its headers; the ETag is kept for completion. */
async function uploadPart(credential: Credential, chunk: Buffer) {
  const response = await fetch(credential.url, { method: 'PUT', headers: credential.headers, body: chunk });
  return { status: response.status, etag: response.headers.get('etag') ?? '' };
}

/** A file of `parts` chunks of `chunkSize` bytes (the last one shorter), different in every chunk. */
function bigFile(chunkSize: number, parts: number): Buffer {
  const bytes = Buffer.alloc(chunkSize * (parts - 1) + Math.ceil(chunkSize / 3));
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 31 + Math.floor(index / chunkSize)) % 251;
  return bytes;
}

describe('MLflow 3.1 client: multipart uploads through the artifact proxy', () => {
  it('logs a file in parts sent out of order, then downloads and lists it whole', async () => {
    const client = await mlflowClient('v3');
    const run = await startRun(client);
    const chunkSize = 64 * 1024;
    const file = bigFile(chunkSize, 3);
    expect(await client.call('GET', '/api/3.0/mlflow/server-info')).toMatchObject({ status: 200, body: { multipart_uploads_enabled: true } });

    // log_artifact("/tmp/work/model.pkl", artifact_path="model"): the folder is in the URL, the local path in the body.
    const created = await client.call('POST', `/api/2.0/mlflow-artifacts/mpu/create/${run.root}/model`, { path: '/tmp/work/model.pkl', num_parts: 3 });
    expect(created.status).toBe(200);
    const { upload_id: uploadId, credentials } = created.body as { upload_id: string; credentials: Credential[] };
    expect(uploadId).toMatch(/^[0-9a-f]{32}$/);
    expect(credentials.map((credential) => credential.part_number)).toEqual([1, 2, 3]);
    expect(credentials.every((credential) => credential.url.startsWith(client.base) && JSON.stringify(credential.headers) === '{}')).toBe(true);

    // The client's thread pool finishes parts in any order.
    const parts = [];
    for (const index of [2, 0, 1]) {
      const credential = credentials[index] as Credential;
      const sent = await uploadPart(credential, file.subarray(chunkSize * index, chunkSize * (index + 1)));
      expect(sent.status).toBe(200);
      expect(sent.etag).toMatch(/^"[0-9a-f]{64}"$/);
      parts.push({ part_number: credential.part_number, etag: sent.etag, url: credential.url });
    }
    parts.sort((a, b) => a.part_number - b.part_number);
    expect(await stagedParts(client)).toHaveLength(3);
    const completed = await client.call('POST', `/api/2.0/mlflow-artifacts/mpu/complete/${run.root}/model`, { path: '/tmp/work/model.pkl', upload_id: uploadId, parts });
    expect(completed).toMatchObject({ status: 200, body: {} });

    const downloaded = await client.download(run.uri, 'model/model.pkl');
    expect(downloaded.status).toBe(200);
    expect(downloaded.bytes.equals(file)).toBe(true);
    expect((await client.listArtifacts(run.uri, 'model')).body).toEqual({ files: [{ path: 'model.pkl', is_dir: false, file_size: String(file.length) }] });
    // The upload is over: its parts are gone from staging and its id is unknown.
    expect(await stagedParts(client)).toEqual([]);
    const again = await client.call('POST', `/api/2.0/mlflow-artifacts/mpu/complete/${run.root}/model`, { path: '/tmp/work/model.pkl', upload_id: uploadId, parts });
    expect(again).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('refuses a completion that does not match its parts, records nothing, and aborts', async () => {
    const client = await mlflowClient('v3');
    const run = await startRun(client);
    const create = (body: Record<string, string | number>) => client.call('POST', `/api/2.0/mlflow-artifacts/mpu/create/${run.root}`, body);
    expect(await create({ path: 'data.bin', num_parts: 0 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('num_parts') } });
    expect(await create({ path: '/tmp/work/..', num_parts: 2 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await create({ path: 'data.bin', num_parts: 10_001 })).toMatchObject({ status: 400, body: { message: expect.stringContaining('1 to 10000') } });
    expect(await create({ num_parts: 2 })).toMatchObject({ status: 400, body: { message: expect.stringContaining("'path'") } });

    const created = await create({ path: 'C:\\work\\data.bin', num_parts: 2 });
    const { upload_id: uploadId, credentials } = created.body as { upload_id: string; credentials: [Credential, Credential] };
    const first = await uploadPart(credentials[0], Buffer.from('first part'));
    expect((await fetch(credentials[0].url.replace(/\/1$/, '/3'), { method: 'PUT', body: 'x' })).status).toBe(400);

    const complete = (parts: object, path = 'data.bin') => client.call('POST', `/api/2.0/mlflow-artifacts/mpu/complete/${run.root}`, { path, upload_id: uploadId, parts });
    expect(await complete([{ part_number: 1, etag: first.etag }])).toMatchObject({ status: 400, body: { message: expect.stringContaining('the upload has 2 parts') } });
    expect(await complete([{ part_number: 1, etag: first.etag }, { part_number: 2, etag: first.etag }])).toMatchObject({ status: 400, body: { message: expect.stringContaining('part 2 was never uploaded') } });
    const second = await uploadPart(credentials[1], Buffer.from('second part'));
    expect(await complete([{ part_number: 1, etag: second.etag }, { part_number: 2, etag: second.etag }])).toMatchObject({ status: 400, body: { message: expect.stringContaining('parts[0].etag') } });
    expect(await complete([{ part_number: 1, etag: first.etag }, { part_number: 2, etag: second.etag }], 'other.bin')).toMatchObject({ status: 400, body: { message: expect.stringContaining('was created for data.bin') } });
    expect((await client.listArtifacts(run.uri)).body).toEqual({ files: [] });

    expect(await client.call('POST', `/api/2.0/mlflow-artifacts/mpu/abort/${run.root}`, { path: 'data.bin', upload_id: uploadId })).toMatchObject({ status: 200, body: {} });
    expect(await stagedParts(client)).toEqual([]);
    expect((await uploadPart(credentials[1], Buffer.from('late'))).status).toBe(404);
    expect(await complete([{ part_number: 1, etag: first.etag }, { part_number: 2, etag: second.etag }])).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect((await client.listArtifacts(run.uri)).body).toEqual({ files: [] });
  });

  it('hands the caller\'s token on in each part\'s headers when the server requires one', async () => {
    const server = await mlflowServer({ tokens: parseTokens('ci:write:write-token-1234567', 'test') });
    const base = await server.listen();
    const auth = { authorization: 'Bearer write-token-1234567', 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };
    const run = (await post('/api/2.0/mlflow/runs/create', { experiment_id: '0' })).body.run.info as { run_id: string; artifact_uri: string };
    const root = run.artifact_uri.replace('mlflow-artifacts:/', '');
    const created = await post(`/api/2.0/mlflow-artifacts/mpu/create/${root}`, { path: 'weights.bin', num_parts: 1 });
    const credential = (created.body.credentials as Credential[])[0] as Credential;
    expect(credential.headers).toEqual({ Authorization: 'Bearer write-token-1234567' });
    expect((await fetch(credential.url, { method: 'PUT', body: 'no token' })).status).toBe(401);
    const sent = await uploadPart(credential, Buffer.from('weights'));
    expect(sent.status).toBe(200);
    const parts = [{ part_number: 1, etag: sent.etag, url: credential.url }];
    expect(await post(`/api/2.0/mlflow-artifacts/mpu/complete/${root}`, { path: 'weights.bin', upload_id: created.body.upload_id, parts })).toMatchObject({ status: 200 });
    const downloaded = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/weights.bin`, { headers: auth });
    expect(await downloaded.text()).toBe('weights');
  });
});
