/**
 * The online test a design commits to, sized from the spec: its primary success metric, that metric's
 * minimum detectable effect and direction, and a baseline. The baseline is the one given (a rate, or a
 * mean with its standard deviation: what the metric is today, which the event log of a product that has
 * not launched cannot know), or else estimated from the training data when the metric is a column there
 * (mean and sample standard deviation; the mean is the rate of a 0/1 proportion column).
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
  /** Where the baseline came from: "given" or the dataset version it was estimated on. */
  baselineSource: string;
  request: Omit<TestSizeRequest, 'baseline'>;
}

/** The spec's primary success metric (the first with role primary). */
export function primaryMetric(spec: ProblemSpec): SuccessMetric {
  const metric = spec.successMetrics.find((candidate) => candidate.role === 'primary');
  if (metric === undefined) throw new MlcycleError('invalid_input', 'mlcycle.yaml: successMetrics: no metric has role primary, so the online test cannot be sized');
  return metric;
}

async function estimateBaseline(engine: AnalyticsEngine, workspace: Workspace, metric: SuccessMetric, data: DatasetVersion): Promise<MetricBaseline | undefined> {
  const column = metric.source.column;
  if (column === undefined || metric.source.event !== undefined || !data.columns.some((entry) => entry.name === column)) return undefined;
  const file = workspace.artifacts.localPath(data.artifactKey);
  const [row] = await engine.query(`SELECT avg(CAST(${quoteIdentifier(column)} AS DOUBLE)) AS mean, stddev_samp(CAST(${quoteIdentifier(column)} AS DOUBLE)) AS sd FROM read_parquet(${quoteLiteral(file)})`);
  const mean = Number(row?.mean);
  const sd = Number(row?.sd);
  if (!Number.isFinite(mean) || !Number.isFinite(sd)) return undefined;
  return metric.kind === 'proportion' ? { kind: 'rate', rate: mean } : { kind: 'mean', mean, standardDeviation: sd };
}

/** Units per arm and days for the spec's primary metric; a baseline that is neither given nor in the data is a user error. */
export async function sizeOnlineTest(engine: AnalyticsEngine, workspace: Workspace, spec: ProblemSpec, training: DatasetVersion, options: OnlineTestOptions): Promise<OnlineTestEvidence> {
  const metric = primaryMetric(spec);
  if (!(Number.isFinite(options.dailyUnits) && options.dailyUnits > 0)) throw new MlcycleError('invalid_input', `daily units: expected a positive number, got ${options.dailyUnits}`);
  const estimated = options.baseline === undefined ? await estimateBaseline(engine, workspace, metric, training) : undefined;
  const baseline = options.baseline ?? estimated;
  if (baseline === undefined) {
    const where = metric.source.event === undefined ? `column ${metric.source.column ?? '?'} is not in ${training.ref}` : `event ${metric.source.event} is not in the training data`;
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
  return { metric: metric.id, baseline, baselineSource: options.baseline === undefined ? training.ref : 'given', request, ...estimateTestSize({ ...request, baseline }) };
}
