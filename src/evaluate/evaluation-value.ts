/**
 * Business value in an evaluation: each model's expected value per decision under the spec's value model,
 * computed by business-value-spec.ts (the eval-policy modules), kept compact for storage: for binary
 * tasks the value-maximising threshold under the guardrails with its interval, the status quo (act on no
 * one), acting on everyone, the value at the evaluation's threshold, and the value curve thinned to
 * MAX_POINTS points for the chart; for other tasks the mean value per decision with its interval.
 */
import type { ProblemSpec } from '../problem/spec-schema.js';
import { valueCurvePoint, type ValueCurvePoint } from './business-value-curve.js';
import { businessValueWithSpec } from './business-value-spec.js';
import type { ValueEstimate } from './business-value.js';
import { MAX_POINTS } from './curves.js';
import type { ModelPredictions, ModelRole } from './evaluate-predictions.js';
import { predictedClasses } from './multiclass-metrics.js';

export interface ModelBusinessValue {
  model: string;
  role: ModelRole;
  currency: string;
  unit: string | null;
  /** Binary: the best threshold under the guardrails, or why there is none. */
  best?: { point: ValueCurvePoint; estimate: ValueEstimate } | { reason: string };
  guardrails?: Record<string, number | undefined>;
  noAction?: ValueCurvePoint;
  actOnAll?: ValueCurvePoint;
  atThreshold?: (ValueEstimate & { threshold: number }) | null;
  curve?: { threshold: number; valuePerDecision: number; falsePositiveRate: number }[];
  /** Multiclass, regression, ranking: the mean value per decision. */
  estimate?: ValueEstimate;
}

export interface ValueRows {
  labels: Float64Array;
  threshold: number;
  classes?: number;
  queries?: ArrayLike<string | number>;
}

/** Each model's business value under the spec's value model; empty when the spec has none. */
export function businessValueOfModels(spec: ProblemSpec, rows: ValueRows, models: readonly ModelPredictions[], options: { resamples: number; seed: number; level: number }): ModelBusinessValue[] {
  if (spec.valueModel === undefined) return [];
  const interval = { resamples: options.resamples, seed: options.seed, confidenceLevel: options.level };
  return models.map((model) => {
    const head = { model: model.name, role: model.role };
    if (spec.task === 'binary') {
      const value = businessValueWithSpec(spec, { task: 'binary', scores: model.predictions, labels: rows.labels, threshold: rows.threshold }, interval);
      if (value.task !== 'binary') throw new Error('unreachable: a binary spec gives a binary value');
      const { analysis } = value;
      const points = analysis.curve.thresholds.length;
      const kept = Math.min(points, MAX_POINTS);
      const indices = [...new Set(Array.from({ length: kept }, (_, index) => (kept === 1 ? 0 : Math.round((index * (points - 1)) / (kept - 1)))))];
      const curve = indices.map((index) => {
        const point = valueCurvePoint(analysis.curve, index);
        return { threshold: point.threshold, valuePerDecision: point.valuePerDecision, falsePositiveRate: point.falsePositiveRate };
      });
      return {
        ...head,
        currency: value.currency,
        unit: value.unit,
        best: analysis.best.found ? { point: analysis.best.point, estimate: analysis.best.estimate } : { reason: analysis.best.reason },
        guardrails: { ...analysis.guardrails },
        noAction: analysis.noAction,
        actOnAll: analysis.actOnAll,
        atThreshold: analysis.atThreshold,
        curve,
      };
    }
    if (spec.task === 'multiclass') {
      const actual = Array.from(rows.labels);
      const predicted = Array.from(predictedClasses({ values: model.predictions, classes: rows.classes ?? 2 }));
      const value = businessValueWithSpec(spec, { task: 'multiclass', actual, predicted }, interval);
      return { ...head, currency: value.currency, unit: value.unit, ...('estimate' in value ? { estimate: value.estimate } : {}) };
    }
    if (spec.task === 'regression') {
      const value = businessValueWithSpec(spec, { task: 'regression', targets: rows.labels, predictions: model.predictions }, interval);
      return { ...head, currency: value.currency, unit: value.unit, ...('estimate' in value ? { estimate: value.estimate } : {}) };
    }
    const value = businessValueWithSpec(spec, { task: 'ranking', queries: rows.queries ?? [], scores: model.predictions, relevance: rows.labels }, interval);
    return { ...head, currency: value.currency, unit: value.unit, ...('estimate' in value ? { estimate: value.estimate } : {}) };
  });
}

function figure(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}

/** One line per model: the best threshold's value with its interval, the status quo and the value at the threshold. */
export function describeBusinessValue(value: ModelBusinessValue): string {
  const per = `${value.currency}${value.unit === null ? '' : ` ${value.unit}`}`;
  if (value.estimate !== undefined) {
    const [low, high] = value.estimate.bootstrapInterval;
    return `${value.role} ${value.model}: ${figure(value.estimate.valuePerDecision)} [${figure(low)}, ${figure(high)}] ${per} per decision`;
  }
  const parts: string[] = [];
  if (value.best !== undefined) {
    if ('reason' in value.best) parts.push(`no threshold: ${value.best.reason}`);
    else {
      const [low, high] = value.best.estimate.bootstrapInterval;
      parts.push(`best threshold ${figure(value.best.point.threshold)} (false-positive rate ${figure(value.best.point.falsePositiveRate)}, alerts ${figure(value.best.point.alertRate)}): ${figure(value.best.estimate.valuePerDecision)} [${figure(low)}, ${figure(high)}] ${per} per decision`);
    }
  }
  if (value.noAction !== undefined) parts.push(`acting on no one ${figure(value.noAction.valuePerDecision)}`);
  if (value.atThreshold != null) parts.push(`at threshold ${figure(value.atThreshold.threshold)}: ${figure(value.atThreshold.valuePerDecision)}`);
  return `${value.role} ${value.model}: ${parts.join('; ')}`;
}
