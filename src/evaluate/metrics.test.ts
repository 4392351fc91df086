import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EVALUATE_REFERENCE, expectRelative } from '../../test/support/evaluate-reference.js';
import { averagePrecision, brierScore, calibrationBins, confusionAt, expectedCalibrationError, liftAtK, thresholdMetrics } from './binary-metrics.js';
import { binaryLogLoss } from '../metrics/log-loss.js';
import { aucFromGroups, rocAucScore } from '../metrics/roc-auc.js';
import { scoreGroups } from '../metrics/score-order.js';
import { multiclassAccuracy, multiclassF1, multiclassLogLoss, oneVsRestAuc } from './multiclass-metrics.js';
import { meanAveragePrecisionAtK, meanReciprocalRank, ndcgAtK } from './ranking-metrics.js';
import { meanAbsoluteError, meanAbsolutePercentageError, pinballLoss, r2Score, rootMeanSquaredError } from './regression-metrics.js';

const weightsOf = (item: any): number[] | undefined => item.weights ?? undefined;

describe('binary metrics against scikit-learn', () => {
  for (const item of EVALUATE_REFERENCE.binary as any[]) {
    it(item.name, () => {
      const { labels, scores } = item;
      const weights = weightsOf(item);
      expectRelative(rocAucScore(labels, scores, weights), item.roc_auc, 'roc_auc');
      expectRelative(averagePrecision(labels, scores, weights), item.average_precision, 'average_precision');
      expectRelative(binaryLogLoss(labels, scores, weights), item.log_loss, 'log_loss');
      expectRelative(brierScore(labels, scores, weights), item.brier, 'brier');
      const metrics = thresholdMetrics(confusionAt(labels, scores, item.threshold, weights));
      for (const name of ['accuracy', 'precision', 'recall', 'f1'] as const) expectRelative(metrics[name], item[name], name);
      expectRelative(expectedCalibrationError(labels, scores, 10, weights), item.ece_10, 'ece_10');
      expectRelative(expectedCalibrationError(labels, scores, 5, weights), item.ece_5, 'ece_5');
      for (const [percent, expected] of Object.entries(item.lift as Record<string, { gain: number; lift: number }>)) {
        const lift = liftAtK(labels, scores, Number(percent), weights);
        expectRelative(lift.gain, expected.gain, `gain@${percent}`);
        expectRelative(lift.lift, expected.lift, `lift@${percent}`);
      }
      if (item.calibration_curve !== undefined) {
        const bins = calibrationBins(labels, scores, 10);
        expect(bins.length).toBe(item.calibration_curve.observed.length);
        bins.forEach((bin, index) => {
          expectRelative(bin.observedRate, item.calibration_curve.observed[index], `calibration observed ${index}`);
          expectRelative(bin.meanPredicted, item.calibration_curve.predicted[index], `calibration predicted ${index}`);
        });
      }
      if (weights === undefined) expectRelative(aucFromGroups(scoreGroups(labels, scores)), item.roc_auc, 'tie-group rocAuc');
    });
  }

  it('does not depend on the order of tied rows', () => {
    const labels = [1, 0, 1, 0, 0, 1];
    const scores = [0.5, 0.5, 0.5, 0.2, 0.9, 0.9];
    const permutation = [5, 3, 1, 0, 4, 2];
    const permuted = (values: number[]) => permutation.map((index) => values[index] as number);
    expect(rocAucScore(permuted(labels), permuted(scores))).toBe(rocAucScore(labels, scores));
    expect(averagePrecision(permuted(labels), permuted(scores))).toBe(averagePrecision(labels, scores));
    expect(liftAtK(permuted(labels), permuted(scores), 40).gain).toBeCloseTo(liftAtK(labels, scores, 40).gain, 15);
  });

  it('refuses mismatched lengths, non-finite scores and negative weights', () => {
    expect(() => rocAucScore([1, 0], [0.5])).toThrow(/1 scores for 2 labels/);
    expect(() => brierScore([1, 0], [0.5, NaN])).toThrow(/row 1 is not a finite number/);
    expect(() => binaryLogLoss([1, 0], [0.5, 0.5], [1, -1])).toThrow(/sample weight of row 1/);
    expect(Number.isNaN(rocAucScore([1, 1], [0.2, 0.3]))).toBe(true);
  });
});

describe('multiclass metrics against scikit-learn', () => {
  for (const item of EVALUATE_REFERENCE.multiclass as any[]) {
    it(item.name, () => {
      const probabilities = { values: item.probabilities as number[], classes: item.classes as number };
      const weights = weightsOf(item);
      expectRelative(multiclassAccuracy(item.labels, probabilities, weights), item.accuracy, 'accuracy');
      const f1 = multiclassF1(item.labels, probabilities, weights);
      expectRelative(f1.macro, item.macro_f1, 'macro_f1');
      expectRelative(f1.weighted, item.weighted_f1, 'weighted_f1');
      expectRelative(multiclassLogLoss(item.labels, probabilities, weights), item.log_loss, 'log_loss');
      if (item.ovr_auc !== null) expectRelative(oneVsRestAuc(item.labels, probabilities, weights), item.ovr_auc, 'ovr_auc');
    });
  }

  it('refuses a label outside the classes', () => {
    expect(() => multiclassAccuracy([0, 3], { values: [0.5, 0.5, 0.5, 0.5], classes: 2 })).toThrow(/row 1 is 3, not a class index from 0 to 1/);
  });
});

describe('regression metrics against scikit-learn', () => {
  for (const item of EVALUATE_REFERENCE.regression as any[]) {
    it(item.name, () => {
      const { targets, predictions } = item;
      const weights = weightsOf(item);
      expectRelative(rootMeanSquaredError(targets, predictions, weights), item.rmse, 'rmse');
      expectRelative(meanAbsoluteError(targets, predictions, weights), item.mae, 'mae');
      expectRelative(meanAbsolutePercentageError(targets, predictions, weights), item.mape, 'mape');
      expectRelative(r2Score(targets, predictions, weights), item.r2, 'r2');
      for (const [alpha, expected] of Object.entries(item.pinball as Record<string, number>)) expectRelative(pinballLoss(targets, predictions, Number(alpha), weights), expected, `pinball ${alpha}`);
    });
  }
});

describe('ranking metrics against scikit-learn and numpy', () => {
  for (const item of EVALUATE_REFERENCE.ranking as any[]) {
    it(item.name, () => {
      const weights = weightsOf(item);
      for (const [k, expected] of Object.entries(item.ndcg as Record<string, number>)) expectRelative(ndcgAtK(item.relevance, item.scores, item.queries, Number(k), weights), expected, `ndcg@${k}`);
      for (const [k, expected] of Object.entries(item.map as Record<string, number>)) expectRelative(meanAveragePrecisionAtK(item.relevance, item.scores, item.queries, Number(k), weights), expected, `map@${k}`);
      expectRelative(meanReciprocalRank(item.relevance, item.scores, item.queries, weights), item.mrr, 'mrr');
    });
  }
});

describe('metric invariants (fast-check)', () => {
  const rows = fc.array(fc.record({ label: fc.constantFrom(0, 1), score: fc.integer({ min: 0, max: 20 }).map((value) => value / 20), weight: fc.integer({ min: 1, max: 5 }) }), { minLength: 2, maxLength: 60 });

  it('AUC lies in [0, 1], flips with the scores, and weights act as repeated rows', () => {
    fc.assert(
      fc.property(rows, (items) => {
        const labels = items.map((item) => item.label);
        const scores = items.map((item) => item.score);
        const weights = items.map((item) => item.weight);
        const auc = rocAucScore(labels, scores, weights);
        if (Number.isNaN(auc)) return labels.every((label) => label === labels[0]);
        const repeated = items.flatMap((item) => Array.from({ length: item.weight }, () => item));
        return (
          auc >= 0 &&
          auc <= 1 &&
          Math.abs(rocAucScore(labels, scores.map((score) => 1 - score), weights) - (1 - auc)) < 1e-12 &&
          Math.abs(rocAucScore(repeated.map((item) => item.label), repeated.map((item) => item.score)) - auc) < 1e-12 &&
          Math.abs(averagePrecision(repeated.map((item) => item.label), repeated.map((item) => item.score)) - averagePrecision(labels, scores, weights)) < 1e-12
        );
      }),
    );
  });
});
