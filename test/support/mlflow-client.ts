/**
 * The requests MLflow's Python client sends, replayed over real HTTP against a server on a real port.
 * Written from MLflow 2.22's and 3.1's client source: mlflow/utils/rest_utils.py (`call_endpoint`: GET
 * sends the request message as query parameters, lists as repeated keys; other methods send it as a JSON
 * body with `Content-Type: application/json`), mlflow/store/artifact/http_artifact_repo.py (PUT of the raw
 * file labelled by `_guess_mime_type`, GET of the listing with `path=`, GET of each file) and
 * mlflow/utils/mime_type_utils.py (the labels).
 */
import { mlflowServer } from './api-server.js';

/** The client version these replays follow, sent as MLflow's User-Agent. */
export const CLIENT_VERSIONS = { v2: '2.22.0', v3: '3.1.0' } as const;

/**
 * `_guess_mime_type` of MLflow 2.22/3.1: the listed text extensions (and MLmodel, MLproject) are text/plain,
 * others as Python's mimetypes guesses them, application/octet-stream otherwise.
 */
export function mlflowMimeType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot < 0 ? fileName : fileName.slice(dot + 1);
  const text = ['txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml', 'yaml', 'yml', 'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'MLmodel', 'MLproject'];
  if (text.includes(extension)) return 'text/plain';
  // Python 3.11's mimetypes table for the other files log_model, log_image and log_figure write.
  const guessed: Record<string, string> = { png: 'image/png', html: 'text/html', svg: 'image/svg+xml', zip: 'application/zip', jpg: 'image/jpeg' };
  return guessed[extension] ?? 'application/octet-stream';
}

type Scalar = string | number | boolean;

/** A server plus a client that speaks to it as MLflow's does. */
export async function mlflowClient(version: keyof typeof CLIENT_VERSIONS = 'v2') {
  const backend = await mlflowServer();
  const base = await backend.listen();
  const headers = { 'user-agent': `mlflow-python-client/${CLIENT_VERSIONS[version]}` };
  const answer = async (response: Response) => {
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, type, body: type.startsWith('application/json') && text !== '' ? JSON.parse(text) : text } as { status: number; type: string; body: any };
  };
  /** `call_endpoint(host_creds, endpoint, method, json_body)`: GET as query parameters, others as a JSON body. */
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', endpoint: string, message: Record<string, Scalar | readonly Scalar[] | object | undefined> = {}) => {
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(message)) {
        if (value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
      }
      const suffix = query.size === 0 ? '' : `?${query}`;
      return answer(await fetch(`${base}${endpoint}${suffix}`, { headers }));
    }
    return answer(await fetch(`${base}${endpoint}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(message) }));
  };
  const tracking = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, message?: Parameters<typeof call>[2]) => call(method, `/api/2.0/mlflow${path}`, message);
  /** HttpArtifactRepository.log_artifact: PUT the bytes to `<artifact uri>/<path>` labelled by `_guess_mime_type`. */
  const putArtifact = async (artifactUri: string, filePath: string, bytes: Buffer | string) => {
    const url = `${base}/api/2.0/mlflow-artifacts/artifacts/${artifactUri.replace(/^mlflow-artifacts:\//, '')}/${filePath}`;
    const name = filePath.slice(filePath.lastIndexOf('/') + 1);
    return answer(await fetch(url, { method: 'PUT', headers: { ...headers, 'content-type': mlflowMimeType(name) }, body: bytes }));
  };
  /** HttpArtifactRepository.list_artifacts: GET the listing with `path=<root>/<folder>`. */
  const listArtifacts = async (artifactUri: string, folder = '') => {
    const root = artifactUri.replace(/^mlflow-artifacts:\//, '');
    return answer(await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: folder === '' ? root : `${root}/${folder}` })}`, { headers }));
  };
  /** HttpArtifactRepository._download_file: GET one file's bytes. */
  const download = async (artifactUri: string, filePath: string) => {
    const response = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${artifactUri.replace(/^mlflow-artifacts:\//, '')}/${filePath}`, { headers });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  /** download_artifacts of a folder: list recursively, then fetch every file, as the client does. */
  const downloadTree = async (artifactUri: string, folder = ''): Promise<Record<string, string>> => {
    const files: Record<string, string> = {};
    const listing = await listArtifacts(artifactUri, folder);
    for (const entry of listing.body.files as { path: string; is_dir: boolean }[]) {
      const inner = folder === '' ? entry.path : `${folder}/${entry.path}`;
      if (entry.is_dir) Object.assign(files, await downloadTree(artifactUri, inner));
      else files[inner] = (await download(artifactUri, inner)).bytes.toString('utf8');
    }
    return files;
  };
  return { ...backend, base, call, tracking, putArtifact, listArtifacts, download, downloadTree };
}
