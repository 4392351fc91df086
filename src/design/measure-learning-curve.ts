/**
 * Runs a candidate's training on growing fractions of the training rows (several seeds each) and records
 * the validation metric, the training time and the peak memory of each run: the raw material of the
 * learning curve (learning-curve.ts) and the compute cost (compute-cost.ts). The candidate is a function
 * from the chosen training rows to a validation score, so any of mlcycle's trainers plugs in.
 */
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../stats/random.js';
import type { CostMeasurement } from './compute-cost.js';
import type { LearningCurvePoint } from './learning-curve.js';

/** Trains on the given row indices (of the training set) and returns the validation metric. */
export type TrainAndScore = (rows: Int32Array, seed: number) => Promise<number> | number;

export interface LearningCurveRunOptions {
  /** Rows in the training set. */
  trainingRows: number;
  fractions?: readonly number[];
  seeds?: readonly number[];
}

export interface LearningCurveRun {
  points: LearningCurvePoint[];
  costs: CostMeasurement[];
}

export const DEFAULT_FRACTIONS: readonly number[] = [0.05, 0.1, 0.2, 0.4, 0.7, 1];

/** Trains on each fraction and seed: a seeded sample without replacement (Fisher-Yates prefix), timed. */
export async function measureLearningCurve(trainAndScore: TrainAndScore, options: LearningCurveRunOptions): Promise<LearningCurveRun> {
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  const seeds = options.seeds ?? [1, 2, 3];
  const points: LearningCurvePoint[] = [];
  const costs: CostMeasurement[] = [];
  for (const fraction of fractions) {
    const count = Math.max(1, Math.round(fraction * options.trainingRows));
    for (const seed of seeds) {
      const rows = sampleRows(options.trainingRows, count, seededRandom(seed * 7919 + count));
      const before = process.memoryUsage();
      const start = performance.now();
      const value = await trainAndScore(rows, seed);
      const seconds = (performance.now() - start) / 1000;
      // Peak is approximated by the heap and external memory in use right after training, above the start.
      const after = process.memoryUsage();
      const peakBytes = Math.max(0, after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers));
      points.push({ rows: count, value });
      costs.push({ rows: count, seconds, peakBytes });
    }
  }
  return { points, costs };
}

/** `count` of `total` row indices drawn without replacement (a Fisher-Yates prefix), in ascending order. */
export function sampleRows(total: number, count: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: total }, (_, index) => index);
  for (let index = 0; index < count; index += 1) {
    const swap = index + Math.floor(random() * (total - index));
    const held = order[index] as number;
    order[index] = order[swap] as number;
    order[swap] = held;
  }
  return order.slice(0, count).sort();
}
