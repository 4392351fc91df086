/**
 * MLflow's log-batch request read whole before anything is stored: every entry is checked (keys, value
 * lengths, numbers, MLflow's batch limits), and the first problem is reported with the entry's position
 * (`metrics[3].step: ...`), all problems in `issues`. The store then writes the batch in one transaction.
 */
import { MlcycleError } from '../../error.js';
import { keyRecord } from '../../key-record.js';
import type { MetricSeries, RunBatch } from '../../store/run-store.js';
import { IssueList, keyProblem, metricPointProblem, TRACKING_LIMITS } from '../../tracking/limits.js';
import { optionalInteger, optionalList, requiredNumber, type Fields } from './request-fields.js';

function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const limits: [string, number, number][] = [
    ['metrics', metrics, TRACKING_LIMITS.metricsPerBatch],
    ['params', params, TRACKING_LIMITS.paramsPerBatch],
    ['tags', tags, TRACKING_LIMITS.tagsPerBatch],
    ['metrics, params, and tags', metrics + params + tags, TRACKING_LIMITS.entitiesPerBatch],
  ];
  for (const [what, count, limit] of limits) {
    if (count > limit) throw new MlcycleError('invalid_input', `A batch logging request can contain at most ${limit} ${what}. Got ${count} ${what}.`);
  }
}

/** `[{key, value}]` entries as a record, each entry checked; a key given twice with two values is refused. */
function readKeyValues(items: readonly Fields[], name: 'params' | 'tags', issues: IssueList): Record<string, string> {
  const record = keyRecord<string>();
  const limit = name === 'params' ? TRACKING_LIMITS.paramValueLength : TRACKING_LIMITS.tagValueLength;
  items.forEach((item, index) => {
    const key = item.key;
    const problem = keyProblem(key);
    if (problem !== undefined) return issues.add(`${name}[${index}].key`, problem);
    const value = item.value ?? '';
    if (typeof value !== 'string') return issues.add(`${name}[${index}].value`, `expected a string, got ${typeof value}`);
    if (value.length > limit) return issues.add(`${name}[${index}].value`, `has ${value.length} characters, more than the limit of ${limit}`);
    if (Object.hasOwn(record, key as string) && record[key as string] !== value) return issues.add(`${name}[${index}].key`, `"${String(key)}" is given twice with different values`);
    record[key as string] = value;
    return undefined;
  });
  return record;
}

/** Metric entries grouped into series by key, in the order given. */
function readMetrics(items: readonly Fields[], now: number, issues: IssueList): MetricSeries[] {
  const byKey = new Map<string, { steps: number[]; timestamps: number[]; values: number[] }>();
  items.forEach((item, index) => {
    const where = `metrics[${index}]`;
    // A batch repeats a few keys many times: check each key once.
    const problem = typeof item.key === 'string' && byKey.has(item.key) ? undefined : keyProblem(item.key);
    if (problem !== undefined) return issues.add(`${where}.key`, problem);
    let value: number;
    let step: number;
    let timestamp: number;
    try {
      value = requiredNumber(item, 'value');
      step = optionalInteger(item, 'step') ?? 0;
      timestamp = optionalInteger(item, 'timestamp') ?? now;
    } catch (error) {
      const issue = error instanceof MlcycleError ? error.issues[0] : undefined;
      if (issue === undefined) throw error;
      return issues.add(`${where}.${issue.path}`, issue.message);
    }
    const pointProblem = metricPointProblem(value, step, timestamp);
    if (pointProblem !== undefined) return issues.add(where, pointProblem);
    const key = item.key as string;
    let series = byKey.get(key);
    if (series === undefined) byKey.set(key, (series = { steps: [], timestamps: [], values: [] }));
    series.steps.push(step);
    series.timestamps.push(timestamp);
    series.values.push(value);
    return undefined;
  });
  return [...byKey].map(([key, series]) => ({ key, steps: Float64Array.from(series.steps), timestamps: Float64Array.from(series.timestamps), values: Float64Array.from(series.values) }));
}

/** A log-batch body as a checked batch; `now` stamps metric points sent without a timestamp. */
export function readLogBatch(fields: Fields, now: number): RunBatch {
  const metrics = optionalList(fields, 'metrics');
  const params = optionalList(fields, 'params');
  const tags = optionalList(fields, 'tags');
  checkBatchLimits(metrics.length, params.length, tags.length);
  const issues = new IssueList();
  const batch = { params: readKeyValues(params, 'params', issues), tags: readKeyValues(tags, 'tags', issues), metrics: readMetrics(metrics, now, issues) };
  issues.throwIfAny('invalid batch');
  return batch;
}

/** Metric entries (log-metric's single point or a list) as checked series. */
export function readMetricEntries(items: readonly Fields[], now: number): MetricSeries[] {
  const issues = new IssueList();
  const series = readMetrics(items, now, issues);
  issues.throwIfAny('invalid metric');
  return series;
}
