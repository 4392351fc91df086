import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { standardNormal } from '../stats/random-variates.js';
import { fitLearningCurve, reachesTarget, type LearningCurveFit, type LearningCurvePoint } from './learning-curve.js';

const FRACTIONS = [0.05, 0.1, 0.2, 0.4, 0.7, 1];

/** Points from metric = a - b n^-c plus normal noise, several seeds per size. */
function drawCurve(seed: number, a: number, b: number, c: number, noise: number, fullRows = 20_000, seeds = 4): LearningCurvePoint[] {
  const random = seededRandom(seed);
  return FRACTIONS.flatMap((fraction) => {
    const rows = Math.round(fraction * fullRows);
    return Array.from({ length: seeds }, () => ({ rows, value: a - b * Math.pow(rows, -c) + noise * standardNormal(random) }));
  });
}

function asFit(result: ReturnType<typeof fitLearningCurve>): LearningCurveFit {
  if (!('asymptote' in result)) throw new Error(`no fit: ${result.warnings.join('; ')}`);
  return result;
}

describe('fitLearningCurve on curves drawn from a known power law', () => {
  it('puts the true asymptote, scale, exponent and the 10x metric inside their intervals', () => {
    const fit = asFit(fitLearningCurve(drawCurve(7, 0.82, 1.5, 0.45, 0.002), { higherIsBetter: true }));
    expect(fit.asymptote.lower).toBeLessThan(0.82);
    expect(fit.asymptote.upper).toBeGreaterThan(0.82);
    expect(fit.scale.lower).toBeLessThan(1.5);
    expect(fit.scale.upper).toBeGreaterThan(1.5);
    expect(fit.exponent.lower).toBeLessThan(0.45);
    expect(fit.exponent.upper).toBeGreaterThan(0.45);
    const tenfold = fit.extrapolations.find((entry) => entry.multiple === 10);
    expect(tenfold?.rows).toBe(200_000);
    const truth = 0.82 - 1.5 * Math.pow(200_000, -0.45);
    expect(tenfold?.metric.lower).toBeLessThan(truth);
    expect(tenfold?.metric.upper).toBeGreaterThan(truth);
    expect(fit.flags).toEqual([]);
  });

  it('covers the true parameters about 95% of the time over 200 curves', () => {
    const covered = { asymptote: 0, exponent: 0, tenfold: 0 };
    const curves = 200;
    for (let seed = 1; seed <= curves; seed += 1) {
      const fit = asFit(fitLearningCurve(drawCurve(seed, 0.82, 1.5, 0.45, 0.002), { higherIsBetter: true }));
      if (fit.asymptote.lower < 0.82 && fit.asymptote.upper > 0.82) covered.asymptote += 1;
      if (fit.exponent.lower < 0.45 && fit.exponent.upper > 0.45) covered.exponent += 1;
      const tenfold = fit.extrapolations[2]?.metric;
      const truth = 0.82 - 1.5 * Math.pow(200_000, -0.45);
      if (tenfold !== undefined && tenfold.lower < truth && tenfold.upper > truth) covered.tenfold += 1;
    }
    // Binomial(200, 0.95) lies in [180, 198] with probability above 0.999; the Wald intervals of a nonlinear fit may undercover a little.
    for (const count of Object.values(covered)) {
      expect(count).toBeGreaterThanOrEqual(175);
      expect(count).toBeLessThanOrEqual(199);
    }
  });

  it('fits a loss (lower is better) by its negation', () => {
    const random = seededRandom(3);
    const points = FRACTIONS.flatMap((fraction) => [0, 1, 2].map(() => ({ rows: fraction * 10_000, value: 0.3 + 4 * Math.pow(fraction * 10_000, -0.6) + 0.001 * standardNormal(random) })));
    const fit = asFit(fitLearningCurve(points, { higherIsBetter: false }));
    expect(fit.asymptote.lower).toBeLessThan(0.3);
    expect(fit.asymptote.upper).toBeGreaterThan(0.3);
    expect(fit.extrapolations[0]?.metric.estimate).toBeLessThan(0.3 + 4 * Math.pow(10_000, -0.6));
    expect(reachesTarget(fit.asymptote, 0.5, false)).toBe('yes');
    expect(reachesTarget(fit.asymptote, 0.1, false)).toBe('no');
  });
});

describe('fitLearningCurve flags badly behaved curves', () => {
  it('refuses to fit three sizes', () => {
    const result = fitLearningCurve(drawCurve(1, 0.8, 1, 0.5, 0.01).filter((point) => point.rows >= 8000), { higherIsBetter: true });
    expect(result.flags).toEqual(['too-few-points']);
    expect('asymptote' in result).toBe(false);
  });

  it('flags a curve that drops in the middle', () => {
    const points = drawCurve(2, 0.8, 1, 0.5, 0.001).map((point) => (point.rows === 8000 ? { ...point, value: point.value - 0.05 } : point));
    expect(fitLearningCurve(points, { higherIsBetter: true }).flags).toContain('not-monotone');
  });

  it('flags a curve still rising linearly in log rows', () => {
    const random = seededRandom(5);
    const points = FRACTIONS.flatMap((fraction) => [0, 1, 2].map(() => ({ rows: fraction * 20_000, value: 0.5 + 0.05 * Math.log(fraction * 20_000) + 0.002 * standardNormal(random) })));
    expect(fitLearningCurve(points, { higherIsBetter: true }).flags).toContain('not-saturating');
  });

  it('flags a curve that gets worse with data', () => {
    const points = drawCurve(4, 0.8, -1, 0.5, 0.001);
    expect(fitLearningCurve(points, { higherIsBetter: true }).flags).toContain('getting-worse');
  });
});
