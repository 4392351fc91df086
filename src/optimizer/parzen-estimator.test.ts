// Parzen estimators against Optuna 3.1's `_ParzenEstimator` on a fixed history, as it is (density
// 'optuna-3.1') and patched with optuna/optuna#5110 ('normalised'): test/fixtures/tune/parzen-reference.py
// computed the fixture.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mersenneTwister } from '../stats/mersenne-twister.js';
import { defaultWeights, DEFAULT_PARZEN_OPTIONS, ParzenEstimator } from './parzen-estimator.js';
import type { Distribution } from './search-space.js';

interface ParzenCase {
  density: 'optuna-3.1' | 'normalised';
  multivariate: boolean;
  space: Record<string, Distribution>;
  observations: Record<string, number[]>;
  points: Record<string, number[]>;
  logDensity: number[];
  seed: number;
  samples: Record<string, number[]>;
  sampleLogDensity: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/tune/parzen-reference.json', import.meta.url), 'utf8')) as { parzen: ParzenCase[] };

describe('ParzenEstimator against Optuna', () => {
  for (const reference of fixture.parzen) {
    const label = `${Object.keys(reference.space).join('+')} (${reference.density}${reference.multivariate ? ', multivariate' : ''})`;
    const estimator = new ParzenEstimator(reference.observations, reference.space, { ...DEFAULT_PARZEN_OPTIONS, multivariate: reference.multivariate, density: reference.density });

    it(`log density of ${label} agrees within 1e-9`, () => {
      const got = estimator.logDensity(reference.points);
      reference.logDensity.forEach((expected, i) => expect(got[i]).toBeCloseTo(expected, 9));
    });

    it(`samples of ${label} from numpy's random numbers agree within 1e-9`, () => {
      const samples = estimator.sample(mersenneTwister(reference.seed), reference.samples[Object.keys(reference.space)[0] ?? '']?.length ?? 0);
      for (const [name, expected] of Object.entries(reference.samples)) {
        expected.forEach((value, i) => expect(samples[name]?.[i]).toBeCloseTo(value, 9));
      }
      const got = estimator.logDensity(samples);
      reference.sampleLogDensity.forEach((expected, i) => expect(got[i]).toBeCloseTo(expected, 9));
    });
  }
});

describe('ParzenEstimator', () => {
  it("integrates to one over a float range with density 'normalised'", () => {
    const estimator = new ParzenEstimator({ x: [0.1, 0.15, 0.8] }, { x: { type: 'float', low: 0, high: 1, log: false } }, { ...DEFAULT_PARZEN_OPTIONS, density: 'normalised' });
    const grid = Float64Array.from({ length: 20001 }, (_, i) => i / 20000);
    const density = estimator.logDensity({ x: grid });
    let integral = 0;
    for (let i = 1; i < grid.length; i++) integral += ((Math.exp(density[i] ?? 0) + Math.exp(density[i - 1] ?? 0)) / 2) * 5e-5;
    expect(integral).toBeCloseTo(1, 6);
  });

  it('sums to one over the values of an integer range', () => {
    const estimator = new ParzenEstimator({ n: [2, 2, 7] }, { n: { type: 'int', low: 1, high: 9, log: false, step: 2 } });
    const total = estimator.logDensity({ n: [1, 3, 5, 7, 9] }).reduce((sum, logP) => sum + Math.exp(logP), 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it('is the prior alone without observations', () => {
    const estimator = new ParzenEstimator({ x: [] }, { x: { type: 'float', low: -1, high: 1, log: false } });
    expect([...estimator.weights]).toEqual([1]);
  });

  it("weighs older observations less beyond 25, as Optuna's default_weights", () => {
    expect(defaultWeights(3)).toEqual([1, 1, 1]);
    const weights = defaultWeights(30);
    expect(weights).toHaveLength(30);
    expect(weights[0]).toBeCloseTo(1 / 30, 15);
    expect(weights.slice(4)).toEqual(new Array(26).fill(1));
    expect(defaultWeights(26)[0]).toBeCloseTo(1 / 26, 15);
  });
});
