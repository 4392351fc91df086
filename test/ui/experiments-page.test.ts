/**
 * The web UI's online experiment pages in a real browser: the list, and an experiment's stored analysis
 * (computed by the statistics engine from aggregate counts) read as GrowthBook's results page: the decision
 * in words, health checks, and per metric each arm's effect with its interval.
 */
import { describe, expect, it } from 'vitest';
import { analysisInputSchema } from '../../src/experiment/analysis-input.js';
import { analyzeExperiment } from '../../src/experiment/analyze-experiment.js';
import { apiServer } from '../support/api-server.js';
import { useBrowser } from '../support/browser.js';

const browser = useBrowser();

const DEFINITION = {
  endpoint: 'alerts',
  arms: [
    { id: 'control', default: { decision: 0 }, weight: 0.5 },
    { id: 'treatment', default: { decision: 1 }, weight: 0.5 },
  ],
};

describe('the online experiment pages', () => {
  it('shows the decision, the health checks and each metric with its effect and interval', async () => {
    const { workspace, context, listen } = await apiServer('');
    await workspace.experiments.create('alert-copy', DEFINITION, context);
    await workspace.experiments.start('alert-copy', context);
    await workspace.experiments.create('draft-test', DEFINITION, context);
    const latency = (mean: number, n: number) => ({ n, sum: mean * n, sumSquares: n * (mean * mean + 40 * 40) });
    const analysis = analyzeExperiment(
      analysisInputSchema.parse({
        name: 'alert-copy',
        arms: [
          { id: 'control', weight: 1, units: 10000 },
          { id: 'treatment', weight: 1, units: 10000 },
        ],
        metrics: [
          {
            id: 'conversion',
            kind: 'proportion',
            arms: { control: { n: 10000, successes: 1000 }, treatment: { n: 10000, successes: 1200 } },
            segments: {
              east: { control: { n: 5000, successes: 500 }, treatment: { n: 5000, successes: 650 } },
              west: { control: { n: 5000, successes: 500 }, treatment: { n: 5000, successes: 550 } },
            },
          },
          { id: 'latency', kind: 'mean', role: 'guardrail', direction: 'decrease', nonInferiorityMargin: 0.01, arms: { control: latency(300, 10000), treatment: latency(300.5, 10000) } },
        ],
      }),
    );
    const [decision] = analysis.decisions;
    expect(decision?.decision).toBe('ship');
    await workspace.experiments.recordAnalysis({ experiment: 'alert-copy', phase: 1, decision: 'treatment: ship', summary: '', decided: true, result: { exposedUnits: 20000, statistics: {}, analysis } }, context);
    const url = await listen();
    const { page, errors } = await browser.page();

    await page.goto(`${url}/experiments`);
    await page.locator('tr[data-experiment="alert-copy"]').waitFor();
    expect(await page.locator('tr[data-experiment="alert-copy"] .badge').textContent()).toBe('running');
    expect(await page.locator('tr[data-experiment="draft-test"] .badge').textContent()).toBe('draft');

    await page.getByRole('link', { name: 'alert-copy' }).click();
    await page.waitForURL(`${url}/experiments/alert-copy`);
    const verdict = page.locator('.decision[data-arm="treatment"]');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-decision')).toBe('ship');
    expect(await verdict.locator('h2').textContent()).toBe('treatment: Ship');
    expect(await verdict.locator('li').first().textContent()).toBe(decision?.reasons[0]);
    expect(await page.locator('li[data-check="srm"]').getAttribute('class')).toBe('good');
    expect(await page.locator('li[data-check="srm"]').textContent()).toContain('control 10,000 / treatment 10,000');
    expect(await page.getByText('20,000 units exposed').count()).toBe(1);

    // Conversion: +20% relative (1,200 against 1,000 of 10,000), its interval from the engine, significant and better.
    const conversion = analysis.metrics[0]?.comparisons[0];
    if (conversion === undefined || conversion.degeneracy !== null) throw new Error('expected a conversion comparison');
    const row = page.locator('.metric[data-metric="conversion"] table.overall tr[data-arm="treatment"]');
    expect(await row.locator('td.effect').textContent()).toBe('+20.0%');
    expect(await row.locator('.interval').textContent()).toBe(`[+${(conversion.interval[0] * 100).toFixed(1)}%, +${(conversion.interval[1] * 100).toFixed(1)}%]`);
    expect(await row.locator('svg.interval-bar').getAttribute('class')).toContain('good');
    expect(await row.locator('.badge').textContent()).toBe('better');
    expect(await page.locator('.metric[data-metric="latency"] h3').textContent()).toContain('guardrail, lower is better');
    // Latency (lower is better) moved by +0.5 ms of 300 with an interval across zero: neither good nor bad.
    const guardrail = analysis.metrics[1]?.comparisons[0];
    if (guardrail === undefined || guardrail.degeneracy !== null) throw new Error('expected a latency comparison');
    expect(guardrail.interval[0]).toBeLessThan(0);
    expect(guardrail.interval[1]).toBeGreaterThan(0);
    expect(await page.locator('.metric[data-metric="latency"] table.overall svg.interval-bar').getAttribute('class')).toBe('interval-bar unclear');

    // Per segment: east +30% (650 against 500 of 5,000), west +10%, behind a disclosure.
    await page.locator('details[data-metric-segments="conversion"] summary').click();
    expect(await page.locator('tr[data-segment="east"][data-arm="treatment"] td.effect').textContent()).toBe('+30.0%');
    expect(await page.locator('tr[data-segment="west"][data-arm="treatment"] td.effect').textContent()).toBe('+10.0%');

    await page.goto(`${url}/experiments/draft-test`);
    await page.getByText('Not analysed yet').waitFor();
    expect(errors).toEqual([]);
  });
});
