import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { chiSquareVariate, gammaVariate, standardNormal } from './random-variates.js';

function moments(draw: () => number, count: number): { mean: number; variance: number } {
  let sum = 0;
  let sumSquares = 0;
  for (let index = 0; index < count; index += 1) {
    const value = draw();
    sum += value;
    sumSquares += value * value;
  }
  const mean = sum / count;
  return { mean, variance: sumSquares / count - mean * mean };
}

describe('random variates', () => {
  it('draw normal, gamma and chi-square variates with their moments (200,000 draws, within 4 standard errors)', () => {
    const random = seededRandom(7);
    const normal = moments(() => standardNormal(random), 200_000);
    expect(Math.abs(normal.mean)).toBeLessThan(4 / Math.sqrt(200_000));
    expect(Math.abs(normal.variance - 1)).toBeLessThan(4 * Math.sqrt(2 / 200_000));
    for (const shape of [0.4, 1, 3.5, 50]) {
      const gamma = moments(() => gammaVariate(random, shape), 200_000);
      expect(Math.abs(gamma.mean - shape)).toBeLessThan(4 * Math.sqrt(shape / 200_000));
      expect(Math.abs(gamma.variance / shape - 1)).toBeLessThan(0.05);
    }
    expect(Math.abs(moments(() => chiSquareVariate(random, 9), 100_000).mean - 9)).toBeLessThan(4 * Math.sqrt(18 / 100_000));
  });

  it('are reproducible from the seed', () => {
    const first = seededRandom(11);
    const second = seededRandom(11);
    expect([gammaVariate(first, 2), standardNormal(first)]).toEqual([gammaVariate(second, 2), standardNormal(second)]);
  });
});
