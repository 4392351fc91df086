import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kolmogorovSmirnov, sortedFinite, wassersteinDistance } from '../stats/drift-tests.js';
import { columnDrift, datasetDrift, defaultDriftTest, type ColumnSample } from './column-drift.js';

/** scipy 1.10 values written by test/fixtures/monitor/make-drift-reference.py. */
interface Reference {
  numeric: { name: string; reference: number[]; current: number[]; ks: { statistic: number; pValue: number }; wassersteinNormed: number; jensenShannon: number; psi: number; kl: number }[];
  categorical: { name: string; reference: string[]; current: string[]; chiSquare: { statistic: number; pValue: number }; jensenShannon: number; zTest?: number }[];
  asymptotic: { reference: number[]; current: number[]; statistic: number; pValue: number };
}
const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/monitor/drift-reference.json', import.meta.url), 'utf8')) as Reference;

const numeric = (values: number[]): ColumnSample => ({ kind: 'numeric', values: Float64Array.from(values) });
const categorical = (values: string[]): ColumnSample => ({ kind: 'categorical', values });
const close = (actual: number, expected: number, relative = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(Math.abs(expected), 1e-300) + 1e-15);

describe('drift statistics against scipy', () => {
  it.each(reference.numeric.map((entry) => [entry.name, entry] as const))('numeric: %s', (_name, entry) => {
    const ks = kolmogorovSmirnov(sortedFinite(entry.reference), sortedFinite(entry.current));
    close(ks.statistic, entry.ks.statistic, 1e-12);
    close(ks.pValue, entry.ks.pValue);
    expect(ks.method).toBe('exact');
    const [r, c] = [numeric(entry.reference), numeric(entry.current)];
    close(columnDrift('x', r, c, { test: 'wasserstein' }).score, entry.wassersteinNormed);
    close(columnDrift('x', r, c, { test: 'jensen-shannon' }).score, entry.jensenShannon);
    close(columnDrift('x', r, c, { test: 'psi' }).score, entry.psi);
    close(columnDrift('x', r, c, { test: 'kl' }).score, entry.kl);
  });

  it.each(reference.categorical.map((entry) => [entry.name, entry] as const))('categorical: %s', (_name, entry) => {
    const [r, c] = [categorical(entry.reference), categorical(entry.current)];
    close(columnDrift('x', r, c, { test: 'chi-square' }).score, entry.chiSquare.pValue);
    close(columnDrift('x', r, c, { test: 'jensen-shannon' }).score, entry.jensenShannon);
    if (entry.zTest !== undefined) close(columnDrift('x', r, c, { test: 'z-test' }).score, entry.zTest);
  });

  it('above 10,000 values uses the limiting distribution, close to scipy\'s kstwo', () => {
    const { reference: r, current: c, statistic, pValue } = reference.asymptotic;
    const ks = kolmogorovSmirnov(sortedFinite(r), sortedFinite(c));
    expect(ks.method).toBe('asymptotic');
    close(ks.statistic, statistic, 1e-12);
    // Stephens' corrected limit against scipy's finite-n kstwo at en ~ 923: a few percent of the p-value.
    expect(Math.abs(ks.pValue - pValue)).toBeLessThan(0.05 * pValue + 1e-3);
  });
});

describe('drift statistics: properties', () => {
  const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 60 });
  it('a sample against itself shows no drift, and distances are symmetric and non-negative', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const [sa, sb] = [sortedFinite(a), sortedFinite(b)];
        expect(kolmogorovSmirnov(sa, sa)).toMatchObject({ statistic: 0, pValue: 1 });
        expect(wassersteinDistance(sa, sa)).toBe(0);
        const ks = kolmogorovSmirnov(sa, sb);
        expect(ks.pValue).toBeGreaterThanOrEqual(0);
        expect(ks.pValue).toBeLessThanOrEqual(1);
        expect(kolmogorovSmirnov(sb, sa).statistic).toBe(ks.statistic);
        const forward = wassersteinDistance(sa, sb);
        expect(forward).toBeGreaterThanOrEqual(0);
        expect(Math.abs(forward - wassersteinDistance(sb, sa))).toBeLessThanOrEqual(1e-9 * Math.max(1, forward));
      }),
      { numRuns: 300, seed: 20 },
    );
  });
});

describe('the default test, as Evidently chooses it', () => {
  it('switches at 1,000 reference rows and at 2 and 5 distinct values', () => {
    expect(defaultDriftTest('numeric', 1000, 6, 6)).toBe('ks');
    expect(defaultDriftTest('numeric', 1000, 5, 9)).toBe('chi-square');
    expect(defaultDriftTest('numeric', 1000, 3, 3)).toBe('chi-square');
    expect(defaultDriftTest('numeric', 1000, 2, 4)).toBe('z-test');
    expect(defaultDriftTest('categorical', 1000, 3, 3)).toBe('chi-square');
    expect(defaultDriftTest('categorical', 1000, 2, 2)).toBe('z-test');
    expect(defaultDriftTest('numeric', 1001, 6, 6)).toBe('wasserstein');
    expect(defaultDriftTest('numeric', 1001, 5, 5)).toBe('jensen-shannon');
    expect(defaultDriftTest('numeric', 1001, 4, 6)).toBe('wasserstein');
    expect(defaultDriftTest('categorical', 5000, 40, 40)).toBe('jensen-shannon');
  });

  it('leaves missing values out and calls a dataset drifted when half its columns drift', () => {
    const shifted = columnDrift('delay', numeric([...Array.from({ length: 50 }, (_, i) => i), NaN]), numeric(Array.from({ length: 50 }, (_, i) => i + 30)));
    expect(shifted).toMatchObject({ test: 'ks', scoreKind: 'p-value', drifted: true, referenceCount: 50, currentCount: 50 });
    const steady = columnDrift('carrier', categorical(['AA', 'UA', 'DL', 'AA', null as unknown as string]), categorical(['UA', 'AA', 'DL', 'AA']));
    expect(steady).toMatchObject({ test: 'chi-square', drifted: false, referenceCount: 4 });
    expect(datasetDrift([shifted, steady])).toEqual({ drifted: true, driftedColumns: 1, share: 0.5 });
    expect(datasetDrift([shifted, steady, steady])).toMatchObject({ drifted: false, driftedColumns: 1 });
  });
});
