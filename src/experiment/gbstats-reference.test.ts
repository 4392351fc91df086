/**
 * The engine against gbstats' published formulas, transcribed into Python because gbstats cannot be
 * installed here (test/fixtures/stats/make-gbstats-reference.py says what was transcribed from where):
 * relative-scale t-tests, two-sided and one-sided sequential tests, and the one-sided mSPRT against numerical
 * integration; CUPED for means, proportions and ratios (models/statistics.py: compute_theta,
 * RegressionAdjustedStatistic, RegressionAdjustedRatioStatistic, compute_theta_regression_adjusted_ratio) on
 * the absolute and the relative scale (frequentist_variance_relative_cuped and _ratio: the adjusted difference
 * over the unadjusted control mean); plain proportions; and the effect-level Bayesian test (bayesian/tests.py,
 * EffectBayesianABTest with a proper or an improper Gaussian prior). Agreement to 1e-6 relative.
 *
 * A difference by design: gbstats' adjusted arm mean is post - theta * pre, mlcycle's is
 * post - theta * (pre - pooled pre). Every arm moves by the same constant, so theta, the unit variances and
 * both effects agree and are compared; the adjusted arm means themselves are not. Plain proportions: mlcycle's
 * z-test (statsmodels, reference.test.ts) has gbstats' standard errors but the normal where gbstats uses t with
 * Welch degrees of freedom; the test checks the former exactly and prints the size of the latter gap.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../test/support/stats-reference.js';
import { meanArmEstimate, type ArmEstimate, type Degeneracy } from './arm-estimate.js';
import { bayesianLift, type BayesianResult, type GaussianPrior } from './bayesian.js';
import { cupedForMeans, cupedForRatios, type CupedAdjustment } from './cuped.js';
import { cupedWelchTest, twoProportionTest, welchTest, type Comparison, type ComparisonResult } from './comparison.js';
import { confidenceSequence } from './sequential.js';
import { oneSidedConfidenceSequence, oneSidedMixtureSprt } from './sequential-one-sided.js';
import { proportionStatistics, type MeanStatistics, type RatioCovariateStatistics, type RatioStatistics } from './sufficient-statistics.js';

interface Reference {
  name: string;
  control: MeanStatistics;
  treatment: MeanStatistics;
  alpha: number;
  tuningParameter: number;
  mixtureStandardDeviation: number;
  relative: { estimate: number; standardError: number; degreesOfFreedom: number };
  twoSided: { pValue: number; interval: (number | null)[] };
  greater: { pValue: number; interval: (number | null)[] };
  sequentialTwoSided: { pValue: number; interval: (number | null)[] };
  sequentialGreater: { pValue: number; interval: (number | null)[] };
  sequentialLess: { pValue: number; interval: (number | null)[] };
  msprtGreater: { pValue: number; bound: number };
  msprtLess: { pValue: number; bound: number };
  bayesianImproper: BayesianReference;
  bayesianProper: BayesianReference;
}

/** EffectBayesianABTest's result: expected is the posterior mean, risk is [risk of keeping control, risk of shipping]. */
interface BayesianReference {
  expected: number;
  stddev: number;
  chanceToWin: number;
  ci: [number, number];
  risk: [number, number];
}

interface ArmWithPre {
  n: number;
  post: { sum: number; sumSquares: number };
  pre: { sum: number; sumSquares: number };
  products: number;
}

interface CupedReference {
  name: string;
  control: ArmWithPre;
  treatment: ArmWithPre;
  alpha: number;
  theta: number;
  unitVariance: [number, number];
  effect: number;
  effectVariance: number;
  bayesianImproper: BayesianReference;
  bayesianProper: BayesianReference;
  absolute: TestReference;
  relative: TestReference;
  relativeBayesianImproper: BayesianReference;
}

/** gbstats' TwoSidedTTest on EffectMoments: the effect, its variance, Welch degrees of freedom, p and interval. */
interface TestReference {
  estimate: number;
  variance: number;
  degreesOfFreedom: number;
  pValue: number;
  interval: [number, number];
  /** Plain proportions only: the normal p-value and interval from the same standard error. */
  normalPValue?: number;
  normalInterval?: [number, number];
}

interface ProportionCupedReference {
  name: string;
  control: ArmWithPre;
  treatment: ArmWithPre;
  alpha: number;
  theta: number;
  unitVariance: [number, number];
  absolute: TestReference;
  relative: TestReference;
}

interface ProportionReference {
  name: string;
  control: { n: number; successes: number };
  treatment: { n: number; successes: number };
  alpha: number;
  absolute: TestReference;
  relative: TestReference;
}

interface RatioArmWithPre {
  metric: RatioStatistics;
  covariate: RatioCovariateStatistics;
}

interface RatioCupedReference {
  name: string;
  control: RatioArmWithPre;
  treatment: RatioArmWithPre;
  alpha: number;
  theta: number;
  unitVariance: [number, number];
  absolute: TestReference;
  relative: TestReference;
}

const { cases, cupedCases, proportionCupedCases, proportionCases, ratioCupedCases } = JSON.parse(readFileSync(new URL('../../test/fixtures/stats/gbstats-reference.json', import.meta.url), 'utf8')) as {
  cases: Reference[];
  cupedCases: CupedReference[];
  proportionCupedCases: ProportionCupedReference[];
  proportionCases: ProportionReference[];
  ratioCupedCases: RatioCupedReference[];
};

/** The largest relative difference per quantity compared below, printed at the end for the record. */
const worstByQuantity = new Map<string, number>();

/** expectClose, noting the relative difference under `quantity`. */
function expectTracked(quantity: string, actual: number, expected: number, label: string): void {
  const relative = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  worstByQuantity.set(quantity, Math.max(worstByQuantity.get(quantity) ?? 0, relative));
  expectClose(actual, expected, label);
}

afterAll(() => {
  console.log('gbstats reference: largest relative difference per quantity');
  for (const [quantity, relative] of worstByQuantity) console.log(`  ${relative.toExponential(2)}  ${quantity}`);
});

function computed(result: ComparisonResult): Comparison {
  if (result.degeneracy !== null) throw new Error(result.message);
  return result;
}

function estimated(arm: ArmEstimate | Degeneracy): ArmEstimate {
  if (typeof arm === 'string') throw new Error(arm);
  return arm;
}

function expectBayesian(actual: BayesianResult, expected: BayesianReference, label: string): void {
  expectClose(actual.posteriorMean, expected.expected, `${label} posterior mean`);
  expectClose(actual.posteriorStandardDeviation, expected.stddev, `${label} posterior standard deviation`);
  expectClose(actual.chanceToBeatControl, expected.chanceToWin, `${label} chance to win`);
  expectClose(actual.credibleInterval[0], expected.ci[0], `${label} credible interval lower`);
  expectClose(actual.credibleInterval[1], expected.ci[1], `${label} credible interval upper`);
  expectClose(actual.expectedLossOfKeepingControl, expected.risk[0], `${label} risk of keeping control`);
  expectClose(actual.expectedLossOfShipping, expected.risk[1], `${label} risk of shipping`);
}

function expectInterval(actual: readonly [number, number], expected: (number | null)[], label: string): void {
  expectClose(actual[0], expected[0] ?? null, `${label} lower`);
  expectClose(actual[1], expected[1] ?? null, `${label} upper`);
}

describe('against the formulas of gbstats (frequentist/tests.py, transcribed)', () => {
  it.each(cases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const control = meanArmEstimate(reference.control);
    const treatment = meanArmEstimate(reference.treatment);
    const options = { scale: 'relative' as const, alpha: reference.alpha };
    const twoSided = computed(welchTest(control, treatment, { ...options, alternative: 'two-sided' }));
    expectClose(twoSided.effect.estimate, reference.relative.estimate, 'relative estimate');
    expectClose(twoSided.effect.standardError, reference.relative.standardError, 'delta-method standard error');
    expectClose(twoSided.degreesOfFreedom, reference.relative.degreesOfFreedom, 'degrees of freedom');
    expectClose(twoSided.pValue, reference.twoSided.pValue, 'TwoSidedTTest p');
    expectInterval(twoSided.interval, reference.twoSided.interval, 'TwoSidedTTest interval');
    const greater = computed(welchTest(control, treatment, { ...options, alternative: 'greater' }));
    expectClose(greater.pValue, reference.greater.pValue, 'OneSidedTreatmentGreaterTTest p');
    expectInterval(greater.interval, reference.greater.interval, 'OneSidedTreatmentGreaterTTest interval');

    const units = reference.control.n + reference.treatment.n;
    const sequence = confidenceSequence(twoSided.effect, units, reference.alpha, reference.tuningParameter);
    expectClose(sequence.pValue, reference.sequentialTwoSided.pValue, 'SequentialTwoSidedTTest p');
    expectInterval(sequence.interval, reference.sequentialTwoSided.interval, 'SequentialTwoSidedTTest interval');
    for (const [alternative, expected] of [
      ['greater', reference.sequentialGreater],
      ['less', reference.sequentialLess],
    ] as const) {
      const oneSided = oneSidedConfidenceSequence(twoSided.effect, units, reference.alpha, alternative, { tuningParameter: reference.tuningParameter });
      expectClose(oneSided.pValue, expected.pValue, `SequentialOneSided ${alternative} p`);
      expectInterval(oneSided.interval, expected.interval, `SequentialOneSided ${alternative} interval`);
    }
    for (const [alternative, expected] of [
      ['greater', reference.msprtGreater],
      ['less', reference.msprtLess],
    ] as const) {
      const mixture = oneSidedMixtureSprt(twoSided.effect, reference.mixtureStandardDeviation, reference.alpha, alternative);
      expectClose(mixture.pValue, expected.pValue, `one-sided mSPRT ${alternative} p`);
      expectClose(alternative === 'greater' ? mixture.interval[0] : mixture.interval[1], expected.bound, `one-sided mSPRT ${alternative} bound`);
    }
  });
});

// The priors the script passes to EffectBayesianABTest (proper: true); the improper prior is gbstats' default.
const RELATIVE_PRIOR: GaussianPrior = { mean: 0.01, variance: 0.3 ** 2 };
const ABSOLUTE_PRIOR: GaussianPrior = { mean: 0.05, variance: 0.2 ** 2 };

describe('against gbstats EffectBayesianABTest (bayesian/tests.py, transcribed) on the relative effect', () => {
  it.each(cases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const effect = computed(welchTest(meanArmEstimate(reference.control), meanArmEstimate(reference.treatment), { scale: 'relative', alpha: reference.alpha, alternative: 'two-sided' })).effect;
    expectBayesian(bayesianLift(effect.estimate, effect.standardError, null, reference.alpha), reference.bayesianImproper, 'improper prior');
    expectBayesian(bayesianLift(effect.estimate, effect.standardError, RELATIVE_PRIOR, reference.alpha), reference.bayesianProper, 'proper prior');
  });
});

describe('against gbstats CUPED (models/statistics.py, transcribed) and the Bayesian test on its absolute effect', () => {
  it.each(cupedCases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const arm = ({ n, post, pre, products }: ArmWithPre) => ({ metric: { n, ...post }, covariate: { ...pre, metricCovariateSum: products } });
    const cuped = cupedForMeans([arm(reference.control), arm(reference.treatment)]);
    expectClose(cuped.theta, reference.theta, 'compute_theta');
    const control = estimated(cuped.adjusted[0] ?? 'too-few-units');
    const treatment = estimated(cuped.adjusted[1] ?? 'too-few-units');
    expectClose(control.variance * control.n, reference.unitVariance[0], 'control RegressionAdjustedStatistic.variance');
    expectClose(treatment.variance * treatment.n, reference.unitVariance[1], 'treatment RegressionAdjustedStatistic.variance');
    const effect = computed(welchTest(control, treatment, { scale: 'absolute', alpha: reference.alpha, alternative: 'two-sided' })).effect;
    expectClose(effect.estimate, reference.effect, 'frequentist_diff of the adjusted means');
    expectClose(effect.standardError ** 2, reference.effectVariance, 'frequentist_variance of the adjusted means');
    expectBayesian(bayesianLift(effect.estimate, effect.standardError, null, reference.alpha), reference.bayesianImproper, 'improper prior');
    expectBayesian(bayesianLift(effect.estimate, effect.standardError, ABSOLUTE_PRIOR, reference.alpha), reference.bayesianProper, 'proper prior');
  });
});

function expectTest(actual: Comparison, expected: TestReference, quantity: string): void {
  expectTracked(`${quantity} effect`, actual.effect.estimate, expected.estimate, `${quantity} effect`);
  expectTracked(`${quantity} variance`, actual.effect.standardError ** 2, expected.variance, `${quantity} variance`);
  expectTracked(`${quantity} degrees of freedom`, actual.degreesOfFreedom, expected.degreesOfFreedom, `${quantity} degrees of freedom`);
  expectTracked(`${quantity} p-value`, actual.pValue, expected.pValue, `${quantity} TwoSidedTTest p`);
  expectTracked(`${quantity} interval`, actual.interval[0], expected.interval[0], `${quantity} interval lower`);
  expectTracked(`${quantity} interval`, actual.interval[1], expected.interval[1], `${quantity} interval upper`);
}

function cupedTests(adjustment: CupedAdjustment, alpha: number): { absolute: Comparison; relative: Comparison } {
  const options = { alternative: 'two-sided' as const, alpha };
  return {
    absolute: computed(cupedWelchTest(adjustment, 0, 1, { ...options, scale: 'absolute' })),
    relative: computed(cupedWelchTest(adjustment, 0, 1, { ...options, scale: 'relative' })),
  };
}

function expectUnitVariances(adjustment: CupedAdjustment, expected: [number, number], quantity: string): void {
  adjustment.adjusted.forEach((arm, index) => {
    const { variance, n } = estimated(arm);
    expectTracked(`${quantity} unit variance`, variance * n, expected[index] ?? Number.NaN, `${quantity} arm ${index} unit variance`);
  });
}

describe('against gbstats on the relative scale of CUPED (frequentist_variance_relative_cuped, transcribed)', () => {
  it.each(cupedCases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const arm = ({ n, post, pre, products }: ArmWithPre) => ({ metric: { n, ...post }, covariate: { ...pre, metricCovariateSum: products } });
    const { absolute, relative } = cupedTests(cupedForMeans([arm(reference.control), arm(reference.treatment)]), reference.alpha);
    expectTest(absolute, reference.absolute, 'CUPED mean absolute');
    expectTest(relative, reference.relative, 'CUPED mean relative');
    // The relative effect is the adjusted difference over the unadjusted control mean, not a ratio of adjusted means.
    expect(relative.effect.estimate).toBeCloseTo(absolute.effect.estimate / (reference.control.post.sum / reference.control.n), 12);
    expectBayesian(bayesianLift(relative.effect.estimate, relative.effect.standardError, null, reference.alpha), reference.relativeBayesianImproper, 'relative CUPED improper prior');
  });
});

describe('against gbstats CUPED on proportions (ProportionStatistic: p (1 - p), covariances over n)', () => {
  it.each(proportionCupedCases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const arm = ({ n, post, pre, products }: ArmWithPre) => ({ metric: proportionStatistics(n, post.sum), covariate: { ...pre, metricCovariateSum: products } });
    const adjustment = cupedForMeans([arm(reference.control), arm(reference.treatment)], { proportion: true });
    expectTracked('CUPED proportion theta', adjustment.theta, reference.theta, 'compute_theta of ProportionStatistics');
    expectUnitVariances(adjustment, reference.unitVariance, 'CUPED proportion');
    const { absolute, relative } = cupedTests(adjustment, reference.alpha);
    expectTest(absolute, reference.absolute, 'CUPED proportion absolute');
    expectTest(relative, reference.relative, 'CUPED proportion relative');
  });
});

describe('against gbstats CUPED on ratio metrics (RegressionAdjustedRatioStatistic, transcribed)', () => {
  it.each(ratioCupedCases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const adjustment = cupedForRatios([reference.control, reference.treatment]);
    expectTracked('CUPED ratio theta', adjustment.theta, reference.theta, 'compute_theta_regression_adjusted_ratio');
    expectUnitVariances(adjustment, reference.unitVariance, 'CUPED ratio');
    const { absolute, relative } = cupedTests(adjustment, reference.alpha);
    expectTest(absolute, reference.absolute, 'CUPED ratio absolute');
    expectTest(relative, reference.relative, 'CUPED ratio relative');
  });
});

describe('plain proportions: gbstats standard errors exactly, the normal instead of its t', () => {
  let largestWidthGap = 0;
  const pGaps: string[] = [];
  afterAll(() => console.log(`plain proportions, z-test against gbstats' Welch t: interval width up to ${largestWidthGap.toExponential(2)} relative; p-value relative gap ${pGaps.join(', ')}`));
  it.each(proportionCases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    for (const scale of ['absolute', 'relative'] as const) {
      const expected = reference[scale];
      const result = computed(twoProportionTest(reference.control, reference.treatment, { scale, alternative: 'two-sided', alpha: reference.alpha }));
      expectTracked(`plain proportion ${scale} effect`, result.effect.estimate, expected.estimate, `${scale} effect`);
      expectTracked(`plain proportion ${scale} variance`, result.effect.standardError ** 2, expected.variance, `${scale} frequentist_variance`);
      const normalInterval = expected.normalInterval ?? [Number.NaN, Number.NaN];
      expectTracked(`plain proportion ${scale} interval (normal)`, result.interval[0], normalInterval[0], `${scale} normal interval lower`);
      expectTracked(`plain proportion ${scale} interval (normal)`, result.interval[1], normalInterval[1], `${scale} normal interval upper`);
      // On both scales the p-value is the normal one on gbstats' own standard error, as the interval is.
      expectTracked(`plain proportion ${scale} p-value (normal)`, result.pValue, expected.normalPValue ?? Number.NaN, `${scale} normal p`);
      // How far the normal is from gbstats' t: the interval's width and the p-value.
      const width = (result.interval[1] - result.interval[0]) / (expected.interval[1] - expected.interval[0]);
      largestWidthGap = Math.max(largestWidthGap, Math.abs(width - 1));
      const units = reference.control.n + reference.treatment.n;
      pGaps.push(`${scale} ${units} units z ${(result.statistic).toFixed(2)}: ${Math.abs(result.pValue / expected.pValue - 1).toExponential(2)}`);
    }
  });
});
