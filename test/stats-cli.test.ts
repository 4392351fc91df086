import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

const EXAMPLE = readFileSync(new URL('./fixtures/stats/example-experiment.json', import.meta.url), 'utf8');

/** Writes a (possibly edited) copy of the example input and analyses it with the built command. */
function analyze(content: string, ...args: string[]): ReturnType<typeof runMlcycle> {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'experiment.json'), content);
  return runMlcycle(['stats', 'analyze', 'experiment.json', ...args], { cwd: dir });
}

function edited(change: (input: Record<string, any>) => void): string {
  const input = JSON.parse(EXAMPLE) as Record<string, any>;
  change(input);
  return JSON.stringify(input, null, 2);
}

describe('mlcycle stats analyze', () => {
  it('prints the decision, health checks and every metric', () => {
    const result = analyze(EXAMPLE);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^experiment checkout-redesign: control \(control\) against new-checkout/);
    expect(result.stdout).toMatch(/sample ratio: control 20000, new-checkout 20150; chi-square p = 0\.\d+ {2}ok/);
    expect(result.stdout).toMatch(/new-checkout: KEEP RUNNING\n {2}- conversion shows no clear effect yet: .*too early to tell\./);
    expect(result.stdout).toMatch(/Guardrail page-latency-ms got slightly worse but stays within its margin of 2\.00%/);
    expect(result.stdout).toMatch(/CUPED theta 0\.\d+, variance reduced by \d+\.\d%; relative effect as gbstats: CUPED-adjusted difference over the unadjusted control mean \d+\.\d+/);
    expect(result.stdout).toMatch(/effect across 2 segments is consistent \(Cochran's Q/);
  });

  it('gives the full analysis as JSON', () => {
    const result = analyze(EXAMPLE, '--json');
    expect(result.code).toBe(0);
    const analysis = JSON.parse(result.stdout);
    expect(analysis.decisions).toEqual([expect.objectContaining({ arm: 'new-checkout', decision: 'keep-running' })]);
    expect(analysis.metrics.map((metric: { id: string }) => metric.id)).toEqual(['conversion', 'revenue-per-user', 'clicks-per-session', 'page-latency-ms']);
    const revenue = analysis.metrics[1].comparisons[0];
    expect(revenue).toMatchObject({ arm: 'new-checkout', method: 'welch-t', inference: 'fixed-horizon', significant: true });
    expect(revenue.cuped.varianceReduction).toBeGreaterThan(0.5);
    // The relative CUPED effect divides the adjusted difference by the unadjusted control mean, which the JSON carries.
    expect(revenue.effect.estimate).toBeCloseTo((revenue.treatmentEstimate - revenue.controlEstimate) / revenue.cuped.unadjustedControlEstimate, 12);
    expect(revenue.adjustedPValue).toBeGreaterThanOrEqual(revenue.pValue);
    expect(analysis.metrics[0].segments.map((segment: { segment: string }) => segment.segment)).toEqual(['EU', 'US']);
  });

  it('says to investigate a sample ratio mismatch', () => {
    const result = analyze(edited((input) => (input.arms[1].units = 21000)));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/new-checkout: INVESTIGATE\n {2}- The arms' sizes \(20000 \/ 21000\) do not match the planned split \(sample ratio mismatch, p = [\d.e-]+\)/);
  });

  it('uses always-valid inference when sequential testing is on, and says so', () => {
    const result = analyze(edited((input) => (input.options.sequential = { method: 'confidence-sequence' })), '--json');
    const analysis = JSON.parse(result.stdout);
    const comparison = analysis.metrics[1].comparisons[0];
    expect(comparison.inference).toBe('confidence-sequence');
    expect(comparison.interval[1] - comparison.interval[0]).toBeGreaterThan(comparison.fixedHorizon.interval[1] - comparison.fixedHorizon.interval[0]);
  });

  it('compares proportions with the pooled z-test on request, and refuses it beside sequential testing', () => {
    const pooled = analyze(edited((input) => (input.options.proportionTest = 'pooled-z')), '--json');
    expect(pooled.code).toBe(0);
    const conversion = JSON.parse(pooled.stdout).metrics[0].comparisons[0];
    expect(conversion.method).toBe('pooled-z');
    expect(conversion.interval[0] > 0 || conversion.interval[1] < 0).toBe(conversion.pValue < 0.05);
    const content = edited((input) => {
      input.options.proportionTest = 'pooled-z';
      input.options.sequential = { method: 'confidence-sequence' };
    });
    const refused = analyze(content);
    expect(refused.code).toBe(2);
    const line = content.split('\n').findIndex((row) => row.includes('"pooled-z"')) + 1;
    expect(refused.stderr).toContain(`experiment.json:${line}: options.proportionTest: pooled-z is a fixed-horizon test; with options.sequential use the default unpooled-t`);
  });

  it('refuses a bad file with exit code 2, naming each field and its line', () => {
    const content = edited((input) => {
      input.metrics[1].kind = 'median';
      delete input.metrics[2].arms['new-checkout'];
      input.options.alpha = 2;
    });
    const result = analyze(content);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: experiment.json has 3 problems/);
    const line = (text: string): number => content.split('\n').findIndex((row) => row.includes(text)) + 1;
    expect(result.stderr).toContain(`experiment.json:${line('"median"')}: metrics[1].kind: expected one of proportion, mean, ratio`);
    expect(result.stderr).toMatch(/experiment.json:\d+: metrics\[2\]\.arms: missing arm "new-checkout"/);
    expect(result.stderr).toContain(`experiment.json:${line('"alpha": 2')}: options.alpha: must be below 0.5`);
  });

  it('reports the issues as JSON with --json, and broken JSON with its line', () => {
    const bad = analyze(edited((input) => (input.control = 'nobody')), '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.issues).toEqual([expect.objectContaining({ path: 'control', message: '"nobody" is not an arm (arms: control, new-checkout)' })]);
    const broken = analyze('{\n  "name": "x",\n  "arms": [\n}\n');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/experiment.json:\d+: JSON: /);
    expect(analyze('', 'nothing-here.json').code).toBe(2);
  });
});
