/**
 * The demo's stage 8, first half: the champion goes live. Its decision threshold becomes the one the
 * offline evaluation chose for it (the value-maximising alert threshold under the false-alarm guardrail),
 * the prediction service starts on a free loopback port, and the first June flights arrive as real HTTP
 * requests, one flight a request, each answered with a score and an alert decision and recorded in the
 * event log. A rerun in the same folder finds the traffic in the log and sends none again.
 */
import { datasetArtifactKey, resolveDatasetRef } from '../data/dataset-ref.js';
import type { EvaluateModelsResult } from '../evaluate/evaluate-models.js';
import { featureSql, loadModelVersion } from '../evaluate/model-inputs.js';
import { buildPredictionService } from '../serve/prediction-service.js';
import { DECISION_THRESHOLD_TAG } from '../serve/served-models.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { setModelTag } from '../tracking/registry/register-model.js';
import { DEMO_MODEL } from './track-demo-models.js';

/** June flights sent through the service: enough to show throughput and the alert rate, in seconds. */
const LIVE_REQUESTS = 3000;
const CONNECTIONS = 16;

/** Serves the champion on the first June flights; returns what the log holds afterwards. */
export async function serveDemoTraffic(workspace: Workspace, engine: AnalyticsEngine, evaluated: EvaluateModelsResult, liveRef: string, championRef: string, context: ChangeContext, log: (line: string) => void): Promise<void> {
  const champion = await loadModelVersion(workspace, championRef);
  const value = evaluated.evaluation.businessValue?.find((entry) => entry.role === 'champion');
  const best = value?.best;
  if (best !== undefined && !('reason' in best) && Number.isFinite(best.point.threshold)) {
    const threshold = String(best.point.threshold);
    if (champion.version.tags[DECISION_THRESHOLD_TAG] !== threshold) {
      await setModelTag(workspace, { model: DEMO_MODEL, version: champion.version.version }, DECISION_THRESHOLD_TAG, threshold, context);
    }
    log(`stage 8: ${champion.uri} alerts above ${best.point.threshold.toFixed(3)} (the threshold stage 7 chose under the false-alarm guardrail)`);
  }
  const served = (await workspace.events.summary()).filter((row) => row.type === 'prediction' && row.model === DEMO_MODEL);
  if (served.length > 0) {
    log(`stage 8: the event log already holds ${served.reduce((sum, row) => sum + row.records, 0).toLocaleString('en-US')} served predictions; no traffic sent again`);
    return;
  }
  const live = await resolveDatasetRef(workspace.datasets, liveRef);
  const columns = Object.entries(featureSql(champion.model)).map(([name, sql]) => `${sql} AS ${quoteIdentifier(name)}`);
  const rows = await engine.query(`SELECT ${columns.join(', ')} FROM read_parquet(${quoteLiteral(await workspace.artifacts.localCopy(datasetArtifactKey(live.hash)))}) ORDER BY date LIMIT ${LIVE_REQUESTS}`);

  const app = await buildPredictionService(workspace, { defaultModel: `${DEMO_MODEL}@champion`, followMs: 1000 }, '0.1.0');
  app.log.level = 'warn';
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    log(`stage 8: prediction service on ${url}; sending ${rows.length.toLocaleString('en-US')} June flights as requests (${CONNECTIONS} connections)`);
    const latencies: number[] = [];
    let alerts = 0;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < rows.length) {
          const index = next++;
          const sent = performance.now();
          const response = await fetch(`${url}/api/v1/predict/${DEMO_MODEL}@champion`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unit: `passenger-${index}`, row: rows[index] }) });
          const answer = (await response.json()) as { decision?: number; error?: { message: string } };
          if (response.status !== 200) throw new Error(`the service answered ${response.status}: ${answer.error?.message ?? ''}`);
          latencies.push(performance.now() - sent);
          alerts += answer.decision ?? 0;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? NaN;
    log(`stage 8: ${rows.length.toLocaleString('en-US')} predictions in ${seconds.toFixed(1)} s (${Math.round(rows.length / seconds).toLocaleString('en-US')} requests/s, p99 ${p99.toFixed(1)} ms), ${alerts.toLocaleString('en-US')} alerts, each recorded in the event log before its answer`);
  } finally {
    await app.close();
  }
}
