/**
 * Contract: the MLflow endpoints mlcycle does not serve answer 501 NOT_IMPLEMENTED with the reason, in
 * MLflow's error shape, and unknown paths ENDPOINT_NOT_FOUND. MLflow 3.1's log_model starts with
 * `POST logged-models` (mlflow/store/tracking/rest_store.py `create_logged_model`): issue 25's problem 2
 * is answered with this refusal, not served (docs/api.md).
 */
import { describe, expect, it } from 'vitest';
import { UNSERVED_MLFLOW_ENDPOINTS } from '../src/server/mlflow/unserved-routes.js';
import { mlflowClient } from './support/mlflow-client.js';

describe('MLflow endpoints mlcycle does not serve', () => {
  it('refuses MLflow 3 log_model\'s first request, saying what to do', async () => {
    const client = await mlflowClient('v3');
    const created = await client.tracking('POST', '/logged-models', { experiment_id: '0', name: 'model', model_type: 'sklearn', source_run_id: '0'.repeat(32), params: [], tags: [] });
    expect(created).toMatchObject({ status: 501, body: { error_code: 'NOT_IMPLEMENTED', message: expect.stringContaining('log models with an MLflow 2.x client') } });
  });

  it('answers every unserved endpoint with 501 and its reason, and unknown ones with ENDPOINT_NOT_FOUND', async () => {
    const client = await mlflowClient();
    for (const [methods, url, reason] of UNSERVED_MLFLOW_ENDPOINTS) {
      const path = url.replace(':modelId', 'm-0123456789abcdef0123456789abcdef').replace(':key', 'team').replace('*', '0/abc/artifacts/model.pkl');
      for (const method of Array.isArray(methods) ? methods : [methods]) {
        const answer = await client.call(method as 'GET', path, {});
        expect(answer, `${method} ${path}`).toMatchObject({ status: 501, body: { error_code: 'NOT_IMPLEMENTED', message: reason } });
      }
    }
    expect(await client.call('POST', '/api/2.0/mlflow/runs/unknown', {})).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });
});
