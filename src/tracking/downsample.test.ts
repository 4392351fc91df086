import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../store/run-store.js';
import { downsampleSeries } from './downsample.js';

function seriesOf(steps: number[], values: number[]): MetricSeries {
  return { key: 'loss', steps: Float64Array.from(steps), timestamps: Float64Array.from(steps, (step) => 1000 + step), values: Float64Array.from(values) };
}

const finite = (values: Float64Array) => [...values].filter((value) => !Number.isNaN(value));

describe('downsampleSeries', () => {
  it('returns short series whole, in step order', () => {
    const result = downsampleSeries(seriesOf([2, 0, 1], [0.2, 0.0, 0.1]), 10);
    expect([...result.steps]).toEqual([0, 1, 2]);
    expect([...result.values]).toEqual([0, 0.1, 0.2]);
    expect([...result.timestamps]).toEqual([1000, 1001, 1002]);
  });

  it('keeps a single spike among a million flat points', () => {
    const count = 1_000_000;
    const values = new Array<number>(count).fill(1);
    values[777_777] = 50;
    values[123] = -3;
    const result = downsampleSeries(seriesOf(Array.from({ length: count }, (_, index) => index), values), 1000);
    expect(result.values.length).toBeLessThanOrEqual(1000);
    expect([...result.values]).toContain(50);
    expect([...result.values]).toContain(-3);
    expect(result.steps[result.values.indexOf(50)]).toBe(777_777);
  });

  it('keeps at most the limit, the extremes, step order, and only points of the input', () => {
    const pointArbitrary = fc.array(fc.tuple(fc.integer({ min: -5, max: 2000 }), fc.oneof(fc.double({ noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.constant(NaN))), { minLength: 1, maxLength: 3000 });
    fc.assert(
      fc.property(pointArbitrary, fc.integer({ min: 2, max: 300 }), (points, limit) => {
        const input = seriesOf(points.map((point) => point[0]), points.map((point) => point[1]));
        const result = downsampleSeries(input, limit);
        expect(result.values.length).toBeLessThanOrEqual(Math.max(limit, 2));
        for (let index = 1; index < result.steps.length; index++) expect(result.steps[index]).toBeGreaterThanOrEqual(result.steps[index - 1] as number);
        const kept = new Set([...result.steps].map((step, index) => `${step}:${result.values[index]}`));
        for (const key of kept) expect(points.some(([step, value]) => `${step}:${value}` === key)).toBe(true);
        const values = finite(input.values);
        if (values.length > 0) {
          expect(finite(result.values)).toContain(Math.min(...values));
          expect(finite(result.values)).toContain(Math.max(...values));
        }
      }),
      { numRuns: 300 },
    );
  });
});
