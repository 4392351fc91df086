import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binColumn, binOf, fitCategoricalBins, fitFeatureBins } from './binning.js';

/** Values that stress the edges of binning: NaN, signed zeros, infinities, fractions, repeats. */
const value = fc.oneof(
  fc.constantFrom(NaN, -0, 0, -1, -0.5, 0.5, 1e-40, -1e-40, 3.7, 228.9, 229, 1e9, Infinity, -Infinity),
  fc.integer({ min: -3, max: 300 }),
  fc.double({ noNaN: false }),
);

describe('binColumn', () => {
  it('gives every value the bin binOf gives it, for numeric features', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), fc.array(value, { maxLength: 200 }), fc.integer({ min: 2, max: 255 }), (fitted, binned, maxBins) => {
        const bins = fitFeatureBins(Float64Array.from(fitted), maxBins);
        const column = binColumn(bins, Float64Array.from(binned));
        expect(Array.from(column)).toEqual(binned.map((v) => binOf(bins, v)));
      }),
      { numRuns: 300, seed: 24 },
    );
  });

  it('gives every code the bin binOf gives it, for categorical features, through the table and through the map', () => {
    const code = fc.oneof(value, fc.integer({ min: 0, max: 40 }), fc.constantFrom(1 << 20, (1 << 20) - 1, 5e6, 2 ** 31));
    fc.assert(
      fc.property(fc.array(code, { minLength: 1, maxLength: 400 }), fc.array(code, { maxLength: 200 }), fc.integer({ min: 2, max: 255 }), (fitted, binned, maxBins) => {
        const bins = fitCategoricalBins(Float64Array.from(fitted), maxBins);
        const column = binColumn(bins, Float64Array.from(binned));
        expect(Array.from(column)).toEqual(binned.map((v) => binOf(bins, v)));
      }),
      { numRuns: 300, seed: 24 },
    );
  });

  it('cuts a column of many distinct values into at most maxBins - 1 value bins, in order', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, index) => ((index * 7919) % 10_000) / 10);
    const bins = fitFeatureBins(values, 64);
    expect(bins.thresholds.length).toBe(62);
    expect(bins.missingBin).toBe(63);
    for (let index = 1; index < bins.thresholds.length; index++) expect(bins.thresholds[index]).toBeGreaterThan(bins.thresholds[index - 1] as number);
    const column = binColumn(bins, values);
    const counts = new Array<number>(63).fill(0);
    for (const bin of column) counts[bin] = (counts[bin] ?? 0) + 1;
    // Equal-frequency cuts: every bin holds about 10,000 / 63 values.
    expect(Math.min(...counts)).toBeGreaterThan(100);
    expect(Math.max(...counts)).toBeLessThan(220);
  });
});
