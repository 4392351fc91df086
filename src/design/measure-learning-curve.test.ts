import { describe, expect, it } from 'vitest';
import { fitGroupedRate, predictGroupedRate } from '../models/baselines.js';
import { rocAucScore } from '../metrics/roc-auc.js';
import { seededRandom } from '../stats/random.js';
import { estimateComputeCost } from './compute-cost.js';
import { fitLearningCurve } from './learning-curve.js';
import { measureLearningCurve } from './measure-learning-curve.js';

/** Routes with their own delay rates: a route-rate baseline learns them better with more rows. */
function routes(rows: number, seed: number): { keys: string[][]; label: Float64Array } {
  const random = seededRandom(seed);
  const rates = Array.from({ length: 400 }, (_, route) => 0.05 + 0.5 * ((route * 37) % 100) / 100);
  const keys: string[][] = [];
  const label = new Float64Array(rows);
  for (let row = 0; row < rows; row += 1) {
    const route = Math.floor(random() * rates.length);
    keys.push([`r${route}`]);
    label[row] = random() < (rates[route] as number) ? 1 : 0;
  }
  return { keys, label };
}

describe('measureLearningCurve', () => {
  it('trains the route-rate baseline on growing samples, and the curve fits and extrapolates', async () => {
    const train = routes(20_000, 1);
    const validation = routes(10_000, 2);
    const run = await measureLearningCurve(
      (rows) => {
        const model = fitGroupedRate(Array.from(rows, (row) => train.keys[row] as string[]), Array.from(rows, (row) => train.label[row] as number));
        return rocAucScore(validation.label, predictGroupedRate(model, validation.keys));
      },
      { trainingRows: 20_000 },
    );
    expect(run.points).toHaveLength(18);
    expect([...new Set(run.points.map((point) => point.rows))]).toEqual([1000, 2000, 4000, 8000, 14_000, 20_000]);
    const mean = (rows: number) => run.points.filter((point) => point.rows === rows).reduce((sum, point) => sum + point.value, 0) / 3;
    expect(mean(20_000)).toBeGreaterThan(mean(1000));
    const fit = fitLearningCurve(run.points, { higherIsBetter: true });
    if (!('asymptote' in fit)) throw new Error(fit.warnings.join('; '));
    expect(fit.extrapolations[2]?.metric.estimate).toBeGreaterThanOrEqual(mean(20_000) - 0.01);
    expect(fit.asymptote.estimate).toBeLessThan(1);
    const cost = estimateComputeCost(run.costs, [20_000, 200_000]);
    expect(cost?.projections[1]?.seconds).toBeGreaterThan(0);
  });
});
