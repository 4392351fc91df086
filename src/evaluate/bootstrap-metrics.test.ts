import { describe, expect, it } from 'vitest';
import { EVALUATE_REFERENCE, expectRelative } from '../../test/support/evaluate-reference.js';
import { POISSON_ONE_TABLE, PoissonOneStream } from '../stats/bootstrap.js';
import { normalCdf } from '../stats/distributions.js';
import { seededRandom } from '../stats/random.js';
import { standardNormal } from '../stats/random-variates.js';
import { averagePrecision, brierScore, confusionAt, expectedCalibrationError, liftAtK, thresholdMetrics } from './binary-metrics.js';
import { binaryLogLoss } from '../metrics/log-loss.js';
import { rocAucScore } from '../metrics/roc-auc.js';
import { bootstrapAuc, bootstrapBinaryMetrics, bootstrapMetrics, clustersOf, pairedBinaryBootstrap, pairedBootstrap } from './bootstrap-metrics.js';
import { delongTest } from './delong.js';
import { rootMeanSquaredError } from './regression-metrics.js';
import { binaryMetricsFromSorted, bootstrapAucReplicates, sortBinary } from './sorted-binary.js';

function binormal(rows: number, separation: number, seed: number): { labels: Float64Array; scores: Float64Array } {
  const random = seededRandom(seed);
  const labels = new Float64Array(rows);
  const scores = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    labels[row] = random() < 0.3 ? 1 : 0;
    scores[row] = separation * (labels[row] as number) + standardNormal(random);
  }
  return { labels, scores };
}

describe('metrics from once-sorted rows', () => {
  for (const item of EVALUATE_REFERENCE.binary as any[]) {
    it(`equal the single metrics on ${item.name}`, () => {
      const weights = item.weights ?? undefined;
      const values = binaryMetricsFromSorted(sortBinary(item.labels, item.scores, weights, { threshold: 0.5, liftPercent: 30, calibrationBins: 10 }));
      const single = thresholdMetrics(confusionAt(item.labels, item.scores, 0.5, weights));
      expectRelative(values.roc_auc, rocAucScore(item.labels, item.scores, weights), 'roc_auc', 1e-12);
      expectRelative(values.pr_auc, averagePrecision(item.labels, item.scores, weights), 'pr_auc', 1e-12);
      expectRelative(values.log_loss, binaryLogLoss(item.labels, item.scores, weights), 'log_loss', 1e-12);
      expectRelative(values.brier, brierScore(item.labels, item.scores, weights), 'brier', 1e-12);
      for (const name of ['accuracy', 'precision', 'recall', 'f1'] as const) expectRelative(values[name], single[name], name, 1e-12);
      expectRelative(values.ece, expectedCalibrationError(item.labels, item.scores, 10, weights), 'ece', 1e-12);
      expectRelative(values.lift_at_k, liftAtK(item.labels, item.scores, 30, weights).lift, 'lift', 1e-12);
      expectRelative(values.ece, item.ece_10, 'ece against the fixture');
    });
  }
});

describe('Poisson bootstrap', () => {
  it('draws Poisson(1) counts to 2^-16', () => {
    const frequency = new Float64Array(8);
    for (const count of POISSON_ONE_TABLE) frequency[count] = (frequency[count] as number) + 1 / 65536;
    let pmf = Math.exp(-1);
    for (let k = 0; k < 7; k++) {
      expect(Math.abs((frequency[k] as number) - pmf)).toBeLessThan(2 / 65536);
      pmf /= k + 1;
    }
  });

  for (const variant of ['ties and weights', 'no ties, no weights (the fused path)', 'an odd number of replicates']) {
    it(`gives the specialised AUC loop the same replicates as the general pass with the same counts: ${variant}`, () => {
      const { labels, scores } = binormal(500, 0.8, 3);
      const plain = variant.startsWith('no ties');
      if (!plain) for (let row = 0; row < 500; row += 7) scores[row] = Math.round(scores[row] as number);
      const weights = plain ? undefined : Float64Array.from({ length: 500 }, (_, row) => 0.5 + (row % 3));
      const sorted = sortBinary(labels, scores, weights);
      const resamples = variant.startsWith('an odd') ? 5 : 4;
      const fast = bootstrapAucReplicates(sorted, resamples, 11);
      // The fast loop consumes the stream row by row, replicates inside, two counts per 32-bit word.
      const stream = new PoissonOneStream(11);
      const counts = Array.from({ length: resamples }, () => new Float64Array(500));
      for (let position = 0; position < 500; position++) {
        for (const replicate of counts) replicate[position] = stream.next();
        if (resamples % 2 === 1) stream.next(); // the unused half of the last word
      }
      counts.forEach((replicate, index) => expectRelative(fast[index] as number, binaryMetricsFromSorted(sorted, replicate).roc_auc, `replicate ${index}`, 1e-12));
    });
  }

  it('is reproducible by seed and its interval holds the estimate', () => {
    const { labels, scores } = binormal(400, 1, 5);
    const probabilities = Float64Array.from(scores, (score) => 1 / (1 + Math.exp(-score)));
    const first = bootstrapBinaryMetrics(labels, probabilities, undefined, {}, { resamples: 200, seed: 9 });
    expect(bootstrapBinaryMetrics(labels, probabilities, undefined, {}, { resamples: 200, seed: 9 })).toEqual(first);
    expect(bootstrapBinaryMetrics(labels, probabilities, undefined, {}, { resamples: 200, seed: 10 }).roc_auc?.lower).not.toBe(first.roc_auc?.lower);
    for (const [name, estimate] of Object.entries(first)) {
      expect(estimate.lower, name).toBeLessThanOrEqual(estimate.estimate);
      expect(estimate.upper, name).toBeGreaterThanOrEqual(estimate.estimate);
      expect(estimate.resamples, name).toBe(200);
    }
  });

  it("agrees with DeLong's standard error of AUC", () => {
    const { labels, scores } = binormal(3000, 1, 8);
    const bootstrap = bootstrapAuc(labels, scores, undefined, { resamples: 1000, seed: 2 });
    const delong = delongTest(labels, scores, scores.map((score, row) => score + (row % 2)));
    const delongStandardError = Math.sqrt(delong.covariance[0][0]);
    expect(bootstrap.standardError / delongStandardError).toBeGreaterThan(0.9);
    expect(bootstrap.standardError / delongStandardError).toBeLessThan(1.1);
  });

  it('covers the true AUC of a binormal model in at least 90% of 200 seeds', () => {
    const separation = 1;
    const truth = normalCdf(separation / Math.SQRT2);
    let covered = 0;
    for (let seed = 0; seed < 200; seed++) {
      const { labels, scores } = binormal(300, separation, 1000 + seed);
      const interval = bootstrapAuc(labels, scores, undefined, { resamples: 300, seed });
      if (interval.lower <= truth && truth <= interval.upper) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.9);
    expect(covered / 200).toBeLessThanOrEqual(0.99);
  });

  it('resamples clusters whole', () => {
    const queries = [1, 1, 1, 2, 2, 3];
    const counts = new PoissonOneStream(4).fill(new Float64Array(6), clustersOf(queries));
    expect(counts[0]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[2]);
    expect(counts[3]).toBe(counts[4]);
  });
});

describe('paired bootstrap', () => {
  it('gives a model against itself a zero difference', () => {
    const { labels, scores } = binormal(300, 1, 6);
    const sorted = sortBinary(labels, Float64Array.from(scores, (score) => 1 / (1 + Math.exp(-score))));
    const paired = pairedBinaryBootstrap(sorted, sorted, { resamples: 100 });
    expect(paired.roc_auc.lower).toBe(0);
    expect(paired.roc_auc.upper).toBe(0);
  });

  it('finds a better challenger better, as DeLong does', () => {
    const random = seededRandom(12);
    const { labels, scores } = binormal(2000, 1, 7);
    const weak = Float64Array.from(scores, (score) => 1 / (1 + Math.exp(-(score + 1.5 * standardNormal(random)))));
    const strong = Float64Array.from(scores, (score) => 1 / (1 + Math.exp(-score)));
    const paired = pairedBinaryBootstrap(sortBinary(labels, weak), sortBinary(labels, strong), { resamples: 300 });
    const delong = delongTest(labels, weak, strong);
    expect(paired.roc_auc.lower).toBeGreaterThan(0);
    expect(delong.pValue).toBeLessThan(0.001);
    expectRelative(paired.roc_auc.estimate, delong.difference, 'difference', 1e-12);
  });

  it('pairs any metric', () => {
    const targets = Float64Array.from({ length: 200 }, (_, row) => row % 17);
    const good = targets.map((value, row) => value + ((row % 5) - 2) * 0.1);
    const bad = targets.map((value, row) => value + ((row % 5) - 2));
    const paired = pairedBootstrap(200, (model, weights) => ({ rmse: rootMeanSquaredError(targets, model === 'champion' ? bad : good, weights) }), undefined, { resamples: 200 });
    expect(paired.rmse?.upper).toBeLessThan(0);
    const single = bootstrapMetrics(200, (weights) => ({ rmse: rootMeanSquaredError(targets, good, weights) }), undefined, { resamples: 200 });
    expect(single.rmse?.estimate).toBeCloseTo(rootMeanSquaredError(targets, good), 15);
  });
});

describe("DeLong's test against the reference computation", () => {
  for (const item of EVALUATE_REFERENCE.delong as any[]) {
    it(item.name, () => {
      const result = delongTest(item.labels, item.scores_a, item.scores_b);
      expectRelative(result.aucA, item.aucs[0], 'auc a');
      expectRelative(result.aucB, item.aucs[1], 'auc b');
      expectRelative(result.aucA, rocAucScore(item.labels, item.scores_a), 'auc a as roc_auc_score');
      for (const [i, j] of [[0, 0], [0, 1], [1, 1]] as const) expectRelative(result.covariance[i][j], item.covariance[i][j], `covariance ${i}${j}`);
      expectRelative(result.z, -item.z, 'z (b - a here, a - b in the script)');
      expectRelative(result.pValue, item.p_value, 'p-value');
    });
  }

  it('reports one class as degenerate', () => {
    expect(delongTest([1, 1, 1], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]).degenerate).toMatch(/at least 2 positive and 2 negative/);
  });
});
