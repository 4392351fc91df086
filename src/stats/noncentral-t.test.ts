import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { studentTCdf } from './distributions.js';
import { noncentralTCdf, noncentralTSurvival } from './noncentral-t.js';

describe('noncentral t', () => {
  it('is the central t when the noncentrality is zero', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: 1, max: 1e4, noNaN: true }), (t, degreesOfFreedom) => {
        expect(noncentralTCdf(t, degreesOfFreedom, 0)).toBeCloseTo(studentTCdf(t, degreesOfFreedom), 12);
      }),
    );
  });

  it('has complementary tails and shifts right with the noncentrality', () => {
    expect(noncentralTCdf(1.5, 12, 2) + noncentralTSurvival(1.5, 12, 2)).toBeCloseTo(1, 14);
    expect(noncentralTCdf(1.5, 12, 2)).toBeLessThan(noncentralTCdf(1.5, 12, 1));
  });
});
