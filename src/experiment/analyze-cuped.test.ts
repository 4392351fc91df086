/**
 * CUPED through the whole analysis (analyzeExperiment on the JSON input of `mlcycle stats analyze`): the
 * gbstats cases of test/fixtures/stats/gbstats-reference.json (make-gbstats-reference.py) for mean, proportion
 * and ratio metrics on the default relative scale, theta per control/treatment pair, and the fallbacks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test/support/stats-reference.js';
import { analysisInputSchema } from './analysis-input.js';
import { analyzeExperiment, type ArmComparison, type ArmComparisonResult } from './analyze-experiment.js';

interface ArmWithPre {
  n: number;
  post: { sum: number; sumSquares: number };
  pre: { sum: number; sumSquares: number };
  products: number;
}

interface TestReference {
  estimate: number;
  variance: number;
  pValue: number;
  interval: [number, number];
}

interface CupedCase {
  name: string;
  control: ArmWithPre;
  treatment: ArmWithPre;
  theta: number;
  relative: TestReference;
}

interface RatioCupedCase {
  name: string;
  control: { metric: Record<string, number>; covariate: Record<string, number> };
  treatment: { metric: Record<string, number>; covariate: Record<string, number> };
  theta: number;
  relative: TestReference;
}

const GBSTATS = JSON.parse(readFileSync(new URL('../../test/fixtures/stats/gbstats-reference.json', import.meta.url), 'utf8')) as {
  cupedCases: CupedCase[];
  proportionCupedCases: CupedCase[];
  ratioCupedCases: RatioCupedCase[];
};

const meanArm = ({ n, post, pre, products }: ArmWithPre) => ({ n, ...post, covariate: { ...pre, metricCovariateSum: products } });
const proportionArm = ({ n, post, pre, products }: ArmWithPre) => ({ n, successes: post.sum, covariate: { ...pre, metricCovariateSum: products } });

/** An input with one metric whose arms are given; options as `stats analyze` defaults them (relative, CUPED on). */
function input(kind: 'mean' | 'proportion' | 'ratio', arms: Record<string, unknown>, options: Record<string, unknown> = {}) {
  const ids = Object.keys(arms);
  return analysisInputSchema.parse({
    name: 'cuped',
    arms: ids.map((id) => ({ id, weight: 1, units: (arms[id] as { n?: number; metric?: { n: number } }).n ?? (arms[id] as { metric: { n: number } }).metric.n })),
    metrics: [{ id: 'metric', kind, arms }],
    options: { multipleTesting: 'none', ...options },
  });
}

function comparisonOf(result: ArmComparisonResult | undefined): ArmComparison {
  if (result === undefined || result.degeneracy !== null) throw new Error(`no comparison: ${JSON.stringify(result)}`);
  return result;
}

function expectGbstats(comparison: ArmComparison, reference: { theta: number; relative: TestReference }): void {
  expect(comparison.method).toBe('welch-t');
  expectClose(comparison.cuped?.theta ?? Number.NaN, reference.theta, 'theta');
  expectClose(comparison.effect.estimate, reference.relative.estimate, 'relative effect');
  expectClose(comparison.effect.standardError ** 2, reference.relative.variance, 'relative variance');
  expectClose(comparison.pValue, reference.relative.pValue, 'p-value');
  expectClose(comparison.interval[0], reference.relative.interval[0], 'interval lower');
  expectClose(comparison.interval[1], reference.relative.interval[1], 'interval upper');
  const { unadjustedControlEstimate = Number.NaN } = comparison.cuped ?? {};
  expectClose(comparison.effect.estimate, (comparison.treatmentEstimate - comparison.controlEstimate) / unadjustedControlEstimate, 'adjusted difference over the unadjusted control');
}

describe('stats analyze with CUPED against gbstats, relative scale', () => {
  it.each(GBSTATS.cupedCases.map((reference) => [reference.name, reference] as const))('mean %s', (_, reference) => {
    const analysis = analyzeExperiment(input('mean', { control: meanArm(reference.control), treatment: meanArm(reference.treatment) }));
    expectGbstats(comparisonOf(analysis.metrics[0]?.comparisons[0]), reference);
  });

  it.each(GBSTATS.proportionCupedCases.map((reference) => [reference.name, reference] as const))('proportion %s', (_, reference) => {
    const analysis = analyzeExperiment(input('proportion', { control: proportionArm(reference.control), treatment: proportionArm(reference.treatment) }));
    expectGbstats(comparisonOf(analysis.metrics[0]?.comparisons[0]), reference);
  });

  it.each(GBSTATS.ratioCupedCases.map((reference) => [reference.name, reference] as const))('ratio %s', (_, reference) => {
    const ratioArm = ({ metric, covariate }: RatioCupedCase['control']) => ({ ...metric, covariate });
    const analysis = analyzeExperiment(input('ratio', { control: ratioArm(reference.control), treatment: ratioArm(reference.treatment) }));
    expectGbstats(comparisonOf(analysis.metrics[0]?.comparisons[0]), reference);
  });
});

describe('CUPED in the analysis', () => {
  const [first, second] = GBSTATS.proportionCupedCases;
  if (first === undefined || second === undefined) throw new Error('the fixture lacks proportion CUPED cases');

  it('takes theta from control and each treatment alone, so a further arm leaves a comparison unchanged (as gbstats)', () => {
    const two = analyzeExperiment(input('mean', { control: meanArm(first.control), b: meanArm(first.treatment) }));
    const three = analyzeExperiment(input('mean', { control: meanArm(first.control), b: meanArm(first.treatment), c: meanArm(second.treatment) }));
    const alone = comparisonOf(two.metrics[0]?.comparisons[0]);
    const beside = comparisonOf(three.metrics[0]?.comparisons[0]);
    expect(beside.arm).toBe('b');
    expect(beside.cuped?.theta).toBe(alone.cuped?.theta);
    expect(beside.effect).toEqual(alone.effect);
    expect(beside.interval).toEqual(alone.interval);
    expect(comparisonOf(three.metrics[0]?.comparisons[1]).cuped?.theta).not.toBe(alone.cuped?.theta);
  });

  it('analyses a proportion with the z-test when CUPED is off or an arm has no covariate', () => {
    const off = analyzeExperiment(input('proportion', { control: proportionArm(first.control), treatment: proportionArm(first.treatment) }, { cuped: false }));
    expect(comparisonOf(off.metrics[0]?.comparisons[0])).toMatchObject({ method: 'two-proportion-t', cuped: null });
    const bare = { n: first.treatment.n, successes: first.treatment.post.sum };
    const missing = analyzeExperiment(input('proportion', { control: proportionArm(first.control), treatment: bare }));
    expect(comparisonOf(missing.metrics[0]?.comparisons[0])).toMatchObject({ method: 'two-proportion-t', cuped: null });
  });

  it('narrows the relative interval of a proportion with a correlated covariate', () => {
    const arms = { control: proportionArm(first.control), treatment: proportionArm(first.treatment) };
    const adjusted = comparisonOf(analyzeExperiment(input('proportion', arms)).metrics[0]?.comparisons[0]);
    const plain = comparisonOf(analyzeExperiment(input('proportion', arms, { cuped: false })).metrics[0]?.comparisons[0]);
    expect(adjusted.cuped?.varianceReduction).toBeGreaterThan(0.05);
    expect(adjusted.interval[1] - adjusted.interval[0]).toBeLessThan(plain.interval[1] - plain.interval[0]);
  });
});
