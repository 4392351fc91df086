/**
 * The web UI's runs pages in a real browser, over a workspace of 120 runs the test logs: the table paged,
 * sorted and filtered on the server (the search language), a run's metrics and its history chart, and a
 * comparison chart of selected runs.
 */
import { describe, expect, it } from 'vitest';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();
const RUNS = 120;

/** The test's runs: run-000 to run-119, AUC rising with a spread, two models; run-007 has a 500-step loss history. */
function aucOf(index: number): number {
  return Math.round((0.6 + 0.35 * ((index * 37) % RUNS) / RUNS) * 10_000) / 10_000;
}

describe('the runs pages', () => {
  it('pages, sorts and filters on the server, shows a run and compares runs', async () => {
    const { workspace, context, listen } = await apiServer('');
    const experiment = await workspace.runs.ensureExperiment('flights', context);
    const ids: string[] = [];
    for (let index = 0; index < RUNS; index++) {
      const run = await workspace.runs.createRun({ experimentId: experiment.id, name: `run-${String(index).padStart(3, '0')}`, startTime: Date.parse('2026-03-01T00:00:00Z') + index * 60_000 }, context);
      ids.push(run.id);
      const steps = index === 7 || index === 8 ? 500 : 1;
      const loss = Float64Array.from({ length: steps }, (_, step) => 1 / (1 + step / 50) + (index === 8 ? 0.1 : 0));
      await workspace.runs.logBatch(
        run.id,
        {
          params: { model: index % 2 === 0 ? 'gbdt' : 'logistic', depth: String(3 + (index % 5)) },
          metrics: [
            { key: 'auc', steps: Float64Array.of(0), timestamps: Float64Array.of(1), values: Float64Array.of(aucOf(index)) },
            { key: 'loss', steps: Float64Array.from({ length: steps }, (_, step) => step), timestamps: Float64Array.from({ length: steps }, (_, step) => 1000 + step), values: loss },
          ],
        },
        context,
      );
      await workspace.runs.endRun(run.id, 'FINISHED', Date.parse('2026-03-01T00:00:00Z') + index * 60_000 + 42_000, context);
    }
    const url = await listen();
    const { page, errors } = await browser.page();
    const rows = page.locator('table.runs tbody tr');
    const names = () => rows.locator('td:nth-child(2)').allTextContents();

    // The first page: 50 runs, newest first, with metric and parameter columns.
    await page.goto(`${url}/runs`);
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);
    expect((await names()).slice(0, 2)).toEqual(['run-119', 'run-118']);
    expect(await rows.first().locator('td[data-column="metrics.auc"]').textContent()).toBe(String(aucOf(119)));
    expect(await rows.first().locator('td[data-column="params.model"]').textContent()).toBe('logistic');

    // Sorted by AUC on the server: the best run of all 120 first, and the URL holds the view.
    await page.locator('th button', { hasText: /^auc/ }).click();
    await page.waitForURL(/order=metrics\.auc\+DESC/);
    const best = [...Array(RUNS).keys()].sort((a, b) => aucOf(b) - aucOf(a));
    await page.locator('table.runs tbody tr:first-child td:nth-child(2)', { hasText: `run-${String(best[0]).padStart(3, '0')}` }).waitFor();
    expect((await names()).slice(0, 3)).toEqual(best.slice(0, 3).map((index) => `run-${String(index).padStart(3, '0')}`));

    // Filtered in the search language: exactly the runs the filter keeps, still sorted.
    await page.getByLabel('filter').fill("metrics.auc > 0.9 and params.model = 'gbdt'");
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/filter=/);
    const kept = best.filter((index) => aucOf(index) > 0.9 && index % 2 === 0).map((index) => `run-${String(index).padStart(3, '0')}`);
    expect(kept.length).toBeGreaterThan(3);
    await page.waitForFunction(`document.querySelectorAll('table.runs tbody tr').length === ${kept.length}`);
    expect(await names()).toEqual(kept);

    // A bad filter is the server's error, shown with where it is wrong.
    await page.getByLabel('filter').fill('metrics.auc >> 1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.error').waitFor();
    expect(await page.locator('.error').textContent()).toMatch(/filter/);

    // Paging: the second page of all runs continues where the first stopped.
    await page.goto(`${url}/runs`);
    await rows.first().waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/page=/);
    await page.locator('table.runs tbody tr:first-child td:nth-child(2)', { hasText: 'run-069' }).waitFor();
    expect(await rows.count()).toBe(50);

    // One run: its metrics and parameters, and its loss history drawn from the server's downsampled points.
    await page.goto(`${url}/runs/${ids[7]}`);
    await page.locator('table.kv-metrics').waitFor();
    expect(await page.locator('table.kv-metrics tr[data-key="auc"] td').textContent()).toBe(String(aucOf(7)));
    expect(await page.locator('table.kv-params tr[data-key="depth"] td').textContent()).toBe('5');
    await page.locator('figure.chart[data-metric="loss"][data-drawn="yes"]').waitFor();
    expect(await page.locator('figure.chart[data-metric="loss"] figcaption').textContent()).toContain('of 500 points');
    expect(await page.locator('figure.chart[data-metric="loss"] svg path').count()).toBeGreaterThan(0);

    // Comparing two selected runs: one chart, a line per run, and both runs' metrics side by side.
    await page.goto(`${url}/runs?filter=${encodeURIComponent("attributes.run_name IN ('run-007', 'run-008')")}`);
    await page.waitForFunction("document.querySelectorAll('table.runs tbody tr').length === 2");
    await page.getByLabel('select run-007').check();
    await page.getByLabel('select run-008').check();
    await page.getByRole('button', { name: /Compare/ }).click();
    await page.waitForURL(/\/runs\/compare\?runs=/);
    await page.locator('figure.chart[data-drawn="yes"]').waitFor();
    expect(await page.locator('table.compare thead th').allTextContents()).toEqual(['Metric', 'run-007', 'run-008']);
    await page.getByRole('button', { name: 'loss' }).click();
    await page.locator('figure.chart[data-metric="loss"][data-drawn="yes"]').waitFor();
    expect(await page.locator('figure.chart figcaption').textContent()).toContain('of 1,000 points');
    const legend = await page.locator('figure.chart svg').textContent();
    expect(legend).toContain('run-007');
    expect(legend).toContain('run-008');
    expect(errors.filter((error) => !/status of 400/.test(error))).toEqual([]);
  });
});
