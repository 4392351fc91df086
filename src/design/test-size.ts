/**
 * The size of the online test a design needs: units per arm and days of traffic for the spec's primary
 * metric and minimum detectable effect, for a fixed-horizon and a sequential test. The power itself comes
 * from the experiment engine (experiment/power.ts, checked there against statsmodels' NormalIndPower and
 * TTestIndPower); this file only turns a metric's baseline into a standardised effect and units into days.
 */
import type { Alternative } from '../experiment/hypothesis-test.js';
import { powerOfSequentialTest, powerOfTTest, requiredControlUnits } from '../experiment/power.js';

/** The primary metric's baseline: a rate (proportion metric) or a mean with its standard deviation. */
export type MetricBaseline = { kind: 'rate'; rate: number } | { kind: 'mean'; mean: number; standardDeviation: number };

export interface TestSizeRequest {
  baseline: MetricBaseline;
  /** The minimum detectable effect, relative to the baseline (0.05 = 5%) unless `absolute` is set. */
  minimumDetectableEffect: number;
  absolute?: boolean;
  alpha: number;
  power: number;
  /** Treatment units per control unit (1 for an even split). */
  ratio: number;
  alternative: Alternative;
  /** Units entering the experiment per day, both arms together. */
  dailyUnits: number;
}

export interface TestSize {
  /** The standardised effect (absolute effect / unit standard deviation) the test must detect. */
  effectSize: number;
  fixedHorizon: ArmUnits;
  sequential: ArmUnits;
  /** Units per arm for a pooled-variance t-test, for small samples; equals the z-test's to a unit when large. */
  tTestControlUnits: number;
}

export interface ArmUnits {
  /** The fractional control units where power reaches the target, before rounding up. */
  exactControlUnits: number;
  controlUnits: number;
  treatmentUnits: number;
  days: number;
}

/** Units per arm and days of traffic to detect the request's effect, fixed-horizon and sequential. */
export function estimateTestSize(request: TestSizeRequest): TestSize {
  const { baseline, minimumDetectableEffect, ratio, alpha, power, alternative } = request;
  const centre = baseline.kind === 'rate' ? baseline.rate : baseline.mean;
  const standardDeviation = baseline.kind === 'rate' ? Math.sqrt(baseline.rate * (1 - baseline.rate)) : baseline.standardDeviation;
  const absoluteEffect = request.absolute === true ? minimumDetectableEffect : minimumDetectableEffect * centre;
  const effectSize = Math.abs(absoluteEffect) / standardDeviation;
  const design = { ratio, alpha, alternative };
  const fixedUnits = requiredControlUnits(alternative === 'less' ? -effectSize : effectSize, design, power);
  const sequentialUnits = bisectUnits((units) => powerOfSequentialTest(effectSize, { ...design, controlUnits: units }) - power);
  const tUnits = bisectUnits((units) => powerOfTTest(alternative === 'less' ? -effectSize : effectSize, { ...design, controlUnits: units }) - power, 1.5);
  return {
    effectSize,
    fixedHorizon: armUnits(fixedUnits, ratio, request.dailyUnits),
    sequential: armUnits(sequentialUnits, ratio, request.dailyUnits),
    tTestControlUnits: tUnits,
  };
}

function armUnits(controlUnits: number, ratio: number, dailyUnits: number): ArmUnits {
  const control = Math.ceil(controlUnits - 1e-9);
  const treatment = Math.ceil(control * ratio - 1e-9);
  return { exactControlUnits: controlUnits, controlUnits: control, treatmentUnits: treatment, days: Math.ceil((control + treatment) / dailyUnits) };
}

/** The units where an increasing power curve crosses the target, by bisection on a log scale. */
function bisectUnits(shortfall: (units: number) => number, low = 1e-6): number {
  let lower = low;
  let upper = 1e15;
  for (let iteration = 0; iteration < 400 && upper / lower > 1 + 1e-12; iteration += 1) {
    const middle = Math.sqrt(lower * upper);
    if (shortfall(middle) < 0) lower = middle;
    else upper = middle;
  }
  return (lower + upper) / 2;
}
