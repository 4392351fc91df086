/**
 * Simulation tests of the engine's statistical claims, seeded and drawn from sufficient statistics so that
 * thousands of experiments take about a second (STYLE.md: "a thousand A/A tests give a false positive rate
 * near alpha"). The rates are printed for the record.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../stats/random.js';
import { meanArmEstimate, type ArmEstimate } from './arm-estimate.js';
import { cupedWelchTest, twoProportionTest, welchTest, type Comparison, type ComparisonOptions } from './comparison.js';
import { cupedForMeans } from './cuped.js';
import { minimumDetectableEffectSize, sequentialMinimumDetectableEffectSize } from './power.js';
import { ratioArmEstimate } from './ratio-metric.js';
import { confidenceSequence, mixtureSprt } from './sequential.js';
import { simulateBivariateStatistics, simulateMeanStatistics } from './simulate-statistics.js';
import { mergeMeanStatistics, type MeanStatistics } from './sufficient-statistics.js';

const TWO_SIDED: ComparisonOptions = { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 };

function computed(result: ReturnType<typeof welchTest>): Comparison {
  if (result.degeneracy !== null) throw new Error(result.message);
  return result;
}

function rate(count: number, total: number, label: string): number {
  console.log(`simulation: ${label} = ${(count / total).toFixed(4)} (${count}/${total})`);
  return count / total;
}

function covers(interval: readonly [number, number], truth: number): boolean {
  return interval[0] <= truth && truth <= interval[1];
}

describe('fixed-horizon tests under the null (A/A)', () => {
  it("Welch's t-test rejects about alpha of 4,000 A/A experiments", () => {
    const random = seededRandom(101);
    let rejections = 0;
    const experiments = 4000;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const control = simulateMeanStatistics(random, 1000, 5, 2);
      const treatment = simulateMeanStatistics(random, 1000, 5, 2);
      if (computed(welchTest(meanArmEstimate(control), meanArmEstimate(treatment), TWO_SIDED)).pValue < 0.05) rejections += 1;
    }
    const falsePositiveRate = rate(rejections, experiments, 'Welch A/A false positive rate at alpha 0.05');
    expect(falsePositiveRate).toBeGreaterThanOrEqual(0.04);
    expect(falsePositiveRate).toBeLessThanOrEqual(0.06);
  });

  it('the two-proportion z-test rejects about alpha of 4,000 A/A experiments on Bernoulli units', () => {
    const random = seededRandom(202);
    const conversions = (n: number, p: number): number => {
      let count = 0;
      for (let unit = 0; unit < n; unit += 1) if (random() < p) count += 1;
      return count;
    };
    let rejections = 0;
    const experiments = 4000;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const result = twoProportionTest({ n: 1000, successes: conversions(1000, 0.1) }, { n: 1000, successes: conversions(1000, 0.1) }, TWO_SIDED);
      if (computed(result).pValue < 0.05) rejections += 1;
    }
    const falsePositiveRate = rate(rejections, experiments, 'two-proportion z A/A false positive rate at alpha 0.05');
    expect(falsePositiveRate).toBeGreaterThanOrEqual(0.04);
    expect(falsePositiveRate).toBeLessThanOrEqual(0.06);
  });
});

describe('peeking after every 100 units (A/A, 2,000 experiments, 50 looks up to 5,000 units)', () => {
  it('the confidence sequence and the mSPRT stay at or below alpha while naive peeking of the fixed test exceeds it', () => {
    const random = seededRandom(303);
    const experiments = 2000;
    const looks = 50;
    let naive = 0;
    let sequence = 0;
    let mixture = 0;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      let control: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
      let treatment: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
      let naiveRejected = false;
      let sequenceRejected = false;
      let mixtureRejected = false;
      for (let look = 0; look < looks; look += 1) {
        control = mergeMeanStatistics(control, simulateMeanStatistics(random, 50, 0, 1));
        treatment = mergeMeanStatistics(treatment, simulateMeanStatistics(random, 50, 0, 1));
        const result = computed(welchTest(meanArmEstimate(control), meanArmEstimate(treatment), TWO_SIDED));
        if (result.pValue < 0.05) naiveRejected = true;
        if (confidenceSequence(result.effect, control.n + treatment.n, 0.05).pValue < 0.05) sequenceRejected = true;
        if (mixtureSprt(result.effect, 0.1).pValue < 0.05) mixtureRejected = true;
      }
      if (naiveRejected) naive += 1;
      if (sequenceRejected) sequence += 1;
      if (mixtureRejected) mixture += 1;
    }
    const naiveRate = rate(naive, experiments, 'naive peeking of the fixed test, false positive rate');
    const sequenceRate = rate(sequence, experiments, 'confidence sequence (tuning 5,000) under peeking, false positive rate');
    const mixtureRate = rate(mixture, experiments, 'mSPRT (tau 0.1 sd) under peeking, false positive rate');
    expect(naiveRate).toBeGreaterThan(0.1);
    expect(sequenceRate).toBeLessThanOrEqual(0.05);
    expect(mixtureRate).toBeLessThanOrEqual(0.05);
  });
});

describe('sequential power', () => {
  it('at the sequential minimum detectable effect, 80% of 4,000 experiments end with a sequence that excludes zero', () => {
    const design = { controlUnits: 2000, ratio: 1, alpha: 0.05, alternative: 'two-sided' as const };
    const effectSize = sequentialMinimumDetectableEffectSize(design, 0.8);
    expect(effectSize).toBeGreaterThan(minimumDetectableEffectSize(design, 0.8));
    const random = seededRandom(808);
    let rejections = 0;
    const experiments = 4000;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const result = computed(welchTest(meanArmEstimate(simulateMeanStatistics(random, 2000, 0, 1)), meanArmEstimate(simulateMeanStatistics(random, 2000, effectSize, 1)), TWO_SIDED));
      if (confidenceSequence(result.effect, 4000, 0.05).pValue < 0.05) rejections += 1;
    }
    const power = rate(rejections, experiments, `sequential power at its MDE (${effectSize.toFixed(4)} sd, 2,000 units per arm)`);
    expect(power).toBeGreaterThanOrEqual(0.78);
    expect(power).toBeLessThanOrEqual(0.82);
  });
});

describe('CUPED', () => {
  it('shrinks the interval width by sqrt(1 - rho^2) within 5%, and keeps coverage, on both scales', () => {
    const random = seededRandom(404);
    const correlation = 0.6;
    const population = { metricMean: 10, covariateMean: 4, metricDeviation: 3, covariateDeviation: 2, correlation };
    const experiments = 1000;
    const relative: ComparisonOptions = { ...TWO_SIDED, scale: 'relative' };
    let widthRatio = 0;
    let relativeWidthRatio = 0;
    let covered = 0;
    let relativeCovered = 0;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const control = simulateBivariateStatistics(random, 2000, population);
      const treatment = simulateBivariateStatistics(random, 2000, { ...population, metricMean: 10.2 });
      const adjustment = cupedForMeans([control, treatment]);
      const [adjustedControl, adjustedTreatment] = adjustment.adjusted as [ArmEstimate, ArmEstimate];
      const adjusted = computed(welchTest(adjustedControl, adjustedTreatment, TWO_SIDED));
      const plain = computed(welchTest(meanArmEstimate(control.metric), meanArmEstimate(treatment.metric), TWO_SIDED));
      widthRatio += (adjusted.interval[1] - adjusted.interval[0]) / (plain.interval[1] - plain.interval[0]) / experiments;
      if (covers(adjusted.interval, 0.2)) covered += 1;
      // The relative effect as gbstats: the adjusted difference over the unadjusted control mean (cuped-relative.ts).
      const adjustedRelative = computed(cupedWelchTest(adjustment, 0, 1, relative));
      const plainRelative = computed(welchTest(meanArmEstimate(control.metric), meanArmEstimate(treatment.metric), relative));
      relativeWidthRatio += (adjustedRelative.interval[1] - adjustedRelative.interval[0]) / (plainRelative.interval[1] - plainRelative.interval[0]) / experiments;
      if (covers(adjustedRelative.interval, 0.02)) relativeCovered += 1;
    }
    const expected = Math.sqrt(1 - correlation ** 2);
    console.log(`simulation: CUPED width ratio = ${widthRatio.toFixed(4)} (relative scale ${relativeWidthRatio.toFixed(4)}), expected sqrt(1 - rho^2) = ${expected.toFixed(4)}`);
    expect(Math.abs(widthRatio / expected - 1)).toBeLessThan(0.05);
    expect(Math.abs(relativeWidthRatio / expected - 1)).toBeLessThan(0.05);
    const coverage = rate(covered, experiments, 'CUPED 95% interval coverage');
    expect(coverage).toBeGreaterThanOrEqual(0.93);
    expect(coverage).toBeLessThanOrEqual(0.97);
    const relativeCoverage = rate(relativeCovered, experiments, 'CUPED relative-effect 95% interval coverage');
    expect(relativeCoverage).toBeGreaterThanOrEqual(0.93);
    expect(relativeCoverage).toBeLessThanOrEqual(0.97);
  });
});

describe('coverage of 95% intervals (8,000 experiments each)', () => {
  const experiments = 8000;

  function coverage(label: string, seed: number, draw: (random: Random) => { result: Comparison; truth: number }): number {
    const random = seededRandom(seed);
    let covered = 0;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const { result, truth } = draw(random);
      if (covers(result.interval, truth)) covered += 1;
    }
    return rate(covered, experiments, label);
  }

  it('absolute effects of means with unequal variances and arm sizes', () => {
    const observed = coverage('Welch absolute 95% coverage', 505, (random) => ({
      result: computed(welchTest(meanArmEstimate(simulateMeanStatistics(random, 200, 10, 2)), meanArmEstimate(simulateMeanStatistics(random, 300, 10.3, 3)), TWO_SIDED)),
      truth: 0.3,
    }));
    expect(observed).toBeGreaterThanOrEqual(0.94);
    expect(observed).toBeLessThanOrEqual(0.96);
  });

  it('relative effects by the delta method', () => {
    const observed = coverage('relative (delta method) 95% coverage', 606, (random) => ({
      result: computed(welchTest(meanArmEstimate(simulateMeanStatistics(random, 1000, 10, 4)), meanArmEstimate(simulateMeanStatistics(random, 1000, 10.3, 4)), { ...TWO_SIDED, scale: 'relative' })),
      truth: 0.03,
    }));
    expect(observed).toBeGreaterThanOrEqual(0.94);
    expect(observed).toBeLessThanOrEqual(0.96);
  });

  it('ratio metrics by the delta method', () => {
    const ratioArm = (random: Random, numeratorMean: number) => {
      const { metric, covariate } = simulateBivariateStatistics(random, 1000, { metricMean: numeratorMean, covariateMean: 10, metricDeviation: 2, covariateDeviation: 3, correlation: 0.5 });
      return ratioArmEstimate({
        n: metric.n,
        numeratorSum: metric.sum,
        numeratorSumSquares: metric.sumSquares,
        denominatorSum: covariate.sum,
        denominatorSumSquares: covariate.sumSquares,
        numeratorDenominatorSum: covariate.metricCovariateSum,
      });
    };
    const observed = coverage('ratio (delta method) 95% coverage', 707, (random) => ({
      result: computed(welchTest(ratioArm(random, 3), ratioArm(random, 3.1), TWO_SIDED)),
      truth: 0.01,
    }));
    expect(observed).toBeGreaterThanOrEqual(0.94);
    expect(observed).toBeLessThanOrEqual(0.96);
  });
});
