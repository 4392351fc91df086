/**
 * Fixed-horizon power and minimum detectable effect of a two-sample z-test, the normal approximation used to
 * size online experiments (Kohavi, Tang and Xu 2020, ch. 17). Power counts both rejection regions of a
 * two-sided test, as statsmodels' `NormalIndPower` does, so the numbers agree with it.
 */
import { normalCdf, normalQuantile, normalSurvival, studentTQuantile } from '../stats/distributions.js';
import { noncentralTCdf, noncentralTSurvival } from '../stats/noncentral-t.js';
import type { Alternative } from './hypothesis-test.js';
import { confidenceSequence, DEFAULT_TUNING_PARAMETER } from './sequential.js';

export interface PowerDesign {
  /** Units in the control arm. */
  controlUnits: number;
  /** Treatment units per control unit (1 for an even split). */
  ratio: number;
  alpha: number;
  alternative: Alternative;
}

/** The probability that the test rejects when the true standardised effect (effect / unit standard deviation) is `effectSize`. */
export function powerOfTest(effectSize: number, design: PowerDesign): number {
  const { controlUnits, ratio, alpha, alternative } = design;
  const effectiveUnits = 1 / (1 / controlUnits + 1 / (controlUnits * ratio));
  const shift = effectSize * Math.sqrt(effectiveUnits);
  const tail = alternative === 'two-sided' ? alpha / 2 : alpha;
  const critical = normalQuantile(1 - tail);
  let power = 0;
  if (alternative !== 'less') power += normalSurvival(critical - shift);
  if (alternative !== 'greater') power += normalCdf(-critical - shift);
  return power;
}

/**
 * The power of the two-sample t-test with pooled degrees of freedom n1 + n2 - 2, from the noncentral t
 * distribution (as statsmodels' `TTestIndPower`): slightly below the normal approximation for small samples.
 */
export function powerOfTTest(effectSize: number, design: PowerDesign): number {
  const { controlUnits, ratio, alpha, alternative } = design;
  const treatmentUnits = controlUnits * ratio;
  const degreesOfFreedom = controlUnits + treatmentUnits - 2;
  const noncentrality = effectSize * Math.sqrt(1 / (1 / controlUnits + 1 / treatmentUnits));
  const tail = alternative === 'two-sided' ? alpha / 2 : alpha;
  const critical = studentTQuantile(1 - tail, degreesOfFreedom);
  let power = 0;
  if (alternative !== 'less') power += noncentralTSurvival(critical, degreesOfFreedom, noncentrality);
  if (alternative !== 'greater') power += noncentralTCdf(-critical, degreesOfFreedom, noncentrality);
  return power;
}

/**
 * The power of a sequential test at its last look: the probability that the two-sided asymptotic confidence
 * sequence (sequential.ts) excludes zero once `controlUnits` and their treatment units are in, in the normal
 * approximation: Phi((d - h) / se) + Phi((-d - h) / se) with h the sequence's half-width. Looks before the
 * last can only add rejections, so this is a lower bound on the power of a test that stops at the first one.
 */
export function powerOfSequentialTest(effectSize: number, design: PowerDesign, tuningParameter = DEFAULT_TUNING_PARAMETER): number {
  const treatmentUnits = design.controlUnits * design.ratio;
  const standardError = Math.sqrt(1 / design.controlUnits + 1 / treatmentUnits);
  const [, halfWidth] = confidenceSequence({ scale: 'absolute', estimate: 0, standardError }, design.controlUnits + treatmentUnits, design.alpha, tuningParameter).interval;
  return normalCdf((effectSize - halfWidth) / standardError) + normalCdf((-effectSize - halfWidth) / standardError);
}

/** The smallest standardised effect a sequential test detects at its last look with the given power. */
export function sequentialMinimumDetectableEffectSize(design: PowerDesign, power: number, tuningParameter = DEFAULT_TUNING_PARAMETER): number {
  return bisect((size) => powerOfSequentialTest(size, design, tuningParameter) - power, 0, 1e3);
}

/**
 * The smallest standardised effect the design detects with the given power (solved by bisection to full
 * precision). For an absolute effect multiply by the unit standard deviation; for a relative one divide that
 * by the control mean too.
 */
export function minimumDetectableEffectSize(design: PowerDesign, power: number): number {
  const sign = design.alternative === 'less' ? -1 : 1;
  return sign * bisect((size) => powerOfTest(sign * size, design) - power, 0, 1e3);
}

/** The control units needed to detect a standardised effect with the given power (fractional; round up). */
export function requiredControlUnits(effectSize: number, design: Omit<PowerDesign, 'controlUnits'>, power: number): number {
  return bisect((units) => powerOfTest(effectSize, { ...design, controlUnits: units }) - power, 1e-6, 1e15);
}

/** The root of an increasing function on [low, high], by bisection until the bracket stops shrinking. */
function bisect(increasing: (x: number) => number, low: number, high: number): number {
  let lower = low;
  let upper = high;
  for (let iteration = 0; iteration < 2000; iteration += 1) {
    const middle = lower > 0 && upper / lower > 4 ? Math.sqrt(lower * upper) : (lower + upper) / 2;
    if (middle <= lower || middle >= upper) break;
    if (increasing(middle) < 0) lower = middle;
    else upper = middle;
  }
  return (lower + upper) / 2;
}
