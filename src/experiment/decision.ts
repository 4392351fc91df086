/**
 * The decision for a treatment arm, in words a product manager reads: ship, don't ship, keep running, or
 * investigate. The order of checks follows Kohavi, Tang and Xu (2020, ch. 3 and 21): first trust (sample
 * ratio mismatch, multiple exposures), then guardrails, then the primary metrics.
 */
import type { ArmComparison, ArmComparisonResult, MetricAnalysis } from './analyze-experiment.js';
import type { SampleRatioCheck } from './sample-ratio.js';

export type Decision = 'ship' | 'dont-ship' | 'keep-running' | 'investigate';

export interface ArmDecision {
  arm: string;
  decision: Decision;
  /** One sentence per reason, most important first. */
  reasons: string[];
}

export interface DecisionContext {
  sampleRatio: SampleRatioCheck;
  multipleExposures: { units: number; share: number; flagged: boolean };
  alpha: number;
}

/** Decides for one treatment arm from the overall (unsegmented) comparisons. */
export function decideArm(arm: string, metrics: readonly MetricAnalysis[], context: DecisionContext): ArmDecision {
  const trust: string[] = [];
  if (context.sampleRatio.mismatch) {
    trust.push(
      `The arms' sizes (${context.sampleRatio.observed.join(' / ')}) do not match the planned split (sample ratio mismatch, p = ${formatP(context.sampleRatio.pValue)}): assignment or logging is broken, so no result can be trusted until the cause is found.`,
    );
  }
  if (context.multipleExposures.flagged) {
    trust.push(`${percent(context.multipleExposures.share)} of units saw more than one arm: check the assignment before reading the results.`);
  }
  if (trust.length > 0) return { arm, decision: 'investigate', reasons: trust };

  const overall = (metric: MetricAnalysis): ArmComparisonResult | undefined => metric.comparisons.find((comparison) => comparison.arm === arm);
  const guardrails = metrics.filter((metric) => metric.role === 'guardrail');
  const primaries = metrics.some((metric) => metric.role === 'primary') ? metrics.filter((metric) => metric.role === 'primary') : metrics.filter((metric) => metric.role !== 'guardrail');

  const breaches: string[] = [];
  const unproven: string[] = [];
  const notes: string[] = [];
  for (const metric of guardrails) {
    const comparison = overall(metric);
    if (comparison === undefined || comparison.degeneracy !== null) {
      unproven.push(`Guardrail ${metric.id} cannot be assessed yet${comparison === undefined ? '' : `: ${comparison.message}`}.`);
    } else if (comparison.nonInferiority?.nonInferior === true) {
      if (comparison.significant && isHarm(metric, comparison)) notes.push(`Guardrail ${metric.id} got slightly worse but stays within its margin of ${margin(comparison)}: ${describe(comparison)}.`);
    } else if (comparison.significant && isHarm(metric, comparison)) {
      breaches.push(`Guardrail ${metric.id} got worse and is not shown to stay within its margin of ${margin(comparison)}: ${describe(comparison)}.`);
    } else {
      unproven.push(`Guardrail ${metric.id} is not yet shown to stay within its margin of ${margin(comparison)}: ${describe(comparison)}.`);
    }
  }
  if (breaches.length > 0) return { arm, decision: 'investigate', reasons: breaches };

  const wins: string[] = [];
  const losses: string[] = [];
  const flat: string[] = [];
  const open: string[] = [];
  for (const metric of primaries) {
    const comparison = overall(metric);
    if (comparison === undefined || comparison.degeneracy !== null) {
      open.push(`${metric.id} cannot be tested yet${comparison === undefined ? '' : `: ${comparison.message}`}.`);
    } else if (comparison.significant) {
      (isHarm(metric, comparison) ? losses : wins).push(`${metric.id} ${isHarm(metric, comparison) ? 'got worse' : 'improved'}: ${describe(comparison)}.`);
    } else if (metric.minimumDetectableEffect !== null && withinEffect(comparison, metric.minimumDetectableEffect)) {
      flat.push(`${metric.id} did not move by the ${formatEffect(metric.minimumDetectableEffect, comparison.effect.scale, false)} worth shipping: ${describe(comparison)}.`);
    } else {
      open.push(`${metric.id} shows no clear effect yet: ${describe(comparison)}; too early to tell.`);
    }
  }
  if (losses.length > 0) return { arm, decision: 'dont-ship', reasons: [...losses, ...wins, ...notes] };
  if (wins.length > 0 && open.length === 0 && unproven.length === 0) return { arm, decision: 'ship', reasons: [...wins, ...flat, ...notes] };
  if (wins.length === 0 && open.length === 0 && flat.length > 0) return { arm, decision: 'dont-ship', reasons: [...flat, ...unproven, ...notes] };
  return { arm, decision: 'keep-running', reasons: [...wins, ...open, ...unproven, ...flat, ...notes] };
}

function margin(comparison: ArmComparison): string {
  return formatEffect(comparison.nonInferiority?.margin ?? 0, comparison.effect.scale, false);
}

function isHarm(metric: MetricAnalysis, comparison: ArmComparison): boolean {
  return metric.direction === 'increase' ? comparison.effect.estimate < 0 : comparison.effect.estimate > 0;
}

/** True when the whole interval lies strictly within +-mde: any remaining effect is too small to matter. */
function withinEffect(comparison: ArmComparison, minimumDetectableEffect: number): boolean {
  return comparison.interval[0] > -minimumDetectableEffect && comparison.interval[1] < minimumDetectableEffect;
}

function describe(comparison: ArmComparison): string {
  const { effect, interval } = comparison;
  const level = comparison.inference === 'fixed-horizon' ? 'interval' : 'always-valid interval';
  const bounds = `${formatEffect(interval[0], effect.scale, true)} to ${formatEffect(interval[1], effect.scale, true)}`;
  return `${formatEffect(effect.estimate, effect.scale, true)} (${level} ${bounds}, p = ${formatP(comparison.adjustedPValue)})`;
}

/** `+3.10%` for a relative effect, `+0.0310` for an absolute one; open interval bounds print as infinity. */
export function formatEffect(value: number, scale: 'absolute' | 'relative', signed: boolean): string {
  if (!Number.isFinite(value)) return value > 0 ? '+inf' : '-inf';
  const sign = signed && value > 0 ? '+' : '';
  return scale === 'relative' ? `${sign}${(value * 100).toFixed(2)}%` : `${sign}${Number(value.toPrecision(4))}`;
}

/** p-values to two significant digits, small ones in exponent form. */
export function formatP(pValue: number): string {
  return pValue < 0.001 ? pValue.toExponential(1) : pValue.toPrecision(2);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
