/**
 * The engine against reference values from scipy, statsmodels and the published formulas
 * (test/fixtures/stats/make-reference.py), to 1e-6 relative.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose, STATS_REFERENCE, worstAgreement } from '../../test/support/stats-reference.js';
import { meanArmEstimate, type ArmEstimate } from './arm-estimate.js';
import { bayesianLift } from './bayesian.js';
import { twoProportionTest, welchTest, type Comparison, type ComparisonResult } from './comparison.js';
import { cupedForMeans, cupedForRatios, varianceReduction, type CupedAdjustment } from './cuped.js';
import { estimateEffect, welchSatterthwaiteDegreesOfFreedom, type Effect } from './effect.js';
import { testHeterogeneity } from './heterogeneity.js';
import { testNonInferiority } from './non-inferiority.js';
import { benjaminiHochberg, holmBonferroni } from './multiple-testing.js';
import { minimumDetectableEffectSize, powerOfTest, powerOfTTest, requiredControlUnits } from './power.js';
import { ratioArmEstimate } from './ratio-metric.js';
import { checkSampleRatio } from './sample-ratio.js';
import { confidenceSequence, mixtureSprt, sequentialRho } from './sequential.js';

function computed(result: ComparisonResult): Comparison {
  if (result.degeneracy !== null) throw new Error(`degenerate: ${result.message}`);
  return result;
}

function arm(result: ArmEstimate | string): ArmEstimate {
  if (typeof result === 'string') throw new Error(`degenerate arm: ${result}`);
  return result;
}

function expectInterval(actual: readonly [number, number], expected: (number | null)[], label: string): void {
  expectClose(actual[0], expected[0] ?? null, `${label} lower`);
  expectClose(actual[1], expected[1] ?? null, `${label} upper`);
}

afterAll(() => {
  console.log(`stats reference: worst relative difference ${worstAgreement.relative.toExponential(2)}`);
  for (const [section, relative] of worstAgreement.bySection) console.log(`  ${relative.toExponential(2)}  ${section}`);
});

describe("Welch's t-test against scipy.stats.ttest_ind(equal_var=False) and statsmodels CompareMeans", () => {
  for (const reference of STATS_REFERENCE.welch ?? []) {
    it(reference.name, () => {
      const result = computed(welchTest(meanArmEstimate(reference.control), meanArmEstimate(reference.treatment), { scale: 'absolute', alternative: reference.alternative, alpha: reference.alpha }));
      expectClose(result.effect.estimate, reference.effect, 'effect');
      expectClose(result.statistic, reference.statistic, 'statistic');
      expectClose(result.degreesOfFreedom, reference.degreesOfFreedom, 'degrees of freedom');
      expectClose(result.pValue, reference.pValue, 'p-value');
      expectInterval(result.interval, reference.interval, 'interval');
    });
  }
});

describe('non-inferiority against statsmodels CompareMeans.ttest_ind(value=margin)', () => {
  for (const reference of STATS_REFERENCE.nonInferiority ?? []) {
    it(reference.name, () => {
      const control = arm(meanArmEstimate(reference.control));
      const treatment = arm(meanArmEstimate(reference.treatment));
      const effect = estimateEffect(control, treatment, 'absolute') as Effect;
      const degreesOfFreedom = welchSatterthwaiteDegreesOfFreedom(control, treatment);
      const result = testNonInferiority(effect, { margin: reference.margin, direction: reference.direction, alpha: reference.alpha, degreesOfFreedom });
      expectClose(result.pValue, reference.pValue, 'p-value');
      expectInterval(result.interval, reference.interval, 'one-sided interval');
      expect(result.nonInferior).toBe(reference.pValue < reference.alpha);
    });
  }
});

describe("Cochran's Q across segments against statsmodels combine_effects", () => {
  for (const reference of STATS_REFERENCE.heterogeneity ?? []) {
    it(reference.name, () => {
      const effects = reference.effects.map((estimate: number, index: number) => ({ scale: 'absolute' as const, estimate, standardError: reference.standardErrors[index] }));
      const result = testHeterogeneity(effects);
      expect(result?.degreesOfFreedom).toBe(reference.degreesOfFreedom);
      expectClose(result?.statistic ?? NaN, reference.statistic, 'Q');
      expectClose(result?.pValue ?? NaN, reference.pValue, 'p-value');
      expectClose(result?.inconsistency ?? NaN, reference.inconsistency, 'I^2');
    });
  }
});

describe('relative effects by the delta method', () => {
  for (const reference of STATS_REFERENCE.relative ?? []) {
    it(reference.name, () => {
      const result = computed(welchTest(meanArmEstimate(reference.control), meanArmEstimate(reference.treatment), { scale: 'relative', alternative: 'two-sided', alpha: reference.alpha }));
      expectClose(result.effect.estimate, reference.effect, 'lift');
      expectClose(result.effect.standardError, reference.standardError, 'standard error');
      expectClose(result.degreesOfFreedom, reference.degreesOfFreedom, 'degrees of freedom');
      expectClose(result.pValue, reference.pValue, 'p-value');
      expectInterval(result.interval, reference.interval, 'interval');
    });
  }
});

describe('ratio metrics by the delta method, against a linearisation of the raw units', () => {
  for (const reference of STATS_REFERENCE.ratio ?? []) {
    it(reference.name, () => {
      const control = arm(ratioArmEstimate(reference.control));
      const treatment = arm(ratioArmEstimate(reference.treatment));
      expectClose(control.estimate, reference.controlRatio, 'control ratio');
      expectClose(control.variance, reference.controlVariance, 'control variance');
      expectClose(treatment.variance, reference.treatmentVariance, 'treatment variance');
      const result = computed(welchTest(control, treatment, { scale: 'absolute', alternative: 'two-sided', alpha: reference.alpha }));
      expectClose(result.effect.estimate, reference.effect, 'effect');
      expectClose(result.pValue, reference.pValue, 'p-value');
      expectInterval(result.interval, reference.interval, 'interval');
    });
  }
});

describe('two-proportion z-test against statsmodels test_proportions_2indep and confint_proportions_2indep (wald)', () => {
  for (const reference of STATS_REFERENCE.proportions ?? []) {
    it(reference.name, () => {
      const result = computed(twoProportionTest(reference.control, reference.treatment, { scale: 'absolute', alternative: reference.alternative, alpha: reference.alpha }));
      expectClose(result.statistic, reference.statistic, 'z');
      expectClose(result.pValue, reference.pValue, 'p-value');
      if (reference.alternative === 'two-sided') expectInterval(result.interval, reference.twoSidedInterval, 'interval');
    });
  }
});

describe('multiple testing against statsmodels multipletests', () => {
  for (const reference of STATS_REFERENCE.multiple ?? []) {
    it(reference.name, () => {
      holmBonferroni(reference.pValues).forEach((p, index) => expectClose(p, reference.holm[index], `holm ${index}`));
      benjaminiHochberg(reference.pValues).forEach((p, index) => expectClose(p, reference.benjaminiHochberg[index], `fdr_bh ${index}`));
    });
  }
});

describe('sample ratio mismatch against scipy.stats.chisquare', () => {
  for (const reference of STATS_REFERENCE.sampleRatio ?? []) {
    it(reference.name, () => {
      const result = checkSampleRatio(reference.observed, reference.weights);
      expectClose(result.statistic, reference.statistic, 'chi-square');
      expectClose(result.pValue, reference.pValue, 'p-value');
      expect(result.mismatch).toBe(reference.pValue < 0.001);
    });
  }
});

describe('power and minimum detectable effect against statsmodels NormalIndPower', () => {
  for (const reference of STATS_REFERENCE.power ?? []) {
    it(reference.name, () => {
      const design = { controlUnits: reference.controlUnits, ratio: reference.ratio, alpha: reference.alpha, alternative: reference.alternative };
      expectClose(powerOfTest(reference.effectSize, design), reference.power, 'power');
      expectClose(minimumDetectableEffectSize(design, 0.8), reference.minimumDetectableEffectSize, 'effect size');
      expectClose(requiredControlUnits(reference.effectSize, design, 0.8), reference.requiredControlUnits, 'units');
    });
  }
});

/** The checks every CUPED case shares: theta, the test on the adjusted arms, the variance reduction. */
function expectCupedAgrees(adjustment: CupedAdjustment, reference: any): [ArmEstimate, ArmEstimate] {
  expectClose(adjustment.theta, reference.theta, 'theta');
  const [control, treatment] = adjustment.adjusted.map(arm) as [ArmEstimate, ArmEstimate];
  const result = computed(welchTest(control, treatment, { scale: 'absolute', alternative: 'two-sided', alpha: reference.alpha }));
  expectClose(result.effect.estimate, reference.effect, 'effect');
  expectClose(result.pValue, reference.pValue, 'p-value');
  expectInterval(result.interval, reference.interval, 'interval');
  const [rawControl, rawTreatment] = adjustment.unadjusted.map(arm) as [ArmEstimate, ArmEstimate];
  expectClose(varianceReduction(control, treatment, rawControl, rawTreatment), reference.varianceReduction, 'variance reduction');
  return [control, treatment];
}

describe('power of the t-test against statsmodels TTestIndPower (noncentral t)', () => {
  for (const reference of STATS_REFERENCE.tPower ?? []) {
    it(reference.name, () => {
      const design = { controlUnits: reference.controlUnits, ratio: reference.ratio, alpha: reference.alpha, alternative: reference.alternative };
      expectClose(powerOfTTest(reference.effectSize, design), reference.power, 'power');
    });
  }
});

describe('CUPED for means against a regression on the raw units (Deng et al. 2013)', () => {
  for (const reference of STATS_REFERENCE.cuped ?? []) {
    it(reference.name, () => {
      const arms = [
        { metric: reference.control, covariate: reference.controlCovariate },
        { metric: reference.treatment, covariate: reference.treatmentCovariate },
      ];
      const [control, treatment] = expectCupedAgrees(cupedForMeans(arms), reference);
      expectClose(control.estimate, reference.controlAdjustedMean, 'control adjusted mean');
      expectClose(treatment.estimate, reference.treatmentAdjustedMean, 'treatment adjusted mean');
    });
  }
});

describe('CUPED for ratio metrics against linearised raw units', () => {
  for (const reference of STATS_REFERENCE.cupedRatio ?? []) {
    it(reference.name, () => {
      const arms = [
        { metric: reference.control, covariate: reference.controlCovariate },
        { metric: reference.treatment, covariate: reference.treatmentCovariate },
      ];
      const [control, treatment] = expectCupedAgrees(cupedForRatios(arms), reference);
      expectClose(control.estimate, reference.controlAdjusted, 'control adjusted ratio');
      expectClose(control.variance, reference.controlVariance, 'control variance');
      expectClose(treatment.variance, reference.treatmentVariance, 'treatment variance');
    });
  }
});

describe('Bayesian Gaussian model on the lift against closed forms and numerical integration', () => {
  for (const reference of STATS_REFERENCE.bayesian ?? []) {
    it(reference.name, () => {
      const result = bayesianLift(reference.estimate, reference.standardError, reference.prior, reference.alpha);
      expectClose(result.posteriorMean, reference.posteriorMean, 'posterior mean');
      expectClose(result.posteriorStandardDeviation, reference.posteriorStandardDeviation, 'posterior sd');
      expectClose(result.chanceToBeatControl, reference.chanceToBeatControl, 'chance to beat control');
      expectClose(result.expectedLossOfShipping, reference.expectedLossOfShipping, 'expected loss of shipping');
      expectClose(result.expectedLossOfKeepingControl, reference.expectedLossOfKeepingControl, 'expected loss of keeping control');
      expectInterval(result.credibleInterval, reference.credibleInterval, 'credible interval');
    });
  }
});

describe('sequential tests against the formulas of Waudby-Smith et al. 2023 and Johari et al. 2017', () => {
  for (const reference of STATS_REFERENCE.sequential ?? []) {
    it(reference.name, () => {
      const control = arm(meanArmEstimate(reference.control));
      const treatment = arm(meanArmEstimate(reference.treatment));
      const effect = estimateEffect(control, treatment, 'absolute') as Effect;
      expectClose(sequentialRho(reference.alpha, reference.tuningParameter), reference.rho, 'rho');
      const sequence = confidenceSequence(effect, control.n + treatment.n, reference.alpha, reference.tuningParameter);
      expectInterval(sequence.interval, reference.confidenceSequence, 'confidence sequence');
      expectClose(sequence.pValue, reference.confidenceSequencePValue, 'always-valid p-value');
      expectClose(mixtureSprt(effect, reference.mixtureStandardDeviation).pValue, reference.mixtureSprtPValue, 'mSPRT p-value');
      // With tau^2 = rho^2 s^2 the mixture SPRT is the confidence sequence: same interval, same p-value.
      const matched = mixtureSprt(effect, reference.rho * effect.standardError * Math.sqrt(control.n + treatment.n), reference.alpha);
      expectInterval(matched.interval, reference.confidenceSequence, 'mSPRT interval with the matching tau');
      expectClose(matched.pValue, reference.confidenceSequencePValue, 'mSPRT p-value with the matching tau');
      expect(welchSatterthwaiteDegreesOfFreedom(control, treatment)).toBeGreaterThan(0);
    });
  }
});
