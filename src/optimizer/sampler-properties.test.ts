// Property tests: whatever the space and history, samplers propose values inside the space.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { truncatedNormalQuantile } from '../stats/truncated-normal.js';
import { randomSampler } from './random-sampler.js';
import { contains, type Distribution } from './search-space.js';
import { Study } from './study.js';
import { tpeSampler } from './tpe-sampler.js';

const distribution: fc.Arbitrary<Distribution> = fc.oneof(
  fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 1e-3, max: 100, noNaN: true })).map(([low, width]): Distribution => ({ type: 'float', low, high: low + width, log: false })),
  fc.tuple(fc.double({ min: 1e-4, max: 10, noNaN: true }), fc.double({ min: 1.01, max: 1e4, noNaN: true })).map(([low, ratio]): Distribution => ({ type: 'float', low, high: low * ratio, log: true })),
  fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20 })).map(([low, step, steps]): Distribution => ({ type: 'int', low, high: low + step * steps, log: false, step })),
  fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 500 })).map(([low, width]): Distribution => ({ type: 'int', low, high: low + width, log: true, step: 1 })),
  fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 8 })).map(([low, steps]): Distribution => ({ type: 'float', low: low / 4, high: low / 4 + steps * 0.25, log: false, step: 0.25 })),
  fc.integer({ min: 1, max: 6 }).map((n): Distribution => ({ type: 'categorical', choices: Array.from({ length: n }, (_, i) => `c${i}`) })),
);

describe('sampler properties', () => {
  it('TPE and random sampling propose values inside the space, for any objective', () => {
    fc.assert(
      fc.property(fc.array(distribution, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 ** 31 }), (distributions, seed) => {
        const space = Object.fromEntries(distributions.map((d, i) => [`p${i}`, d]));
        const random = seededRandom(seed);
        const study = new Study({ space, direction: 'minimize', sampler: tpeSampler({ random, nStartupTrials: 3 }) });
        study.optimize(() => random(), 15);
        const check = randomSampler(random);
        for (const trial of study.trials) for (const [name, d] of Object.entries(space)) expect(contains(d, trial.params[name] as never)).toBe(true);
        for (const d of distributions) expect(contains(d, check.sampleIndependent({ trials: [], direction: 'minimize' }, 'p', d))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  // Within 1e-8 of [a, b]: near q = 1 the bisection on log Phi loses digits, as scipy's and Optuna's do.
  it('truncated normal quantiles lie in [a, b] and grow with q', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 1e-3, max: 20, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, width, q1, q2) => {
        const b = a + width;
        const [low, high] = q1 < q2 ? [q1, q2] : [q2, q1];
        const x = truncatedNormalQuantile(low, a, b);
        const y = truncatedNormalQuantile(high, a, b);
        expect(x).toBeGreaterThanOrEqual(a - 1e-8);
        expect(y).toBeLessThanOrEqual(b + 1e-8);
        expect(y).toBeGreaterThanOrEqual(x - 1e-9);
      }),
      { numRuns: 300 },
    );
    // The case that found the loss of digits: a barely below 0, q next to 1.
    expect(truncatedNormalQuantile(1 - 2 ** -53, -5e-324, 7.98)).toBeLessThanOrEqual(7.98);
  });
});
