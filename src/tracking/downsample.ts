/**
 * Downsampling a metric history for charts: the steps are cut into equal-width buckets and each bucket
 * keeps its lowest and highest point (the min-max half of M4, Jugel et al. 2014, "M4: A
 * Visualization-Oriented Time Series Data Aggregation"), so spikes and dips survive at any zoom. Points
 * come back in step order. Typed arrays throughout: a million points take a few milliseconds.
 */
import type { MetricSeries } from '../store/run-store.js';

/** The indices of the points in step order (the logged order when steps never decrease). */
function stepOrder(steps: Float64Array): Uint32Array {
  const order = new Uint32Array(steps.length);
  let sorted = true;
  for (let index = 0; index < steps.length; index++) {
    order[index] = index;
    if (index > 0 && (steps[index] as number) < (steps[index - 1] as number)) sorted = false;
  }
  if (!sorted) order.sort((a, b) => (steps[a] as number) - (steps[b] as number) || a - b);
  return order;
}

/** At most `maxPoints` points of a series (at least 2), keeping each bucket's minimum and maximum. */
export function downsampleSeries(series: MetricSeries, maxPoints = 1000): MetricSeries {
  const count = series.values.length;
  const limit = Math.max(2, Math.floor(maxPoints));
  const order = stepOrder(series.steps);
  if (count <= limit) return takePoints(series, Array.from(order));
  const buckets = Math.floor(limit / 2);
  const first = series.steps[order[0] as number] as number;
  const span = (series.steps[order[count - 1] as number] as number) - first;
  // Equal-width step buckets; when every step is the same, equal-count buckets instead.
  const bucketOf = (position: number) =>
    span > 0 ? Math.min(buckets - 1, Math.floor((((series.steps[order[position] as number] as number) - first) / span) * buckets)) : Math.floor((position * buckets) / count);
  const picked: number[] = [];
  let start = 0;
  while (start < count) {
    const bucket = bucketOf(start);
    let low = -1;
    let high = -1;
    let position = start;
    for (; position < count && bucketOf(position) === bucket; position++) {
      const value = series.values[order[position] as number] as number;
      if (Number.isNaN(value)) continue;
      if (low < 0 || value < (series.values[order[low] as number] as number)) low = position;
      if (high < 0 || value > (series.values[order[high] as number] as number)) high = position;
    }
    if (low < 0) picked.push(order[start] as number);
    else if (low === high) picked.push(order[low] as number);
    else picked.push(order[Math.min(low, high)] as number, order[Math.max(low, high)] as number);
    start = position;
  }
  return takePoints(series, picked);
}

function takePoints(series: MetricSeries, picked: readonly number[]): MetricSeries {
  const take = (array: Float64Array) => Float64Array.from(picked, (index) => array[index] as number);
  return { key: series.key, steps: take(series.steps), timestamps: take(series.timestamps), values: take(series.values) };
}
