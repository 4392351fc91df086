/**
 * Contract: artifact deletes and unknown endpoints, as MLflow 2.22's and 3.1's clients meet them.
 * HttpArtifactRepository.delete_artifacts (mlflow/store/artifact/http_artifact_repo.py) sends
 * `DELETE /api/2.0/mlflow-artifacts/artifacts/<path>` with no body; MLflow's server answers `{}`. A path
 * outside MLflow's API answers ENDPOINT_NOT_FOUND (mlflow/server/handlers.py's 404 handler).
 */
import { describe, expect, it } from 'vitest';
import { mlflowClient } from './support/mlflow-client.js';

describe('MLflow clients: artifact deletes and unknown endpoints', () => {
  it('deletes a file or a folder, keeps the files of registered versions and says why', async () => {
    const client = await mlflowClient();
    const run = (await client.tracking('POST', '/runs/create', { experiment_id: '0', start_time: 1 })).body.run.info as { run_id: string; artifact_uri: string };
    for (const file of ['model/MLmodel', 'model/model.pkl', 'plots/roc.png', 'plots/pr.png', 'notes.txt']) await client.putArtifact(run.artifact_uri, file, `bytes of ${file}`);
    await client.tracking('POST', '/registered-models/create', { name: 'churn' });
    await client.tracking('POST', '/model-versions/create', { name: 'churn', source: `${run.artifact_uri}/model`, run_id: run.run_id });
    const root = run.artifact_uri.replace('mlflow-artifacts:/', '');
    const remove = (path: string) => client.call('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${root}${path === '' ? '' : `/${path}`}`);
    const listed = async (folder = '') => ((await client.listArtifacts(run.artifact_uri, folder)).body.files as { path: string }[]).map((file) => file.path);

    expect(await remove('notes.txt')).toMatchObject({ status: 200, body: {} });
    expect(await remove('plots')).toMatchObject({ status: 200, body: {} });
    expect(await listed()).toEqual(['model']);
    expect(await client.download(run.artifact_uri, 'plots/roc.png')).toMatchObject({ status: 404 });
    // Nothing there: MLflow's server answers {} too.
    expect(await remove('plots')).toMatchObject({ status: 200, body: {} });
    // Version churn/1 is made of model/: neither the folder, a file in it, nor the whole run may go.
    for (const path of ['model', 'model/model.pkl', '']) {
      expect(await remove(path), path).toMatchObject({
        status: 400,
        body: { error_code: 'INVALID_STATE', message: expect.stringContaining('holds the files of model version churn/1 (source model); mlcycle keeps a registered version\'s files, delete the version first') },
      });
    }
    expect(await listed('model')).toEqual(['MLmodel', 'model.pkl']);
    // Once the version is deleted, its files may go.
    await client.tracking('DELETE', '/model-versions/delete', { name: 'churn', version: '1' });
    expect(await remove('')).toMatchObject({ status: 200, body: {} });
    expect(await listed()).toEqual([]);
    const audit = await client.workspace.audit.list({ actionPrefix: 'run.artifacts-deleted' });
    expect(audit.map((entry) => entry.details).reverse()).toEqual([{ path: 'notes.txt', files: 1 }, { path: 'plots', files: 2 }, { path: '', files: 2 }]);
    // Paths are checked as for uploads (an encoded .. too); another experiment's path names no run.
    expect(await client.call('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${root}/%2E%2E/x`)).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('path') } });
    expect(await client.call('DELETE', `/api/2.0/mlflow-artifacts/artifacts/7/${run.run_id}/artifacts/x`)).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('answers unknown endpoints with ENDPOINT_NOT_FOUND', async () => {
    const client = await mlflowClient();
    expect(await client.call('POST', '/api/2.0/mlflow/runs/unknown', {})).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message: 'no endpoint POST /api/2.0/mlflow/runs/unknown' } });
  });
});
