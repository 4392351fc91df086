/**
 * The larger simulation run of issue 9 (the unit tests in src/experiment/simulation.test.ts run smaller
 * versions in CI): A/A false positive rates of the fixed-horizon test, false positive rates under peeking
 * after every 100 units for naive peeking, the confidence sequence and the mSPRT, CUPED's interval width
 * against sqrt(1 - rho^2), the coverage of 95% intervals (Welch, and the p90 difference), and one-sided
 * sequential tests under peeking with the true effect at a non-inferiority margin. Figures are rates (no reference program: the
 * reference is the nominal value, printed as reference=).
 */
import { seededRandom } from '../src/stats/random.js';
import { meanArmEstimate, type ArmEstimate } from '../src/experiment/arm-estimate.js';
import { welchTest, type Comparison } from '../src/experiment/comparison.js';
import { cupedForMeans } from '../src/experiment/cuped.js';
import { quantileTest } from '../src/experiment/comparison.js';
import { quantileArmEstimate, quantileStatisticsOf } from '../src/experiment/quantile-metric.js';
import { confidenceSequence, mixtureSprt } from '../src/experiment/sequential.js';
import { oneSidedConfidenceSequence, oneSidedMixtureSprt } from '../src/experiment/sequential-one-sided.js';
import { normalQuantile } from '../src/stats/distributions.js';
import { standardNormal } from '../src/stats/random-variates.js';
import { simulateBivariateStatistics, simulateMeanStatistics } from '../src/experiment/simulate-statistics.js';
import { mergeMeanStatistics, type MeanStatistics } from '../src/experiment/sufficient-statistics.js';
import { report } from './report.js';

const OPTIONS = { scale: 'absolute', alternative: 'two-sided', alpha: 0.05 } as const;

function computed(result: ReturnType<typeof welchTest>): Comparison {
  if (result.degeneracy !== null) throw new Error(result.message);
  return result;
}

/** 20,000 A/A experiments of 1,000 units per arm. */
function fixedHorizonFalsePositiveRate(): number {
  const random = seededRandom(9001);
  const experiments = 20_000;
  let rejections = 0;
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    const result = computed(welchTest(meanArmEstimate(simulateMeanStatistics(random, 1000, 5, 2)), meanArmEstimate(simulateMeanStatistics(random, 1000, 5, 2)), OPTIONS));
    if (result.pValue < 0.05) rejections += 1;
  }
  return rejections / experiments;
}

/** 10,000 A/A experiments looked at after every 100 units (50 per arm), 100 looks up to 10,000 units. */
function peekingFalsePositiveRates(): { naive: number; sequence: number; mixture: number } {
  const random = seededRandom(9002);
  const experiments = 10_000;
  const counts = { naive: 0, sequence: 0, mixture: 0 };
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    let control: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
    let treatment: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
    const rejected = { naive: false, sequence: false, mixture: false };
    for (let look = 0; look < 100; look += 1) {
      control = mergeMeanStatistics(control, simulateMeanStatistics(random, 50, 0, 1));
      treatment = mergeMeanStatistics(treatment, simulateMeanStatistics(random, 50, 0, 1));
      const result = computed(welchTest(meanArmEstimate(control), meanArmEstimate(treatment), OPTIONS));
      rejected.naive ||= result.pValue < 0.05;
      rejected.sequence ||= confidenceSequence(result.effect, control.n + treatment.n, 0.05).pValue < 0.05;
      rejected.mixture ||= mixtureSprt(result.effect, 0.1).pValue < 0.05;
    }
    for (const key of ['naive', 'sequence', 'mixture'] as const) if (rejected[key]) counts[key] += 1;
  }
  return { naive: counts.naive / experiments, sequence: counts.sequence / experiments, mixture: counts.mixture / experiments };
}

/** 10,000 experiments with a pre-period covariate correlated at 0.6: mean width ratio and coverage. */
function cupedFigures(): { widthRatio: number; coverage: number } {
  const random = seededRandom(9003);
  const population = { metricMean: 10, covariateMean: 4, metricDeviation: 3, covariateDeviation: 2, correlation: 0.6 };
  const experiments = 10_000;
  let widthRatio = 0;
  let covered = 0;
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    const control = simulateBivariateStatistics(random, 2000, population);
    const treatment = simulateBivariateStatistics(random, 2000, { ...population, metricMean: 10.2 });
    const [adjustedControl, adjustedTreatment] = cupedForMeans([control, treatment]).adjusted as [ArmEstimate, ArmEstimate];
    const adjusted = computed(welchTest(adjustedControl, adjustedTreatment, OPTIONS));
    const plain = computed(welchTest(meanArmEstimate(control.metric), meanArmEstimate(treatment.metric), OPTIONS));
    widthRatio += (adjusted.interval[1] - adjusted.interval[0]) / (plain.interval[1] - plain.interval[0]) / experiments;
    if (adjusted.interval[0] <= 0.2 && 0.2 <= adjusted.interval[1]) covered += 1;
  }
  return { widthRatio, coverage: covered / experiments };
}

/** 20,000 experiments with unequal variances and arm sizes: coverage of Welch's absolute and relative 95% intervals. */
function coverage(scale: 'absolute' | 'relative'): number {
  const random = seededRandom(scale === 'absolute' ? 9004 : 9005);
  const experiments = 20_000;
  const truth = scale === 'absolute' ? 0.3 : 0.03;
  let covered = 0;
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    const result = computed(welchTest(meanArmEstimate(simulateMeanStatistics(random, 200, 10, 2)), meanArmEstimate(simulateMeanStatistics(random, 300, 10.3, 3)), { ...OPTIONS, scale }));
    if (result.interval[0] <= truth && truth <= result.interval[1]) covered += 1;
  }
  return covered / experiments;
}

/** 10,000 experiments watched after every 100 units (100 looks), the true effect exactly at a non-inferiority margin of -0.05 sd. */
function oneSidedPeekingRates(): { sequence: number; mixture: number } {
  const random = seededRandom(9006);
  const experiments = 10_000;
  let [sequence, mixture] = [0, 0];
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    let control: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
    let treatment: MeanStatistics = { n: 0, sum: 0, sumSquares: 0 };
    let [sequenceRejected, mixtureRejected] = [false, false];
    for (let look = 0; look < 100; look += 1) {
      control = mergeMeanStatistics(control, simulateMeanStatistics(random, 50, 0, 1));
      treatment = mergeMeanStatistics(treatment, simulateMeanStatistics(random, 50, -0.05, 1));
      const { effect } = computed(welchTest(meanArmEstimate(control), meanArmEstimate(treatment), OPTIONS));
      sequenceRejected ||= oneSidedConfidenceSequence(effect, control.n + treatment.n, 0.05, 'greater', { nullValue: -0.05 }).pValue < 0.05;
      mixtureRejected ||= oneSidedMixtureSprt(effect, 0.1, 0.05, 'greater', -0.05).pValue < 0.05;
    }
    if (sequenceRejected) sequence += 1;
    if (mixtureRejected) mixture += 1;
  }
  return { sequence: sequence / experiments, mixture: mixture / experiments };
}

/** 5,000 experiments of 2,000 lognormal units per arm: coverage of the 95% interval of the p90 difference. */
function quantileCoverage(): number {
  const random = seededRandom(9007);
  const [mu, sigma, shift, n, experiments] = [3, 0.8, 0.05, 2000, 5000];
  const p90 = (location: number): number => Math.exp(location + sigma * normalQuantile(0.9));
  const truth = p90(mu + shift) - p90(mu);
  const draw = (location: number): number[] => Array.from({ length: n }, () => Math.exp(location + sigma * standardNormal(random)));
  let covered = 0;
  for (let experiment = 0; experiment < experiments; experiment += 1) {
    const result = quantileTest(quantileArmEstimate(quantileStatisticsOf(draw(mu), 0.9)), quantileArmEstimate(quantileStatisticsOf(draw(mu + shift), 0.9)), OPTIONS);
    if (result.degeneracy !== null) throw new Error(result.message);
    if (result.interval[0] <= truth && truth <= result.interval[1]) covered += 1;
  }
  return covered / experiments;
}

/** Prints the simulation figures. */
export function benchStatsSimulation(): void {
  report('stats.aa-fpr-20k', fixedHorizonFalsePositiveRate(), 0.05);
  const peeking = peekingFalsePositiveRates();
  report('stats.peeking-naive-fpr-10k', peeking.naive, 0.05);
  report('stats.peeking-confidence-sequence-fpr-10k', peeking.sequence, 0.05);
  report('stats.peeking-msprt-fpr-10k', peeking.mixture, 0.05);
  const cuped = cupedFigures();
  report('stats.cuped-width-ratio', cuped.widthRatio, Math.sqrt(1 - 0.6 ** 2));
  report('stats.cuped-coverage', cuped.coverage, 0.95);
  report('stats.welch-coverage-absolute-20k', coverage('absolute'), 0.95);
  report('stats.welch-coverage-relative-20k', coverage('relative'), 0.95);
  const oneSided = oneSidedPeekingRates();
  report('stats.peeking-one-sided-confidence-sequence-fpr-10k', oneSided.sequence, 0.05);
  report('stats.peeking-one-sided-msprt-fpr-10k', oneSided.mixture, 0.05);
  report('stats.quantile-p90-coverage-5k', quantileCoverage(), 0.95);
}
