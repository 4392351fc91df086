import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { powerOfSequentialTest, powerOfTest } from '../experiment/power.js';
import { estimateTestSize, type MetricBaseline } from './test-size.js';

interface ReferenceCase {
  baseline: MetricBaseline;
  mde: number;
  ratio: number;
  alpha: number;
  power: number;
  alternative: 'two-sided' | 'larger';
  effectSize: number;
  normalControlUnits: number;
  tTestControlUnits: number;
}

const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/design/test-size-reference.json', import.meta.url), 'utf8')) as { cases: ReferenceCase[] };

describe('estimateTestSize against statsmodels (test/fixtures/design/test-size-reference.py)', () => {
  it.each(reference.cases.map((c, index) => [index, c] as const))('case %i: units per arm as NormalIndPower and TTestIndPower solve them', (_index, c) => {
    const size = estimateTestSize({
      baseline: c.baseline,
      minimumDetectableEffect: c.mde,
      alpha: c.alpha,
      power: c.power,
      ratio: c.ratio,
      alternative: c.alternative === 'larger' ? 'greater' : 'two-sided',
      dailyUnits: 1000,
    });
    expect(size.effectSize).toBeCloseTo(c.effectSize, 12);
    // statsmodels' solver stops at about 1e-6 relative; ours bisects to full precision.
    expect(Math.abs(size.fixedHorizon.exactControlUnits - c.normalControlUnits) / c.normalControlUnits).toBeLessThan(1e-5);
    expect(Math.abs(size.tTestControlUnits - c.tTestControlUnits) / c.tTestControlUnits).toBeLessThan(1e-5);
    expect(size.fixedHorizon.controlUnits).toBe(Math.ceil(c.normalControlUnits));
    expect(size.fixedHorizon.treatmentUnits).toBe(Math.ceil(size.fixedHorizon.controlUnits * c.ratio - 1e-9));
    expect(size.fixedHorizon.days).toBe(Math.ceil((size.fixedHorizon.controlUnits + size.fixedHorizon.treatmentUnits) / 1000));
  });
});

describe('estimateTestSize', () => {
  const request = { baseline: { kind: 'rate', rate: 0.2 } as const, minimumDetectableEffect: 0.05, alpha: 0.05, power: 0.8, ratio: 1, alternative: 'two-sided' as const, dailyUnits: 20_000 };

  it('gives a sequential test more units than the fixed horizon, each reaching the power it was asked for', () => {
    const size = estimateTestSize(request);
    const design = { ratio: 1, alpha: 0.05, alternative: 'two-sided' as const };
    expect(size.sequential.controlUnits).toBeGreaterThan(size.fixedHorizon.controlUnits);
    expect(powerOfTest(size.effectSize, { ...design, controlUnits: size.fixedHorizon.controlUnits })).toBeGreaterThanOrEqual(0.8);
    expect(powerOfTest(size.effectSize, { ...design, controlUnits: size.fixedHorizon.controlUnits - 1 })).toBeLessThan(0.8);
    expect(powerOfSequentialTest(size.effectSize, { ...design, controlUnits: size.sequential.controlUnits })).toBeGreaterThanOrEqual(0.8);
    expect(powerOfSequentialTest(size.effectSize, { ...design, controlUnits: size.sequential.controlUnits - 1 })).toBeLessThan(0.8);
  });

  it('turns units into days at the stated daily volume', () => {
    const size = estimateTestSize(request);
    expect(size.fixedHorizon.days).toBe(Math.ceil((2 * size.fixedHorizon.controlUnits) / 20_000));
    const doubled = estimateTestSize({ ...request, dailyUnits: 40_000 });
    expect(doubled.fixedHorizon.controlUnits).toBe(size.fixedHorizon.controlUnits);
    expect(doubled.fixedHorizon.days).toBe(Math.ceil((2 * size.fixedHorizon.controlUnits) / 40_000));
  });

  it('takes an absolute effect on a mean as it is', () => {
    const relative = estimateTestSize({ ...request, baseline: { kind: 'mean', mean: 10, standardDeviation: 4 }, minimumDetectableEffect: 0.1 });
    const absolute = estimateTestSize({ ...request, baseline: { kind: 'mean', mean: 10, standardDeviation: 4 }, minimumDetectableEffect: 1, absolute: true });
    expect(absolute.effectSize).toBeCloseTo(0.25, 12);
    expect(absolute.fixedHorizon).toEqual(relative.fixedHorizon);
  });
});
