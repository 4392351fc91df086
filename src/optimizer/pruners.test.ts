// Median and successive-halving pruners against Optuna 3.1's decisions on the same learning curves:
// test/fixtures/tune/pruner-reference.py computed the fixture.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { medianPruner, nanPercentile } from './median-pruner.js';
import type { Pruner } from './pruner.js';
import { Study } from './study.js';
import { successiveHalvingPruner } from './successive-halving-pruner.js';
import type { Direction } from './trial.js';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/tune/pruner-reference.json', import.meta.url), 'utf8')) as {
  curves: (number | null)[][];
  cases: { pruner: string; direction: Direction; prunedAt: (number | null)[] }[];
};

const PRUNERS: Record<string, () => Pruner> = {
  median: () => medianPruner(),
  'median-warmup': () => medianPruner({ nStartupTrials: 3, nWarmupSteps: 4, intervalSteps: 3 }),
  'successive-halving': () => successiveHalvingPruner({ minResource: 1 }),
  'successive-halving-auto': () => successiveHalvingPruner({ reductionFactor: 3, minEarlyStoppingRate: 1 }),
};

describe('pruners against Optuna', () => {
  for (const reference of fixture.cases) {
    it(`${reference.pruner} (${reference.direction}) stops the same trials at the same steps`, () => {
      const make = PRUNERS[reference.pruner];
      if (make === undefined) throw new Error(`no pruner ${reference.pruner}`);
      const sign = reference.direction === 'minimize' ? 1 : -1;
      const study = new Study({ space: {}, direction: reference.direction, sampler: { sampleIndependent: () => 0 }, pruner: make() });
      const prunedAt = fixture.curves.map((curve) => {
        const trial = study.ask();
        for (const [step, value] of curve.entries()) {
          study.report(trial.number, step, sign * (value ?? NaN));
          if (study.shouldPrune(trial.number)) {
            study.tell(trial.number, { state: 'pruned' });
            return step;
          }
        }
        study.tell(trial.number, { state: 'complete', value: sign * (curve[curve.length - 1] ?? NaN) });
        return null;
      });
      expect(prunedAt).toEqual(reference.prunedAt);
    });
  }
});

describe('nanPercentile', () => {
  it("interpolates linearly between order statistics, as numpy's nanpercentile", () => {
    expect(nanPercentile([4, 1, NaN, 3, 2], 50)).toBe(2.5);
    expect(nanPercentile([1, 2, 3, 4], 25)).toBe(1.75);
    expect(nanPercentile([NaN], 50)).toBeNaN();
  });
});
