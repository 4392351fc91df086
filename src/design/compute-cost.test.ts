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

  it('carries the per-row work forward when fixed costs dominate the measured sizes', () => {
    // 0.5 s of fixed costs and 10 microseconds a row: from 1,000 to 20,000 rows the time barely doubles, so
    // the power law's exponent is far under 1; the fixed-plus-per-row fit recovers both parts.
    const measurements = [1000, 2000, 5000, 10_000, 20_000].map((rows) => ({ rows, seconds: 0.5 + 1e-5 * rows, peakBytes: 1e6 }));
    const cost = estimateComputeCost(measurements, [2_000_000]);
    expect(cost?.timeExponent).toBeLessThan(0.5);
    expect(cost?.fixedSeconds).toBeCloseTo(0.5, 10);
    expect(cost?.secondsPerRow).toBeCloseTo(1e-5, 14);
    expect(cost?.projections[0]?.seconds).toBeCloseTo(0.5 + 1e-5 * 2_000_000, 8);
  });

  it('needs two sizes', () => {
    expect(estimateComputeCost([{ rows: 100, seconds: 1, peakBytes: 10 }, { rows: 100, seconds: 2, peakBytes: 11 }], [1000])).toBeUndefined();
  });
});
