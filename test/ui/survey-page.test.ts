/**
 * The web UI's survey and design page in a real browser: a reference as `mlcycle survey add` stores it, linked
 * to a run, and a design document with two candidates' learning curves, costs and the decision, as
 * `mlcycle design` stores it.
 */
import { describe, expect, it } from 'vitest';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();

const curve = (points: [number, number][], target: number) => ({
  metric: 'roc_auc',
  higherIsBetter: true,
  target,
  pipeline: 'pipelines/x.yaml',
  learner: 'gbdt',
  datasets: { training: 'flights-train@1', validation: 'flights-validation@1' },
  trainingRows: 1_978_941,
  measuredRows: 20_000,
  validationRows: 10_000,
  fractions: [0.25, 0.5, 1],
  seeds: [0],
  points: points.map(([rows, value]) => ({ rows, value })),
  fit: { flags: ['too-few-points'], warnings: [] },
  verdicts: [{ multiple: 10, rows: 200_000, reaches: 'uncertain' }],
});

describe('the survey and design page', () => {
  it('shows the references with what they reported and our runs, and the design with its curves and decision', async () => {
    const { workspace, context, listen } = await apiServer('');
    const experiment = await workspace.runs.ensureExperiment('flights', context);
    const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'trees', startTime: Date.parse('2026-03-01T00:00:00Z') }, context);
    await workspace.references.add(
      [{ key: 'pafka2015benchmml', title: 'benchm-ml', authors: ['Szilard Pafka'], year: 2015, url: 'https://github.com/szilard/benchm-ml', approach: 'gradient boosting and random forests on airline delays', task: 'binary', dataset: '1M airline flights', reported: [{ name: 'roc_auc', value: 0.711 }], notes: '', tags: [] }],
      context,
    );
    await workspace.references.link('pafka2015benchmml', run.id, 'adapts', context);
    await workspace.designs.save(
      'iteration-1',
      {
        name: 'iteration-1',
        candidates: [
          { name: 'gbdt', approach: 'gradient-boosted trees', metric: 'roc_auc', target: 0.65, pipeline: 'pipelines/gbdt.yaml', developerDays: 3, dataScientistDays: 5, risks: ['slow to train'], runs: [], feasibility: { learningCurve: curve([[5000, 0.6], [10_000, 0.61], [20_000, 0.622]], 0.65) } },
          { name: 'logistic', approach: 'logistic regression', metric: 'roc_auc', target: 0.65, pipeline: 'pipelines/logistic.yaml', developerDays: 1, dataScientistDays: 2, risks: [], runs: [], feasibility: { learningCurve: curve([[5000, 0.61], [10_000, 0.625], [20_000, 0.63]], 0.65) } },
        ],
        decision: { candidate: 'gbdt', reason: 'highest validation AUC extrapolated to 10x the sample', decidedBy: 'ana', decidedAt: '2026-03-02T00:00:00Z' },
      },
      'design.decided',
      context,
    );
    const url = await listen();
    const { page, errors } = await browser.page();
    await page.goto(`${url}/survey`);
    const reference = page.locator('tr[data-reference="pafka2015benchmml"]');
    await reference.waitFor();
    expect(await reference.textContent()).toContain('roc_auc 0.711');
    expect(await reference.textContent()).toContain(`adapts ${run.id.slice(0, 8)}`);
    expect(await page.locator('[data-decision="gbdt"]').textContent()).toContain('chose gbdt highest validation AUC extrapolated to 10x the sample');
    expect(await page.locator('tr[data-candidate="logistic"]').textContent()).toContain('1 developer-days, 2 data-scientist-days');
    expect(await page.locator('tr[data-candidate="gbdt"]').textContent()).toContain('10x: uncertain (target 0.65)');
    await page.locator('figure[data-chart="curve-iteration-1"][data-drawn="yes"]').waitFor();
    await page.getByRole('link', { name: run.id.slice(0, 8) }).click();
    await page.waitForURL(`${url}/runs/${run.id}`);
    expect(errors).toEqual([]);
  });
});
