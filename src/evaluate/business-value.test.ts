/**
 * Business value against brute-force numpy (test/fixtures/evaluate/business-value-reference.py) to 1e-12
 * relative, and the one-pass value curve against a per-threshold recount on random inputs (fast-check).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryValueModel } from '../problem/spec-schema.js';
import { analyzeBinaryValue, bestThreshold, valueCurve, valueCurvePoint, type ValueGuardrails } from './business-value-curve.js';
import { FLIGHT_DELAY_SPEC } from '../demo/flight-delay-spec.js';
import { MlcycleError } from '../error.js';
import { checkSpecText } from '../problem/load-spec.js';
import { businessValueWithSpec } from './business-value-spec.js';
import {
  binaryDecisionValues,
  expectedValueThreshold,
  multiclassValue,
  rankingValue,
  regressionValue,
  valueMaximisingClasses,
  type ValueEstimate,
} from './business-value.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/evaluate/business-value-reference.json');
const CASES = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: any[] }).cases;
const TOLERANCE = 1e-12;

function expectClose(actual: number, expected: number, label: string): void {
  const relative = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  expect(relative, `${label}: ${actual} against reference ${expected}`).toBeLessThanOrEqual(TOLERANCE);
}

function expectEstimate(actual: ValueEstimate, expected: any, label: string): void {
  expect(actual.decisions).toBe(expected.decisions);
  for (const key of ['valuePerDecision', 'totalValue', 'standardError'] as const) expectClose(actual[key], expected[key], `${label} ${key}`);
  for (const key of ['normalInterval', 'bootstrapInterval'] as const) {
    expectClose(actual[key][0], expected[key][0], `${label} ${key} lower`);
    expectClose(actual[key][1], expected[key][1], `${label} ${key} upper`);
  }
}

describe('business value against the numpy reference', () => {
  for (const reference of CASES) {
    it(`${reference.name} (${reference.task})`, () => {
      const interval = { resamples: reference.resamples, seed: reference.seed, confidenceLevel: reference.confidenceLevel };
      const expected = reference.expected;
      if (reference.task === 'binary') {
        const analysis = analyzeBinaryValue(reference.scores, reference.labels, reference.valueModel, { ...interval, guardrails: reference.guardrails });
        const { curve } = analysis;
        expect(Array.from(curve.thresholds, (t) => (Number.isFinite(t) ? t : null))).toEqual(expected.curve.thresholds);
        expect(Array.from(curve.truePositives)).toEqual(expected.curve.truePositives);
        expect(Array.from(curve.falsePositives)).toEqual(expected.curve.falsePositives);
        curve.valuePerDecision.forEach((value, index) => expectClose(value, expected.curve.valuePerDecision[index], `${reference.name} curve[${index}]`));
        if (expected.bestIndex === null) {
          expect(analysis.best.found).toBe(false);
        } else {
          if (!analysis.best.found) throw new Error(`no best threshold: ${analysis.best.reason}`);
          expect(analysis.best.index).toBe(expected.bestIndex);
          expect(analysis.best.point.threshold).toBe(expected.bestThreshold ?? Infinity);
          expectEstimate(analysis.best.estimate, expected.bestEstimate, `${reference.name} best`);
        }
      } else if (reference.task === 'multiclass-decisions') {
        const predicted = valueMaximisingClasses(reference.probabilities, reference.classes, reference.valueModel);
        expect(predicted).toEqual(expected.predicted);
        expectEstimate(multiclassValue(reference.actual, predicted, reference.valueModel, interval), expected, reference.name);
      } else if (reference.task === 'multiclass') {
        expectEstimate(multiclassValue(reference.actual, reference.predicted, reference.valueModel, interval), expected, reference.name);
      } else if (reference.task === 'regression') {
        expectEstimate(regressionValue(reference.targets, reference.predictions, reference.valueModel, interval), expected, reference.name);
      } else {
        expectEstimate(rankingValue(reference.queries, reference.scores, reference.relevance, reference.valueModel, interval), expected, reference.name);
      }
    });
  }

  it('covers every task', () => expect(new Set(CASES.map((entry) => entry.task))).toEqual(new Set(['binary', 'multiclass', 'multiclass-decisions', 'regression', 'ranking'])));
});

const FLIGHT: BinaryValueModel = { currency: 'USD', truePositive: 14, falsePositive: -4, falseNegative: -6, trueNegative: 0 };

describe('valueCurve', () => {
  const rows = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 1, maxLength: 60 })
    .map((pairs) => ({ scores: pairs.map(([score]) => score / 20), labels: pairs.map(([, label]) => (label ? 1 : 0)) }));
  const model = fc.record({
    currency: fc.constant('USD'),
    truePositive: fc.integer({ min: -20, max: 20 }),
    falsePositive: fc.integer({ min: -20, max: 20 }),
    falseNegative: fc.integer({ min: -20, max: 20 }),
    trueNegative: fc.integer({ min: -20, max: 20 }),
  });

  it('equals a recount at every threshold, and the best point is the brute-force maximum', () => {
    fc.assert(
      fc.property(rows, model, fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), ({ scores, labels }, valueModel, maxRate) => {
        const curve = valueCurve(scores, labels, valueModel);
        const distinct = [...new Set(scores)].sort((a, b) => b - a);
        expect(Array.from(curve.thresholds)).toEqual([Infinity, ...distinct]);
        let bruteBest = -Infinity;
        curve.thresholds.forEach((threshold, index) => {
          const values = binaryDecisionValues(scores, labels, valueModel, threshold);
          const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
          expect(curve.valuePerDecision[index]).toBeCloseTo(mean, 10);
          const point = valueCurvePoint(curve, index);
          const alerts = scores.filter((score) => score >= threshold).length;
          expect(point.truePositives + point.falsePositives).toBe(alerts);
          if (maxRate === undefined || !(point.falsePositiveRate > maxRate)) bruteBest = Math.max(bruteBest, mean);
        });
        const guardrails: ValueGuardrails = maxRate === undefined ? {} : { maxFalsePositiveRate: maxRate };
        const best = bestThreshold(curve, guardrails);
        expect(best.found).toBe(true); // acting on no one always meets a false-positive-rate guardrail
        if (best.found) expect(best.point.valuePerDecision).toBeCloseTo(bruteBest, 10);
      }),
      { numRuns: 200, seed: 20261126 },
    );
  });

  it('takes the value model guardrail from the spec and reports the status quo and acting on all', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    const labels = [1, 0, 1, 0, 0, 0];
    const analysis = analyzeBinaryValue(scores, labels, { ...FLIGHT, maxFalsePositiveRate: 0.25 }, { resamples: 50, threshold: 0.75 });
    expect(analysis.guardrails).toEqual({ maxFalsePositiveRate: 0.25 });
    if (!analysis.best.found) throw new Error('expected a best threshold');
    // Threshold 0.7 alerts rows 1-3: TP 2, FP 1 (FPR 0.25): (28 - 4) / 6 = 4.
    expect(analysis.best.point.threshold).toBe(0.7);
    expect(analysis.best.point.valuePerDecision).toBe(4);
    expect(analysis.noAction.valuePerDecision).toBe(-2);
    expect(analysis.actOnAll.valuePerDecision).toBeCloseTo((28 - 16) / 6, 14);
    expect(analysis.atThreshold?.valuePerDecision).toBeCloseTo((14 - 4 - 6) / 6, 14);
    const strict = analyzeBinaryValue(scores, labels, { ...FLIGHT, maxFalsePositiveRate: 0.25 }, { guardrails: { maxFalsePositiveRate: 0 }, resamples: 10 });
    expect(strict.best.found && strict.best.point.threshold).toBe(0.9);
  });

  it('rejects labels other than 0 and 1, non-finite scores and mismatched lengths', () => {
    expect(() => valueCurve([0.1, 0.2], [1, 2], FLIGHT)).toThrow(/labels\[1\]: must be 0 or 1/);
    try {
      valueCurve([0.1, 0.2], [1, 2], FLIGHT);
    } catch (error) {
      expect(error).toBeInstanceOf(MlcycleError);
      expect((error as MlcycleError).code).toBe('invalid_input');
      expect((error as MlcycleError).issues).toEqual([{ path: 'labels[1]', message: 'must be 0 or 1, got 2' }]);
    }
    expect(() => valueCurve([0.1, NaN], [1, 0], FLIGHT)).toThrow(/scores\[1\]: must be a finite number/);
    expect(() => valueCurve([0.1], [1, 0], FLIGHT)).toThrow(/1 scores/);
    expect(() => regressionValue([1, 2], [1], { currency: 'USD', overPredictionCostPerUnit: 1, underPredictionCostPerUnit: 1 })).toThrow(/predictions: has 1 values/);
  });
});

describe('expectedValueThreshold', () => {
  it("is the probability where acting and not acting are worth the same", () => {
    // The demo's model: act when 14 p - 4 (1 - p) > -6 p, p > 4 / 24.
    expect(expectedValueThreshold(FLIGHT)).toBeCloseTo(1 / 6, 15);
    const p = expectedValueThreshold(FLIGHT);
    expect(p * 14 + (1 - p) * -4).toBeCloseTo(p * -6, 12);
    expect(expectedValueThreshold({ currency: 'USD', truePositive: 1, falsePositive: 0, falseNegative: 1, trueNegative: 0 })).toBeNaN();
  });
});

describe('businessValueWithSpec', () => {
  const check = checkSpecText(FLIGHT_DELAY_SPEC, 'mlcycle.yaml');
  if (check.spec === undefined) throw new Error('the demo spec is invalid');
  const spec = check.spec;
  const binary = CASES.find((entry) => entry.name === 'flight-value-fpr-guardrail');

  it("uses the spec's binary value model and its maxFalsePositiveRate guardrail", () => {
    const result = businessValueWithSpec(spec, { task: 'binary', scores: binary.scores, labels: binary.labels }, { resamples: binary.resamples, seed: binary.seed });
    expect(result.currency).toBe('USD');
    if (result.task !== 'binary' || !result.analysis.best.found) throw new Error('expected a binary analysis with a best threshold');
    expect(result.analysis.guardrails).toEqual({ maxFalsePositiveRate: 0.2 });
    expect(result.analysis.best.index).toBe(binary.expected.bestIndex);
    expectEstimate(result.analysis.best.estimate, binary.expected.bestEstimate, 'spec best');
  });

  it('names a missing value model and a task that does not match the spec', () => {
    const withoutModel = { ...spec };
    delete withoutModel.valueModel;
    expect(() => businessValueWithSpec(withoutModel, { task: 'binary', scores: [0.5], labels: [1] })).toThrow(/no valueModel/);
    expect(() => businessValueWithSpec(spec, { task: 'regression', targets: [1], predictions: [1] })).toThrow(MlcycleError);
  });
});
