/**
 * Parameter importances: the share of the objective's variance that each parameter explains on its own.
 *
 * Optuna's default is fANOVA (Hutter, Hoos and Leyton-Brown 2014), which fits a random forest and
 * decomposes its variance. mlcycle estimates the same first-order quantity directly: the first-order
 * sensitivity index Var(E[y | x_i]) / Var(y) (Sobol 1993; estimated by binning as in Saltelli et al. 2008,
 * "Global Sensitivity Analysis: The Primer", section 4.1). Per parameter, the complete trials where it is
 * active are grouped (by choice for categorical parameters, into equal-count bins of its sorted values
 * otherwise), and the between-group sum of squares is corrected for the groups' own noise as epsilon
 * squared (Kelley 1935): (SS_between - (groups - 1) MS_within) / SS_total, floored at 0. A parameter that
 * does not matter then scores about 0 rather than about (groups - 1) / (n - 1). Importances are
 * normalised to sum to 1, as Optuna's are. Interactions are not attributed to either parameter.
 */
import type { SearchSpace } from './search-space.js';
import type { Trial } from './trial.js';

export interface ParameterImportances {
  /** Parameters by importance, largest first; the values sum to 1 unless `degenerate` says why not. */
  importances: { name: string; importance: number }[];
  /**
   * Why no parameter could be credited: too few trials, no variance in the objective, or variance that no
   * single parameter's bins explain beyond chance (epsilon squared at most 0 for each; common with few trials).
   */
  degenerate?: 'too-few-trials' | 'constant-objective' | 'unexplained';
}

/** Importances from the complete trials of a study. */
export function parameterImportances(space: SearchSpace, trials: readonly Trial[]): ParameterImportances {
  const complete = trials.filter((trial) => trial.state === 'complete' && trial.value !== undefined && Number.isFinite(trial.value));
  const raw = Object.entries(space).map(([name, parameter]) => {
    const points = complete.flatMap((trial) => (trial.params[name] === undefined ? [] : [{ x: trial.params[name], y: trial.value as number }]));
    const groups = parameter.type === 'categorical' ? groupByChoice(points) : groupBySortedValue(points);
    return { name, importance: epsilonSquared(groups) };
  });
  const zero = raw.map(({ name }) => ({ name, importance: 0 }));
  if (complete.length < 4) return { importances: zero, degenerate: 'too-few-trials' };
  const total = raw.reduce((sum, entry) => sum + entry.importance, 0);
  if (!(total > 0)) {
    const first = complete[0]?.value;
    return { importances: zero, degenerate: complete.every((trial) => trial.value === first) ? 'constant-objective' : 'unexplained' };
  }
  return { importances: raw.map(({ name, importance }) => ({ name, importance: importance / total })).sort((a, b) => b.importance - a.importance) };
}

function groupByChoice(points: readonly { x: unknown; y: number }[]): number[][] {
  const groups = new Map<unknown, number[]>();
  for (const { x, y } of points) groups.set(x, [...(groups.get(x) ?? []), y]);
  return [...groups.values()];
}

/** Equal-count bins of the values in order; about sqrt(n) bins, between 2 and 10; ties stay in one bin. */
function groupBySortedValue(points: readonly { x: unknown; y: number }[]): number[][] {
  const sorted = [...points].sort((a, b) => (a.x as number) - (b.x as number));
  const bins = Math.max(2, Math.min(10, Math.floor(Math.sqrt(sorted.length))));
  const groups: number[][] = [];
  let current: number[] = [];
  sorted.forEach((point, i) => {
    const boundary = Math.floor(((i + 1) * bins) / sorted.length) !== Math.floor((i * bins) / sorted.length);
    current.push(point.y);
    const nextDiffers = sorted[i + 1] === undefined || sorted[i + 1]?.x !== point.x;
    if (boundary && nextDiffers) {
      groups.push(current);
      current = [];
    }
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Epsilon squared of a one-way grouping, floored at 0; 0 for fewer than two groups or no variance. */
function epsilonSquared(groups: readonly number[][]): number {
  const n = groups.reduce((count, group) => count + group.length, 0);
  if (groups.length < 2 || n <= groups.length) return 0;
  const mean = groups.reduce((sum, group) => sum + group.reduce((s, y) => s + y, 0), 0) / n;
  let between = 0;
  let within = 0;
  for (const group of groups) {
    const groupMean = group.reduce((s, y) => s + y, 0) / group.length;
    between += group.length * (groupMean - mean) ** 2;
    for (const y of group) within += (y - groupMean) ** 2;
  }
  const total = between + within;
  if (!(total > 0)) return 0;
  const meanSquareWithin = within / (n - groups.length);
  return Math.max(0, (between - (groups.length - 1) * meanSquareWithin) / total);
}
