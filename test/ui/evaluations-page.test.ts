/**
 * The web UI's evaluation pages in a real browser: an evaluation computed by the evaluation engine on
 * seeded predictions and stored as `mlcycle evaluate` stores it, listed with its verdict, then its verdict,
 * checks, metrics with bootstrap intervals, differences against the champion, and its HTML report.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from '../../src/evaluate/evaluate-predictions.js';
import { storeEvaluation } from '../../src/evaluate/evaluate-models.js';
import { renderEvaluationReport } from '../../src/evaluate/report/render-evaluation.js';
import { seededRandom } from '../../src/stats/random.js';
import { registerModel } from '../../src/tracking/registry/register-model.js';
import { startRun } from '../../src/tracking/start-run.js';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();

describe('the evaluation pages', () => {
  it('shows the verdict, its checks and the metrics with intervals, and links the report', async () => {
    const { root, workspace, context, listen } = await apiServer('');
    const hash = '34'.repeat(32);
    await workspace.datasets.registerVersions([{ dataset: 'may', hash, artifactKey: `datasets/34/${hash}.parquet`, rowCount: 400, byteSize: 5, columns: [], lineage: {} }], context);
    writeFileSync(path.join(root, 'model.json'), '{}');
    for (const name of ['logistic', 'trees']) {
      const run = await startRun({ experiment: 'flights', name, workspace, context, gitCommit: false, command: false });
      await run.logArtifact(path.join(root, 'model.json'), 'model');
      await run.end();
      await registerModel(workspace, { name: 'delay-alert', run: run.id }, context);
    }
    const random = seededRandom(7);
    const labels = Float64Array.from({ length: 400 }, () => (random() < 0.3 ? 1 : 0));
    const evaluation = evaluatePredictions({
      rows: { task: 'binary', labels },
      models: [
        { name: 'models:/delay-alert/2', role: 'candidate', predictions: labels.map((label) => Math.min(1, 0.35 * label + 0.65 * random())) },
        { name: 'models:/delay-alert/1', role: 'champion', predictions: labels.map((label) => Math.min(1, 0.1 * label + 0.9 * random())) },
      ],
      targets: [{ metric: 'roc_auc', target: 0.6 }],
      bootstrap: { resamples: 50 },
    });
    const html = await renderEvaluationReport(evaluation, { dataset: 'may@1', createdAt: '2026-03-01T00:00:00Z' });
    const record = await storeEvaluation(workspace, { evaluation, html, dataset: 'may@1', candidate: { model: 'delay-alert', version: 2 }, champion: { model: 'delay-alert', version: 1 } }, context);
    const url = await listen();
    const { page, errors } = await browser.page();

    await page.goto(`${url}/evaluations`);
    const row = page.locator(`tr[data-evaluation="${record.id}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('delay-alert v2');
    expect(await row.locator('td').nth(2).textContent()).toBe('delay-alert v1');
    expect(await row.locator('.badge').textContent()).toBe(evaluation.verdict.ready ? 'ready' : 'not ready');

    await row.getByRole('link').click();
    await page.waitForURL(`${url}/evaluations/${record.id}`);
    await page.locator('.verdict-summary').waitFor();
    expect(await page.locator('.verdict-summary').textContent()).toBe(evaluation.verdict.summary);
    expect(await page.locator('[data-ready]').getAttribute('data-ready')).toBe(evaluation.verdict.ready ? 'yes' : 'no');
    expect(await page.locator('ul.health li').count()).toBe(evaluation.verdict.checks.length);
    for (const check of evaluation.verdict.checks) expect(await page.locator('ul.health').textContent()).toContain(check.detail);
    const auc = evaluation.models.find((model) => model.role === 'candidate')?.metrics.roc_auc;
    if (auc === undefined) throw new Error('expected the candidate AUC');
    const cell = page.locator('tr[data-metric="roc_auc"] td[data-model="candidate"]');
    expect(await cell.textContent()).toContain(String(Number(auc.estimate.toPrecision(4))));
    expect(await cell.locator('.interval').textContent()).toBe(`[${Number(auc.lower.toPrecision(4))}, ${Number(auc.upper.toPrecision(4))}]`);
    expect(await page.locator('table.eval-metrics thead').textContent()).toContain('Candidate − champion');

    const report = await page.request.get(`${url}/api/v1/evaluations/${record.id}/report`);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-security-policy']).toBe('sandbox');
    expect(await report.text()).toContain('<h2>Verdict</h2>');
    expect((await page.request.get(`${url}/api/v1/evaluations/99`)).status()).toBe(404);
    expect(errors).toEqual([]);
  });
});
