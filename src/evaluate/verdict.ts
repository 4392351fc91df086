/**
 * The offline-evaluation gate: is the candidate ready for an online test? It is when (1) the spec sets
 * ML metric targets for the task and the candidate's estimate meets every one, (2) it beats the baseline
 * on the primary metric ("strawman first"), (3) with a champion, it is not significantly worse on any
 * targeted metric (the paired bootstrap interval of the difference lies wholly on the worse side) nor, for
 * ROC AUC, by DeLong's test, and (4) no segment is significantly worse than under the champion. Segments
 * worse than the candidate's own overall figure are warnings: rollout watches them, they do not block.
 */
import { findMlMetric } from '../problem/ml-metric-catalogue.js';
import type { MlMetricTarget, TaskType } from '../problem/spec-schema.js';
import type { MetricEstimates, PairedDifference } from './bootstrap-metrics.js';
import type { DelongComparison } from './delong.js';

export interface VerdictCheck {
  check: string;
  passed: boolean;
  detail: string;
}

export interface Verdict {
  ready: boolean;
  /** One line: ready, or the first reasons why not. */
  summary: string;
  checks: VerdictCheck[];
  warnings: string[];
}

export interface VerdictInput {
  task: TaskType;
  primaryMetric: string;
  targets: readonly MlMetricTarget[];
  candidate: { name: string; metrics: MetricEstimates };
  baseline?: { name: string; metrics: MetricEstimates };
  champion?: { name: string; differences: Record<string, PairedDifference>; delong?: DelongComparison };
  /** Segments significantly worse than under the champion, and than the candidate overall (after Holm). */
  segmentsWorseThanChampion: string[];
  segmentsWorseThanOverall: string[];
  alpha: number;
}

function format(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}

/** True when the metric's name says a larger value is better (the catalogue's direction; losses otherwise). */
export function higherIsBetter(metric: string): boolean {
  const known = findMlMetric(metric);
  if (known !== undefined) return known.higherIsBetter;
  return metric === 'gain_at_k';
}

/** Decides ready or not, with every check and why. */
export function decideVerdict(input: VerdictInput): Verdict {
  const checks: VerdictCheck[] = [];
  const targets = input.targets.filter((target) => findMlMetric(target.metric)?.tasks.includes(input.task as never));
  if (targets.length === 0) checks.push({ check: 'targets', passed: false, detail: `the spec sets no ML metric targets for a ${input.task} task (mlMetrics in mlcycle.yaml)` });
  for (const target of targets) {
    const estimate = input.candidate.metrics[target.metric];
    const up = higherIsBetter(target.metric);
    const name = `${target.metric}${target.k === undefined ? '' : `@${target.k}`}`;
    if (estimate === undefined || !Number.isFinite(estimate.estimate)) {
      checks.push({ check: `target ${name}`, passed: false, detail: `${name} could not be computed on these rows` });
      continue;
    }
    const passed = up ? estimate.estimate >= target.target : estimate.estimate <= target.target;
    checks.push({
      check: `target ${name}`,
      passed,
      detail: `${name} ${format(estimate.estimate)} [${format(estimate.lower)}, ${format(estimate.upper)}] ${passed ? 'meets' : 'misses'} the target ${up ? '>=' : '<='} ${format(target.target)}`,
    });
  }
  const primary = input.candidate.metrics[input.primaryMetric];
  const baseline = input.baseline?.metrics[input.primaryMetric];
  if (input.baseline !== undefined && primary !== undefined && baseline !== undefined) {
    const up = higherIsBetter(input.primaryMetric);
    const passed = up ? primary.estimate > baseline.estimate : primary.estimate < baseline.estimate;
    checks.push({ check: 'beats the baseline', passed, detail: `${input.primaryMetric} ${format(primary.estimate)} against ${format(baseline.estimate)} for ${input.baseline.name}` });
  }
  if (input.champion !== undefined) {
    const metrics = new Set([input.primaryMetric, ...targets.map((target) => target.metric)]);
    for (const metric of metrics) {
      const difference = input.champion.differences[metric];
      if (difference === undefined) continue;
      const up = higherIsBetter(metric);
      const worse = up ? difference.upper < 0 : difference.lower > 0;
      checks.push({
        check: `not worse than the champion on ${metric}`,
        passed: !worse,
        detail: `${metric} ${format(difference.challenger)} against ${format(difference.champion)} (${input.champion.name}): difference ${format(difference.estimate)} [${format(difference.lower)}, ${format(difference.upper)}], paired bootstrap`,
      });
    }
    const delong = input.champion.delong;
    if (delong !== undefined && delong.degenerate === undefined) {
      const worse = delong.difference < 0 && delong.pValue < input.alpha;
      checks.push({ check: "not worse than the champion by DeLong's test", passed: !worse, detail: `AUC difference ${format(delong.difference)}, z ${format(delong.z)}, p ${format(delong.pValue)}` });
    }
    checks.push({
      check: 'no segment worse than under the champion',
      passed: input.segmentsWorseThanChampion.length === 0,
      detail: input.segmentsWorseThanChampion.length === 0 ? 'no segment significantly worse (Holm-adjusted)' : `significantly worse in ${input.segmentsWorseThanChampion.join(', ')}`,
    });
  }
  const failed = checks.filter((check) => !check.passed);
  const warnings = input.segmentsWorseThanOverall.length === 0 ? [] : [`${input.primaryMetric} significantly below the overall figure in ${input.segmentsWorseThanOverall.join(', ')}: watch these segments in rollout`];
  if (input.champion === undefined) warnings.push('no champion to compare against: the verdict rests on the targets and the baseline');
  const ready = failed.length === 0;
  const summary = ready
    ? `${input.candidate.name} is ready for online evaluation: ${checks.map((check) => check.check).join(', ')} all hold`
    : `${input.candidate.name} is not ready for online evaluation: ${failed.map((check) => check.detail).join('; ')}`;
  return { ready, summary, checks, warnings };
}
