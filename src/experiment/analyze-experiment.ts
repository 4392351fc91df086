/**
 * The whole analysis of an experiment from its sufficient statistics, in phases:
 *   1. health: sample ratio mismatch and multiple exposures;
 *   2. comparisons: each treatment arm against control, per metric, overall and per segment (CUPED when
 *      both arms have a covariate, theta from that pair and relative effects over the unadjusted control
 *      mean, as gbstats; Welch's t for means, ratios and proportions, proportions on their unpooled
 *      variances as gbstats);
 *   3. inference: fixed-horizon or sequential p-values and intervals, Bayesian posteriors, non-inferiority
 *      for guardrails, heterogeneity across segments;
 *   4. multiple testing across metrics x arms x segments (guardrails excluded: each is its own one-sided test);
 *   5. decisions per treatment arm (decision.ts).
 */
import type { ArmEstimate, Degeneracy } from './arm-estimate.js';
import { meanArmEstimate } from './arm-estimate.js';
import type { AnalysisInput, AnalysisOptions, MetricInput } from './analysis-input.js';
import { bayesianLift, type BayesianResult } from './bayesian.js';
import { cupedWelchTest, pooledProportionTest, quantileTest, twoProportionTest, welchTest, type ComparisonResult } from './comparison.js';
import { pooledScoreTest } from './proportion-score.js';
import { quantileArmEstimate, type QuantileStatistics } from './quantile-metric.js';
import { cupedForMeans, cupedForRatios, varianceReduction, type CupedAdjustment } from './cuped.js';
import { proportionStatistics } from './sufficient-statistics.js';
import { decideArm, type ArmDecision } from './decision.js';
import type { Effect } from './effect.js';
import { testHeterogeneity, type HeterogeneityTest } from './heterogeneity.js';
import type { Interval } from './hypothesis-test.js';
import { adjustPValues } from './multiple-testing.js';
import { testNonInferiority, type NonInferiorityResult } from './non-inferiority.js';
import { ratioArmEstimate } from './ratio-metric.js';
import { checkSampleRatio, type SampleRatioCheck } from './sample-ratio.js';
import { confidenceSequence, mixtureSprt } from './sequential.js';
import { oneSidedConfidenceSequence, oneSidedMixtureSprt } from './sequential-one-sided.js';

/** Share of units exposed to more than one arm above which the experiment needs investigating (GrowthBook warns at 1%). */
export const MULTIPLE_EXPOSURE_THRESHOLD = 0.01;

export type Inference = 'fixed-horizon' | 'confidence-sequence' | 'mixture-sprt';

/** One treatment arm against control on one metric, overall or in one segment. */
export interface ArmComparison {
  arm: string;
  segment: string | null;
  degeneracy: null;
  method: 'welch-t' | 'two-proportion-t' | 'pooled-z' | 'quantile-z';
  inference: Inference;
  controlUnits: number;
  treatmentUnits: number;
  controlEstimate: number;
  treatmentEstimate: number;
  effect: Effect;
  /** The p-value of the inference used (sequential when sequential testing is on). */
  pValue: number;
  /** After the multiple-testing adjustment; equal to pValue for guardrails. */
  adjustedPValue: number;
  interval: Interval;
  /** The fixed-horizon test, always reported for reference. */
  fixedHorizon: { pValue: number; interval: Interval; degreesOfFreedom: number };
  significant: boolean;
  /**
   * CUPED's theta (from control and this arm), the share of the effect's variance it removed, and the
   * control's unadjusted estimate: a relative effect is (treatment - control, both adjusted) over it, as gbstats.
   */
  cuped: { theta: number; varianceReduction: number; unadjustedControlEstimate: number } | null;
  bayesian: BayesianResult | null;
  nonInferiority: NonInferiorityResult | null;
}

export interface DegenerateArmComparison {
  arm: string;
  segment: string | null;
  degeneracy: Degeneracy;
  message: string;
}

export type ArmComparisonResult = ArmComparison | DegenerateArmComparison;

export interface MetricAnalysis {
  id: string;
  kind: MetricInput['kind'];
  role: MetricInput['role'];
  direction: MetricInput['direction'];
  minimumDetectableEffect: number | null;
  comparisons: ArmComparisonResult[];
  segments: { segment: string; comparisons: ArmComparisonResult[] }[];
  /** Per treatment arm, whether its effect differs across segments. */
  heterogeneity: { arm: string; test: HeterogeneityTest }[];
}

export interface ExperimentAnalysis {
  name: string;
  control: string;
  options: AnalysisOptions;
  sampleRatio: SampleRatioCheck & { arms: string[] };
  multipleExposures: { units: number; share: number; flagged: boolean };
  metrics: MetricAnalysis[];
  decisions: ArmDecision[];
}

/** Analyses a validated input (see analysis-input.ts and validate-analysis-input.ts). */
export function analyzeExperiment(input: AnalysisInput): ExperimentAnalysis {
  const { options } = input;
  const control = input.control ?? input.arms[0]?.id ?? '';
  const treatments = input.arms.map((arm) => arm.id).filter((id) => id !== control);
  const sampleRatio = { arms: input.arms.map((arm) => arm.id), ...checkSampleRatio(input.arms.map((arm) => arm.units), input.arms.map((arm) => arm.weight)) };
  const totalUnits = input.arms.reduce((sum, arm) => sum + arm.units, 0) + input.multipleExposures;
  const exposureShare = totalUnits === 0 ? 0 : input.multipleExposures / totalUnits;
  const multipleExposures = { units: input.multipleExposures, share: exposureShare, flagged: exposureShare > MULTIPLE_EXPOSURE_THRESHOLD };

  const metrics = input.metrics.map((metric): MetricAnalysis => {
    const comparisons = compareArms(metric, metric.arms, control, treatments, null, options);
    const segments = Object.entries(metric.segments ?? {}).map(([segment, arms]) => ({ segment, comparisons: compareArms(metric, arms, control, treatments, segment, options) }));
    const heterogeneity = treatments.flatMap((arm) => {
      const effects = segments.flatMap(({ comparisons: inSegment }) => inSegment.filter((c): c is ArmComparison => c.arm === arm && c.degeneracy === null).map((c) => c.effect));
      const test = testHeterogeneity(effects);
      return test === null ? [] : [{ arm, test }];
    });
    return { id: metric.id, kind: metric.kind, role: metric.role, direction: metric.direction, minimumDetectableEffect: metric.minimumDetectableEffect ?? null, comparisons, segments, heterogeneity };
  });

  adjustFamily(metrics, options);
  const decisions = treatments.map((arm) => decideArm(arm, metrics, { sampleRatio, multipleExposures, alpha: options.alpha }));
  return { name: input.name, control, options, sampleRatio, multipleExposures, metrics, decisions };
}

type ArmsOf<Metric extends MetricInput> = Metric['arms'];

function compareArms(metric: MetricInput, arms: ArmsOf<MetricInput>, control: string, treatments: string[], segment: string | null, options: AnalysisOptions): ArmComparisonResult[] {
  const plain = metric.kind === 'mean' || metric.kind === 'ratio' ? plainEstimates(metric, arms, [control, ...treatments]) : [];
  return treatments.map((arm, index) => {
    const comparisonOptions = { scale: options.scale, alternative: options.alternative, alpha: options.alpha };
    // CUPED per pair of arms, theta from control and this treatment only (as gbstats' compute_theta).
    const adjustment = options.cuped ? cupedPair(metric, arms, control, arm) : null;
    let result: ComparisonResult;
    let marginTest: MarginTest | null = null;
    if (adjustment !== null) {
      result = cupedWelchTest(adjustment, 0, 1, comparisonOptions);
    } else if (metric.kind === 'proportion') {
      const counts = arms as Record<string, { n: number; successes: number }>;
      const controlCounts = counts[control] ?? { n: 0, successes: 0 };
      const treatmentCounts = counts[arm] ?? { n: 0, successes: 0 };
      const pooled = options.proportionTest === 'pooled-z';
      result = (pooled ? pooledProportionTest : twoProportionTest)(controlCounts, treatmentCounts, comparisonOptions);
      if (pooled) marginTest = (margin, direction) => pooledNonInferiority(controlCounts, treatmentCounts, margin, direction, options);
    } else if (metric.kind === 'quantile') {
      const quantiles = arms as Record<string, QuantileStatistics>;
      const estimate = (id: string) => (quantiles[id] === undefined ? 'too-few-units' : quantileArmEstimate(quantiles[id]));
      result = quantileTest(estimate(control), estimate(arm), comparisonOptions);
    } else {
      result = welchTest(plain[0] ?? 'too-few-units', plain[index + 1] ?? 'too-few-units', comparisonOptions);
    }
    if (result.degeneracy !== null) return { arm, segment, degeneracy: result.degeneracy, message: result.message };
    const unadjustedControl = adjustment?.unadjusted[0];
    const cuped =
      adjustment === null || typeof unadjustedControl !== 'object'
        ? null
        : { theta: adjustment.theta, varianceReduction: cupedReduction(adjustment), unadjustedControlEstimate: unadjustedControl.estimate };
    return { arm, segment, ...infer(metric, result.effect, result.control, result.treatment, result, options, marginTest), method: result.method, cuped };
  });
}

/** Unadjusted arm estimates of a mean or ratio metric in the order given. */
function plainEstimates(metric: MetricInput, arms: ArmsOf<MetricInput>, order: string[]): (ArmEstimate | Degeneracy)[] {
  if (metric.kind === 'mean') return order.map((id) => (arms as typeof metric.arms)[id]).map((arm) => (arm === undefined ? 'too-few-units' : meanArmEstimate(arm)));
  if (metric.kind === 'ratio') return order.map((id) => (arms as typeof metric.arms)[id]).map((arm) => (arm === undefined ? 'too-few-units' : ratioArmEstimate(arm)));
  return [];
}

/** The CUPED adjustment of control and one treatment, or null when either lacks a covariate (or the kind has none). */
function cupedPair(metric: MetricInput, arms: ArmsOf<MetricInput>, control: string, treatment: string): CupedAdjustment | null {
  if (metric.kind === 'quantile') return null;
  if (metric.kind === 'mean') {
    const paired = withCovariates([control, treatment].map((id) => (arms as typeof metric.arms)[id]));
    return paired === null ? null : cupedForMeans(paired);
  }
  if (metric.kind === 'proportion') {
    const paired = withCovariates([control, treatment].map((id) => (arms as typeof metric.arms)[id]));
    return paired === null ? null : cupedForMeans(paired.map(({ metric: counts, covariate }) => ({ metric: proportionStatistics(counts.n, counts.successes), covariate })), { proportion: true });
  }
  const paired = withCovariates([control, treatment].map((id) => (arms as typeof metric.arms)[id]));
  return paired === null ? null : cupedForRatios(paired);
}

/** Every arm with its covariate, or null when an arm lacks one (CUPED needs them all). */
function withCovariates<Arm extends { covariate?: object | undefined }>(arms: (Arm | undefined)[]): { metric: Arm; covariate: NonNullable<Arm['covariate']> }[] | null {
  const paired: { metric: Arm; covariate: NonNullable<Arm['covariate']> }[] = [];
  for (const arm of arms) {
    if (arm?.covariate === undefined) return null;
    paired.push({ metric: arm, covariate: arm.covariate as NonNullable<Arm['covariate']> });
  }
  return paired;
}

function cupedReduction(adjustment: CupedAdjustment): number {
  const [control, treatment, rawControl, rawTreatment] = [adjustment.adjusted[0], adjustment.adjusted[1], adjustment.unadjusted[0], adjustment.unadjusted[1]];
  if (typeof control !== 'object' || typeof treatment !== 'object' || typeof rawControl !== 'object' || typeof rawTreatment !== 'object') return 0;
  return varianceReduction(control, treatment, rawControl, rawTreatment);
}

/** Sequential or fixed-horizon inference, the Bayesian view and the guardrail test of one comparison. */
function infer(
  metric: MetricInput,
  effect: Effect,
  control: ArmEstimate,
  treatment: ArmEstimate,
  fixed: { pValue: number; interval: Interval; degreesOfFreedom: number },
  options: AnalysisOptions,
  marginTest: MarginTest | null,
): Omit<ArmComparison, 'arm' | 'segment' | 'method' | 'cuped'> {
  const fixedHorizon = { pValue: fixed.pValue, interval: fixed.interval, degreesOfFreedom: fixed.degreesOfFreedom };
  let inference: Inference = 'fixed-horizon';
  let pValue = fixed.pValue;
  let interval = fixed.interval;
  if (options.sequential !== null) {
    const sequential = sequentialInference(effect, control.n + treatment.n, options.sequential, options.alpha, options.alternative, 0);
    ({ pValue, interval } = sequential);
    inference = sequential.method;
  }
  const guardrail = metric.role === 'guardrail' && metric.nonInferiorityMargin !== undefined;
  let nonInferiority: NonInferiorityResult | null = null;
  if (guardrail) {
    const margin = metric.nonInferiorityMargin ?? 0;
    const increase = metric.direction === 'increase';
    if (marginTest !== null) {
      nonInferiority = marginTest(margin, metric.direction);
    } else if (options.sequential === null) {
      nonInferiority = { ...testNonInferiority(effect, { margin, direction: metric.direction, alpha: options.alpha, degreesOfFreedom: fixed.degreesOfFreedom }), inference: 'fixed-horizon' };
    } else {
      // Under peeking the guardrail is watched with the one-sided sequential test against the margin.
      const sequential = sequentialInference(effect, control.n + treatment.n, options.sequential, options.alpha, increase ? 'greater' : 'less', increase ? -margin : margin);
      nonInferiority = { margin, pValue: sequential.pValue, interval: sequential.interval, nonInferior: sequential.pValue < options.alpha, inference: sequential.method };
    }
  }
  return {
    degeneracy: null,
    inference,
    controlUnits: control.n,
    treatmentUnits: treatment.n,
    controlEstimate: control.estimate,
    treatmentEstimate: treatment.estimate,
    effect,
    pValue,
    adjustedPValue: pValue,
    interval,
    fixedHorizon,
    significant: pValue < options.alpha,
    bayesian: options.bayesian === null ? null : bayesianForDirection(effect, metric.direction, options),
    nonInferiority,
  };
}

/**
 * The always-valid p-value and interval of one effect: the two-sided sequence or mSPRT, or their one-sided
 * versions (sequential-one-sided.ts) for a one-sided alternative, against `nullValue`.
 */
function sequentialInference(
  effect: Effect,
  units: number,
  sequential: NonNullable<AnalysisOptions['sequential']>,
  alpha: number,
  alternative: AnalysisOptions['alternative'],
  nullValue: number,
): { method: Inference; pValue: number; interval: Interval } {
  if (alternative === 'two-sided') {
    const shifted = { ...effect, estimate: effect.estimate - nullValue };
    const result = sequential.method === 'confidence-sequence' ? confidenceSequence(shifted, units, alpha, sequential.tuningParameter) : mixtureSprt(shifted, sequential.mixtureStandardDeviation, alpha);
    return { method: result.method, pValue: result.pValue, interval: [result.interval[0] + nullValue, result.interval[1] + nullValue] };
  }
  return sequential.method === 'confidence-sequence'
    ? oneSidedConfidenceSequence(effect, units, alpha, alternative, { tuningParameter: sequential.tuningParameter, nullValue })
    : oneSidedMixtureSprt(effect, sequential.mixtureStandardDeviation, alpha, alternative, nullValue);
}

/** The posterior on the lift, with chance to beat control and losses measured in the metric's good direction. */
function bayesianForDirection(effect: Effect, direction: MetricInput['direction'], options: AnalysisOptions): BayesianResult {
  const sign = direction === 'increase' ? 1 : -1;
  const prior = options.bayesian?.prior ?? null;
  const result = bayesianLift(sign * effect.estimate, effect.standardError, prior === null ? null : { mean: sign * prior.mean, variance: prior.variance }, options.alpha);
  const [lower, upper] = result.credibleInterval;
  return { ...result, posteriorMean: sign * result.posteriorMean, credibleInterval: sign === 1 ? [lower, upper] : [-upper, -lower] };
}

/** Holm or Benjamini-Hochberg over every non-guardrail comparison, overall and per segment. */
/** A guardrail's non-inferiority test at its margin, where the comparison brings its own (the pooled score test). */
type MarginTest = (margin: number, direction: MetricInput['direction']) => NonInferiorityResult;

/**
 * Non-inferiority of a proportion under `proportionTest: pooled-z`: the score test at the margin rather than
 * at zero (Farrington and Manning 1990), one-sided, so the guardrail uses the same test family as the metric.
 */
function pooledNonInferiority(control: { n: number; successes: number }, treatment: { n: number; successes: number }, margin: number, direction: MetricInput['direction'], options: AnalysisOptions): NonInferiorityResult {
  const increase = direction === 'increase';
  const test = pooledScoreTest(control, treatment, { scale: options.scale, alternative: increase ? 'greater' : 'less', alpha: options.alpha, nullValue: increase ? -margin : margin });
  if (test === null) return { margin, pValue: 1, interval: [-Infinity, Infinity], nonInferior: false, inference: 'fixed-horizon' };
  return { margin, pValue: test.pValue, interval: test.interval, nonInferior: test.pValue < options.alpha, inference: 'fixed-horizon' };
}

function adjustFamily(metrics: MetricAnalysis[], options: AnalysisOptions): void {
  const family = metrics
    .filter((metric) => metric.role !== 'guardrail')
    .flatMap((metric) => [...metric.comparisons, ...metric.segments.flatMap((segment) => segment.comparisons)])
    .filter((comparison): comparison is ArmComparison => comparison.degeneracy === null);
  const adjusted = adjustPValues(
    family.map((comparison) => comparison.pValue),
    options.multipleTesting,
  );
  family.forEach((comparison, index) => {
    comparison.adjustedPValue = adjusted[index] ?? comparison.pValue;
    comparison.significant = comparison.adjustedPValue < options.alpha;
  });
}
