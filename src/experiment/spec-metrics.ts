/**
 * The spec's success metrics and guardrails (mlcycle.yaml `successMetrics`) as the analysis' metric list:
 *   - for `mlcycle stats analyze FILE.json`: a metric of the file whose id is a spec metric takes the
 *     spec's kind, role, direction, non-inferiority margin and minimum detectable effect wherever the file
 *     does not give them (the file wins where it does; a different kind is an error);
 *   - for the experiment stage: each spec metric becomes the SQL that aggregates it from an outcome table,
 *     by event name (`source.event`: events counted, or `source.column` summed over those events) or by
 *     column (`source.column` summed per unit).
 * The spec's margins are relative ("how much worse, relative"), so they apply only on the relative scale.
 */
import { quoteIdentifier, quoteLiteral } from '../store/analytics.js';
import type { PathSegment, SpecIssue } from '../problem/spec-issues.js';
import type { ProblemSpec, SuccessMetric } from '../problem/spec-schema.js';
import type { MetricColumns, ValueSource } from './aggregate-statistics.js';

/** What `applySpecMetrics` did: the completed raw input, the problems found, and per metric the fields taken from the spec. */
export interface SpecMetricMerge {
  raw: unknown;
  issues: SpecIssue[];
  fromSpec: { id: string; fields: string[] }[];
}

/** Completes the raw analysis input (before validation) with the spec's metric definitions. */
export function applySpecMetrics(raw: unknown, spec: Pick<ProblemSpec, 'successMetrics'>): SpecMetricMerge {
  const issues: SpecIssue[] = [];
  const fromSpec: SpecMetricMerge['fromSpec'] = [];
  if (!isRecord(raw) || !Array.isArray(raw.metrics)) return { raw, issues, fromSpec };
  const options = isRecord(raw.options) ? raw.options : {};
  const scale = options.scale === 'absolute' ? 'absolute' : 'relative';
  const metrics = raw.metrics.map((metric: unknown, index: number) => {
    if (!isRecord(metric) || typeof metric.id !== 'string') return metric;
    const definition = spec.successMetrics.find((candidate) => candidate.id === metric.id);
    if (definition === undefined) return metric;
    const path: PathSegment[] = ['metrics', index];
    const filled: Record<string, unknown> = { ...metric };
    const fields: string[] = [];
    const take = (field: string, value: unknown): void => {
      if (value === undefined || filled[field] !== undefined) return;
      filled[field] = value;
      fields.push(field);
    };
    if (metric.kind !== undefined && metric.kind !== definition.kind) {
      issues.push({ segments: [...path, 'kind'], message: `mlcycle.yaml defines ${definition.id} as a ${definition.kind} metric, not ${String(metric.kind)}` });
    }
    take('kind', definition.kind);
    take('role', definition.role);
    take('direction', definition.direction);
    take('minimumDetectableEffect', definition.minimumDetectableEffect[scale]);
    if (definition.kind === 'quantile') take('quantile', definition.quantile);
    if (definition.nonInferiorityMargin !== undefined && filled.nonInferiorityMargin === undefined) {
      if (scale === 'relative') take('nonInferiorityMargin', definition.nonInferiorityMargin);
      else issues.push({ segments: [...path, 'nonInferiorityMargin'], message: `mlcycle.yaml gives ${definition.id} a relative margin; with options.scale "absolute" give the margin here` });
    }
    if (fields.length > 0) fromSpec.push({ id: definition.id, fields });
    return filled;
  });
  return { raw: { ...raw, metrics }, issues, fromSpec };
}

/** Where the outcome relation keeps event names, for metrics defined by event. */
export interface OutcomeEvents {
  /** The column holding each row's event name (default `event`). */
  eventColumn?: string;
}

/** The SQL value source of one spec source reference: a column, a count of events, or a column over events. */
function valueOf(reference: { event?: string | undefined; column?: string | undefined }, eventColumn: string): ValueSource {
  if (reference.event === undefined) return reference.column ?? '';
  const matches = `${quoteIdentifier(eventColumn)} = ${quoteLiteral(reference.event)}`;
  return { expression: reference.column === undefined ? `CASE WHEN ${matches} THEN 1 ELSE 0 END` : `CASE WHEN ${matches} THEN ${quoteIdentifier(reference.column)} END` };
}

/** The spec's success metrics as metrics the DuckDB aggregation computes; CUPED for means, proportions and ratios when asked. */
export function specMetricColumns(metrics: readonly SuccessMetric[], events: OutcomeEvents = {}, cuped = false): MetricColumns[] {
  const eventColumn = events.eventColumn ?? 'event';
  return metrics.map((metric): MetricColumns => {
    const { source } = metric;
    if (metric.kind === 'ratio') {
      return { id: metric.id, kind: 'ratio', numerator: valueOf(source.numerator ?? {}, eventColumn), denominator: valueOf(source.denominator ?? {}, eventColumn), cuped };
    }
    const value = valueOf(source, eventColumn);
    if (metric.kind === 'quantile') return { id: metric.id, kind: 'quantile', value, quantile: metric.quantile ?? 0.5 };
    if (metric.kind === 'proportion') return { id: metric.id, kind: 'proportion', value, cuped };
    return { id: metric.id, kind: 'mean', value, cuped };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
