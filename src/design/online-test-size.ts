/**
 * The online test a design commits to, sized from the spec: its primary success metric, that metric's
 * minimum detectable effect and direction, and a baseline. The baseline is, in this order:
 *   - the one given (a rate, or a mean with its standard deviation: what the metric is today);
 *   - estimated from the training data when the metric is a column there (mean and sample standard
 *     deviation; the mean is the rate of a 0/1 proportion column);
 *   - estimated from the event log when the metric is an event (`source.event`), as the experiment stage
 *     aggregates it (online-analysis.ts): every unit the log has seen is one observation, its value the
 *     count of its outcome events of that name (the sum of their values when the metric names a column), a
 *     proportion's the share of units with at least one. Units an A/B test or rollout served with another
 *     arm than its control are left out: the baseline is the product as it is. A product that has not
 *     launched has no such log, and then the baseline must be given.
 */
import { MlcycleError } from '../error.js';
import type { Alternative } from '../experiment/hypothesis-test.js';
import type { ProblemSpec, SuccessMetric } from '../problem/spec-schema.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { Workspace } from '../store/workspace.js';
import { estimateTestSize, type MetricBaseline, type TestSize, type TestSizeRequest } from './test-size.js';

export interface OnlineTestOptions {
  /** Units entering the experiment per day, both arms together. */
  dailyUnits: number;
  baseline?: MetricBaseline;
  alpha?: number;
  power?: number;
  alternative?: Alternative;
}

/** The test size with what it was computed from. */
export interface OnlineTestEvidence extends TestSize {
  metric: string;
  baseline: MetricBaseline;
  /** Where the baseline came from: "given", the dataset version it was estimated on, or "event log (N units)". */
  baselineSource: string;
  request: Omit<TestSizeRequest, 'baseline'>;
}

/** The spec's primary success metric (the first with role primary). */
export function primaryMetric(spec: Pick<ProblemSpec, 'successMetrics'>): SuccessMetric {
  const metric = spec.successMetrics.find((candidate) => candidate.role === 'primary');
  if (metric === undefined) throw new MlcycleError('invalid_input', 'mlcycle.yaml: successMetrics: no metric has role primary, so the online test cannot be sized');
  return metric;
}

/** The fields of the training data's version that the baseline reads. */
export type BaselineData = Pick<DatasetVersion, 'ref' | 'columns' | 'artifactKey'>;

async function estimateBaseline(engine: AnalyticsEngine, workspace: Workspace, metric: SuccessMetric, data: BaselineData): Promise<MetricBaseline | undefined> {
  const column = metric.source.column;
  if (column === undefined || metric.source.event !== undefined || !data.columns.some((entry) => entry.name === column)) return undefined;
  const file = workspace.artifacts.localPath(data.artifactKey);
  const [row] = await engine.query(`SELECT avg(CAST(${quoteIdentifier(column)} AS DOUBLE)) AS mean, stddev_samp(CAST(${quoteIdentifier(column)} AS DOUBLE)) AS sd FROM read_parquet(${quoteLiteral(file)})`);
  const mean = Number(row?.mean);
  const sd = Number(row?.sd);
  if (!Number.isFinite(mean) || !Number.isFinite(sd)) return undefined;
  return metric.kind === 'proportion' ? { kind: 'rate', rate: mean } : { kind: 'mean', mean, standardDeviation: sd };
}

/**
 * A proportion or mean metric defined by an event, from the event log (see the head of this file); none
 * when the log has fewer than two units, or a rate of 0 or 1 (no variance to size a test with).
 */
async function estimateBaselineFromEvents(engine: AnalyticsEngine, workspace: Workspace, metric: SuccessMetric): Promise<{ baseline: MetricBaseline; units: number } | undefined> {
  const event = metric.source.event;
  if (event === undefined || (metric.kind !== 'proportion' && metric.kind !== 'mean')) return undefined;
  const perUnit = metric.kind === 'proportion' ? 'CASE WHEN per.events > 0 THEN 1 ELSE 0 END' : metric.source.column === undefined ? 'per.events' : 'per.total';
  // Units an experiment or rollout served with anything but its control arm are not today's product:
  // they are left out. An exposure to an experiment the store does not know counts as treatment too.
  const controls = (await workspace.experiments.list()).map((record) => {
    const definition = record.definition as { control?: unknown; arms?: { id?: unknown }[] } | null;
    const control = typeof definition?.control === 'string' ? definition.control : definition?.arms?.[0]?.id;
    return typeof control === 'string' ? `(experiment = ${quoteLiteral(record.name)} AND arm = ${quoteLiteral(control)})` : undefined;
  });
  const onControl = controls.filter((condition) => condition !== undefined).join(' OR ') || 'false';
  const relation = await workspace.events.relation();
  try {
    const [row] = await engine.query(`WITH log AS (${relation.sql}),
treated AS (SELECT DISTINCT unit FROM log WHERE type = 'exposure' AND unit IS NOT NULL AND NOT (${onControl})),
units AS (SELECT DISTINCT unit FROM log WHERE unit IS NOT NULL AND unit NOT IN (SELECT unit FROM treated)),
per AS (SELECT unit, count(*) AS events, sum(value) AS total FROM log WHERE type = 'outcome' AND name = ${quoteLiteral(event)} AND unit IS NOT NULL GROUP BY unit)
SELECT count(*)::DOUBLE AS units, avg(x) AS mean, stddev_samp(x) AS sd
FROM (SELECT coalesce(CAST(${perUnit} AS DOUBLE), 0) AS x FROM units LEFT JOIN per ON per.unit = units.unit)`);
    const units = Number(row?.units ?? 0);
    const mean = Number(row?.mean);
    const sd = Number(row?.sd);
    if (units < 2 || !Number.isFinite(mean) || !Number.isFinite(sd)) return undefined;
    if (metric.kind === 'proportion') return mean > 0 && mean < 1 ? { baseline: { kind: 'rate', rate: mean }, units } : undefined;
    return sd > 0 ? { baseline: { kind: 'mean', mean, standardDeviation: sd }, units } : undefined;
  } finally {
    relation.release();
  }
}

/** Units per arm and days for the spec's primary metric; a baseline that is neither given nor in the data or the event log is a user error. */
export async function sizeOnlineTest(
  engine: AnalyticsEngine,
  workspace: Workspace,
  spec: Pick<ProblemSpec, 'successMetrics'>,
  training: BaselineData,
  options: OnlineTestOptions,
): Promise<OnlineTestEvidence> {
  const metric = primaryMetric(spec);
  if (!(Number.isFinite(options.dailyUnits) && options.dailyUnits > 0)) throw new MlcycleError('invalid_input', `daily units: expected a positive number, got ${options.dailyUnits}`);
  let baseline = options.baseline;
  let baselineSource = 'given';
  if (baseline === undefined) {
    baseline = await estimateBaseline(engine, workspace, metric, training);
    baselineSource = training.ref;
  }
  if (baseline === undefined) {
    const logged = await estimateBaselineFromEvents(engine, workspace, metric);
    baseline = logged?.baseline;
    baselineSource = `event log (${logged?.units ?? 0} units)`;
  }
  if (baseline === undefined) {
    const where =
      metric.source.event === undefined
        ? `column ${metric.source.column ?? '?'} is not in ${training.ref}`
        : `event ${metric.source.event} is not in the training data, and the event log has too few units with and without it${metric.kind === 'proportion' || metric.kind === 'mean' ? '' : ` (a ${metric.kind} metric is not estimated from the log)`}`;
    throw new MlcycleError('invalid_input', `the primary metric ${metric.id} has no baseline: its ${where}; give it (--baseline-rate R, or --baseline-mean M with --baseline-sd S)`);
  }
  if (baseline.kind === 'rate' && !(baseline.rate > 0 && baseline.rate < 1)) throw new MlcycleError('invalid_input', `baseline rate ${baseline.rate}: expected a number between 0 and 1`);
  if (baseline.kind === 'mean' && !(baseline.standardDeviation > 0)) throw new MlcycleError('invalid_input', `baseline standard deviation ${baseline.standardDeviation}: expected a positive number`);
  const effect = metric.minimumDetectableEffect;
  const absolute = effect.relative === undefined;
  const minimumDetectableEffect = effect.relative ?? effect.absolute;
  if (minimumDetectableEffect === undefined) throw new MlcycleError('invalid_input', `mlcycle.yaml: successMetrics: ${metric.id}: minimumDetectableEffect needs relative or absolute`);
  const request: Omit<TestSizeRequest, 'baseline'> = {
    minimumDetectableEffect,
    absolute,
    alpha: options.alpha ?? 0.05,
    power: options.power ?? 0.8,
    ratio: 1,
    alternative: options.alternative ?? 'two-sided',
    dailyUnits: options.dailyUnits,
  };
  return { metric: metric.id, baseline, baselineSource, request, ...estimateTestSize({ ...request, baseline }) };
}
