/**
 * Standard test functions for black-box optimisers, as defined in Surjanovic and Bingham's Virtual Library
 * of Simulation Experiments (sfu.ca/~ssurjano), each with its search space and known minimum;
 * bench/tune-reference.py defines the same three for Optuna.
 */
import type { ParameterValue, SearchSpace } from './search-space.js';

export interface TestFunction {
  space: SearchSpace;
  evaluate: (params: Readonly<Record<string, ParameterValue>>) => number;
  /** The global minimum, so that results can be compared as regret (best found minus this). */
  minimum: number;
}

function floats(names: number, low: number, high: number): SearchSpace {
  return Object.fromEntries(Array.from({ length: names }, (_, i) => [`x${i}`, { type: 'float', low, high, log: false }]));
}

function vector(params: Readonly<Record<string, ParameterValue>>, length: number): number[] {
  return Array.from({ length }, (_, i) => params[`x${i}`] as number);
}

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H6_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]];

export const TEST_FUNCTIONS: Record<'branin' | 'hartmann6' | 'sphere10', TestFunction> = {
  branin: {
    space: { x0: { type: 'float', low: -5, high: 10, log: false }, x1: { type: 'float', low: 0, high: 15, log: false } },
    evaluate: (params) => {
      const [x = 0, y = 0] = vector(params, 2);
      return (y - (5.1 / (4 * Math.PI ** 2)) * x ** 2 + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
    },
    minimum: 0.397887357729739,
  },
  hartmann6: {
    space: floats(6, 0, 1),
    evaluate: (params) => {
      const x = vector(params, 6);
      let sum = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < 6; j++) inner += (H6_A[i]?.[j] ?? 0) * ((x[j] ?? 0) - 1e-4 * (H6_P[i]?.[j] ?? 0)) ** 2;
        sum += (H6_ALPHA[i] ?? 0) * Math.exp(-inner);
      }
      return -sum;
    },
    minimum: -3.322368011391339,
  },
  sphere10: {
    space: floats(10, -5, 5),
    evaluate: (params) => vector(params, 10).reduce((sum, x) => sum + x * x, 0),
    minimum: 0,
  },
};
