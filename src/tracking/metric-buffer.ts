/**
 * Metric points waiting to be written, one growable set of typed arrays per key (the hot path of
 * `run.logMetric`: no object per point, and the arrays go to the store as they are).
 */
import type { MetricSeries } from '../store/run-store.js';

class GrowableSeries {
  steps = new Float64Array(1024);
  timestamps = new Float64Array(1024);
  values = new Float64Array(1024);
  length = 0;

  push(value: number, step: number, timestamp: number): void {
    if (this.length === this.values.length) this.grow();
    this.values[this.length] = value;
    this.steps[this.length] = step;
    this.timestamps[this.length] = timestamp;
    this.length++;
  }

  private grow(): void {
    const capacity = this.values.length * 2;
    const resize = (array: Float64Array) => {
      const bigger = new Float64Array(capacity);
      bigger.set(array);
      return bigger;
    };
    this.steps = resize(this.steps);
    this.timestamps = resize(this.timestamps);
    this.values = resize(this.values);
  }
}

export class MetricBuffer {
  private series = new Map<string, GrowableSeries>();
  /** Points held, over all keys. */
  size = 0;

  /** Whether the key already has points here (so that it was validated). */
  has(key: string): boolean {
    return this.series.has(key);
  }

  push(key: string, value: number, step: number, timestamp: number): void {
    let series = this.series.get(key);
    if (series === undefined) {
      series = new GrowableSeries();
      this.series.set(key, series);
    }
    series.push(value, step, timestamp);
    this.size++;
  }

  /** Takes every point out, as series ready for the store. */
  drain(): MetricSeries[] {
    const drained = [...this.series].map(([key, series]) => ({
      key,
      steps: series.steps.subarray(0, series.length),
      timestamps: series.timestamps.subarray(0, series.length),
      values: series.values.subarray(0, series.length),
    }));
    this.series = new Map();
    this.size = 0;
    return drained;
  }
}
