/**
 * Replay driven by the problem spec: the decision counts and value of each model under the spec's binary
 * value model, and each success metric replayed where the period's data can say anything about it. A
 * metric measured from events (alerts opened, rebookings) cannot be replayed: those events exist only once
 * decisions reach customers, which is what the online A/B test measures; the result says so per metric.
 */
import { MlcycleError } from '../error.js';
import type { BinaryValueModel, ProblemSpec, SuccessMetric } from '../problem/spec-schema.js';
import type { ValueIntervalOptions } from './business-value.js';
import { applyDecisionRule, replayDecisions, replayMetric, type DecisionOutcomes, type ReplayedMetric, type ReplayModel, type ReplayStatistic } from './replay.js';

/** The held-out period as the evaluate command hands it in. */
export interface SpecReplayInput {
  /** Known binary outcomes of the period's rows (1 positive, as the spec's target defines it). */
  labels: ArrayLike<number>;
  /** The models, the first being the reference (baseline or champion) for paired value differences. */
  models: readonly ReplayModel[];
  groups?: ArrayLike<string | number>;
  /** The decisions (1/0) actually made in the period, when there were any; column metrics need them. */
  loggedDecisions?: ArrayLike<number>;
  /** Columns of the period by name, for success metrics whose source is a column. */
  columns?: Readonly<Record<string, ArrayLike<number>>>;
  interval?: ValueIntervalOptions;
}

/** One success metric of the spec, replayed per model or explained as not replayable. */
export type ReplayedSuccessMetric = Pick<SuccessMetric, 'id' | 'kind' | 'role' | 'direction'> &
  ({ replayable: true; models: { model: string; result: ReplayedMetric }[] } | { replayable: false; reason: string });

/** The replay of a held-out period under each model's decisions. */
export interface SpecReplay {
  currency: string | null;
  decisions: DecisionOutcomes[];
  successMetrics: ReplayedSuccessMetric[];
}

/** Replays a later period for every model with the spec's value model and success metrics (binary tasks). */
export function replayWithSpec(spec: ProblemSpec, input: SpecReplayInput): SpecReplay {
  if (spec.task !== 'binary')
    throw new MlcycleError('invalid_input', `replay of decisions needs a binary task; the spec's task is ${spec.task}`, {
      issues: [{ path: 'task', message: `replay needs binary, got ${spec.task}` }],
    });
  const valueModel = spec.valueModel as BinaryValueModel | undefined;
  const decisions = replayDecisions(input.labels, input.models, {
    ...(valueModel === undefined ? {} : { valueModel }),
    ...(input.groups === undefined ? {} : { groups: input.groups }),
    ...(input.interval === undefined ? {} : { interval: input.interval }),
  });
  const perModelDecisions = input.models.map((model) => applyDecisionRule(model.scores, model.rule, input.groups));
  const successMetrics = spec.successMetrics.map((metric): ReplayedSuccessMetric => {
    const head = { id: metric.id, kind: metric.kind, role: metric.role, direction: metric.direction };
    const statistic = metricStatistic(metric, input.columns ?? {});
    if (typeof statistic === 'string') return { ...head, replayable: false, reason: statistic };
    if (input.loggedDecisions === undefined)
      return { ...head, replayable: false, reason: 'needs the decisions logged in the period, to know on which rows the outcome holds under a model' };
    const logged = input.loggedDecisions;
    return {
      ...head,
      replayable: true,
      models: input.models.map((model, index) => ({
        model: model.name,
        result: replayMetric(perModelDecisions[index] as Uint8Array, logged, statistic, input.interval),
      })),
    };
  });
  return { currency: valueModel?.currency ?? null, decisions, successMetrics };
}

/** The statistic a metric's source defines on the period's columns, or why there is none. */
function metricStatistic(metric: SuccessMetric, columns: Readonly<Record<string, ArrayLike<number>>>): ReplayStatistic | string {
  const { source } = metric;
  const events = [source.event, source.numerator?.event, source.denominator?.event].filter((event) => event !== undefined);
  if (events.length > 0)
    return `measured from the event${events.length > 1 ? 's' : ''} ${events.map((event) => `'${event}'`).join(', ')}, which only happen once decisions reach customers: the online A/B test measures it`;
  const column = (name: string | undefined): ArrayLike<number> | string =>
    name === undefined ? 'its source names no column' : (columns[name] ?? `the column '${name}' is not among the replay period's columns`);
  if (metric.kind === 'ratio') {
    const numerators = column(source.numerator?.column);
    const denominators = column(source.denominator?.column);
    if (typeof numerators === 'string') return numerators;
    if (typeof denominators === 'string') return denominators;
    return { kind: 'ratio', numerators, denominators };
  }
  const values = column(source.column);
  if (typeof values === 'string') return values;
  if (metric.kind === 'quantile') {
    if (metric.quantile === undefined) return 'a quantile metric needs its quantile';
    return { kind: 'quantile', values, quantile: metric.quantile };
  }
  return { kind: 'mean', values };
}
