/**
 * Baselines every model must beat: the prior (class shares) or mean of the training labels, and a grouped
 * historical rate, such as the delay rate of each route, smoothed towards the overall rate so that a group
 * seen a few times does not get an extreme rate: (sum + m * prior) / (count + m), an m-estimate. Groups
 * never seen in training get the overall rate.
 */
import { MlcycleError } from '../error.js';

export interface ConstantBaseline {
  kind: 'constant';
  /** Class shares (classification) or the mean (regression), per output. */
  values: number[];
}

export interface GroupedRateBaseline {
  kind: 'grouped-rate';
  /** The smoothing pseudo-count m. */
  smoothing: number;
  prior: number;
  /** Group key (the key columns' values joined by a unit separator) to [sum, count]. */
  groups: Record<string, [number, number]>;
}

export const GROUP_KEY_SEPARATOR = '\u001f';
export const DEFAULT_SMOOTHING = 20;

function checkLabels(label: ArrayLike<number>): void {
  if (label.length === 0) throw new MlcycleError('invalid_input', 'a baseline needs at least one labelled row');
  for (let row = 0; row < label.length; row++) {
    if (!Number.isFinite(label[row])) throw new MlcycleError('invalid_input', `label of row ${row} is missing or not a number`);
  }
}

/** The prior of each class 0..K-1 (for classification) or the mean (for regression). */
export function fitConstantBaseline(label: ArrayLike<number>, task: 'binary' | 'multiclass' | 'regression'): ConstantBaseline {
  checkLabels(label);
  if (task === 'regression') {
    let sum = 0;
    for (let row = 0; row < label.length; row++) sum += label[row] as number;
    return { kind: 'constant', values: [sum / label.length] };
  }
  let classes = 0;
  for (let row = 0; row < label.length; row++) classes = Math.max(classes, (label[row] as number) + 1);
  const counts = new Array<number>(task === 'binary' ? 2 : classes).fill(0);
  for (let row = 0; row < label.length; row++) counts[label[row] as number] = (counts[label[row] as number] ?? 0) + 1;
  const shares = counts.map((count) => count / label.length);
  // A binary baseline predicts P(y = 1), as binary models do.
  return { kind: 'constant', values: task === 'binary' ? [shares[1] ?? 0] : shares };
}

/** The rate of the label per group of key values. */
export function fitGroupedRate(keys: readonly (readonly string[])[], label: ArrayLike<number>, smoothing = DEFAULT_SMOOTHING): GroupedRateBaseline {
  checkLabels(label);
  if (keys.length !== label.length) throw new MlcycleError('invalid_input', `${keys.length} keys for ${label.length} labels`);
  const groups: Record<string, [number, number]> = {};
  let total = 0;
  for (let row = 0; row < label.length; row++) {
    const key = (keys[row] ?? []).join(GROUP_KEY_SEPARATOR);
    const entry = (groups[key] ??= [0, 0]);
    entry[0] += label[row] as number;
    entry[1] += 1;
    total += label[row] as number;
  }
  return { kind: 'grouped-rate', smoothing, prior: total / label.length, groups };
}

/** Predictions of a grouped rate for rows of key values. */
export function predictGroupedRate(model: GroupedRateBaseline, keys: readonly (readonly string[])[]): Float64Array {
  return Float64Array.from(keys, (key) => {
    const group = Object.hasOwn(model.groups, key.join(GROUP_KEY_SEPARATOR)) ? model.groups[key.join(GROUP_KEY_SEPARATOR)] : undefined;
    if (group === undefined) return model.prior;
    return (group[0] + model.smoothing * model.prior) / (group[1] + model.smoothing);
  });
}
