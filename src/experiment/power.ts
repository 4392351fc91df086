/**
 * Fixed-horizon power and minimum detectable effect of a two-sample z-test, the normal approximation used to
 * size online experiments (Kohavi, Tang and Xu 2020, ch. 17). Power counts both rejection regions of a
 * two-sided test, as statsmodels' `NormalIndPower` does, so the numbers agree with it.
 */
import { normalCdf, normalQuantile, normalSurvival } from '../stats/distributions.js';
import type { Alternative } from './hypothesis-test.js';

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
