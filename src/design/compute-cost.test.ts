import { describe, expect, it } from 'vitest';
import { estimateComputeCost } from './compute-cost.js';

describe('estimateComputeCost', () => {
  it('recovers a power law in time and a line in memory, and projects them', () => {
    const measurements = [1000, 2000, 4000, 8000].map((rows) => ({ rows, seconds: 2e-5 * Math.pow(rows, 1.3), peakBytes: 5e6 + 120 * rows }));
    const cost = estimateComputeCost(measurements, [80_000]);
    expect(cost?.timeExponent).toBeCloseTo(1.3, 10);
    expect(cost?.bytesPerRow).toBeCloseTo(120, 6);
    expect(cost?.fixedBytes).toBeCloseTo(5e6, 2);
    expect(cost?.secondsPerThousandRows).toBeCloseTo((1000 * 2e-5 * Math.pow(8000, 1.3)) / 8000, 10);
    expect(cost?.projections[0]?.seconds).toBeCloseTo(2e-5 * Math.pow(80_000, 1.3), 6);
    expect(cost?.projections[0]?.peakBytes).toBeCloseTo(5e6 + 120 * 80_000, 1);
  });

  it('needs two sizes', () => {
    expect(estimateComputeCost([{ rows: 100, seconds: 1, peakBytes: 10 }, { rows: 100, seconds: 2, peakBytes: 11 }], [1000])).toBeUndefined();
  });
});
