// Reference values from Python 3.11's math.erf / math.erfc (glibc, fdlibm's algorithm) and scipy 1.10's
// special.log_ndtr, stats.truncnorm.ppf and stats.truncnorm.logpdf.
import { describe, expect, it } from 'vitest';
import { erf, erfc } from './erf.js';
import { logNormalCdf, truncatedNormalLogDensity, truncatedNormalQuantile } from './truncated-normal.js';

function expectRelative(got: number, expected: number, tolerance: number): void {
  expect(Math.abs(got - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('erf and erfc', () => {
  it('agree with math.erf and math.erfc, far into the tail', () => {
    [-0.9953222650189527, 0.5204998778130465, 0.8427007929497149, 0.9999779095030014].forEach((expected, i) => expectRelative(erf([-2, 0.5, 1, 3][i] ?? NaN), expected, 1e-15));
    [0.4795001221869535, 2.2090496998585438e-5, 2.088487583762545e-45, 5.23705e-319].forEach((expected, i) => expectRelative(erfc([0.5, 3, 10, 27][i] ?? NaN), expected, 1e-14));
  });
});

describe('truncated normal', () => {
  it("log CDF agrees with scipy's log_ndtr, the asymptotic series included", () => {
    const expected = [-804.6084420137539, -224.4657158314145, -15.064998393988727, -0.6931471805599453, -0.001350809964748193, -6.220960574271743e-16];
    [-40, -21, -5, 0, 3, 8].forEach((z, i) => expectRelative(logNormalCdf(z), expected[i] ?? NaN, 1e-13));
  });

  it("quantiles agree with scipy's truncnorm.ppf, in both tails", () => {
    const cases: [number, number, number, number][] = [[0.3, -1, 2, -0.24240381788922707], [0.9, 1, 4, 2.1470656055603374], [0.5, -30, -25, -25.027666476956796], [0.2, 5, 9, 5.042852615005642]];
    for (const [q, a, b, expected] of cases) expectRelative(truncatedNormalQuantile(q, a, b), expected, 1e-12);
  });

  it("log density agrees with scipy's truncnorm.logpdf with loc and scale", () => {
    expectRelative(truncatedNormalLogDensity(0.2, 0.5, 0.3, 0.5 - 0.3, 0.5 + 0.6), -0.014799434554274127, 1e-12);
    expectRelative(truncatedNormalLogDensity(3, 2, 1.5, 0.5, 3.5), -1.1649107172329332, 1e-12);
    expect(truncatedNormalLogDensity(4, 2, 1.5, 0.5, 3.5)).toBe(-Infinity);
  });
});
