/**
 * Contract: the MLflow endpoints mlcycle does not serve answer 501 NOT_IMPLEMENTED with the reason, in
 * MLflow's error shape, and unknown paths ENDPOINT_NOT_FOUND (docs/api.md). MLflow 3's logged models are
 * served: test/mlflow-contract-logged-models.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { UNSERVED_MLFLOW_ENDPOINTS } from '../src/server/mlflow/unserved-routes.js';
import { mlflowClient } from './support/mlflow-client.js';

describe('MLflow endpoints mlcycle does not serve', () => {
  it('answers every unserved endpoint with 501 and its reason, and unknown ones with ENDPOINT_NOT_FOUND', async () => {
    const client = await mlflowClient();
    for (const [methods, url, reason] of UNSERVED_MLFLOW_ENDPOINTS) {
      const path = url.replace('*', '0/abc/artifacts/model.pkl');
      for (const method of Array.isArray(methods) ? methods : [methods]) {
        const answer = await client.call(method as 'GET', path, {});
        expect(answer, `${method} ${path}`).toMatchObject({ status: 501, body: { error_code: 'NOT_IMPLEMENTED', message: reason } });
      }
    }
    expect(await client.call('POST', '/api/2.0/mlflow/runs/unknown', {})).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });
});
