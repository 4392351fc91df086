import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { standardNormal } from '../stats/random-variates.js';
import { rocAucScore } from '../metrics/roc-auc.js';
import { evaluatePredictions } from './evaluate-predictions.js';
import { multiclassF1 } from './multiclass-metrics.js';
import { ndcgAtK } from './ranking-metrics.js';
import { rootMeanSquaredError } from './regression-metrics.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Rows in regions A, B, C; the challenger is as good as the champion except in C, where it is noise. */
function flights(rows: number, seed: number) {
  const random = seededRandom(seed);
  const labels = new Float64Array(rows);
  const champion = new Float64Array(rows);
  const challenger = new Float64Array(rows);
  const region: string[] = [];
  for (let row = 0; row < rows; row++) {
    const signal = standardNormal(random);
    labels[row] = random() < sigmoid(2 * signal - 1) ? 1 : 0;
    const name = ['A', 'B', 'C'][row % 3] as string;
    region.push(name);
    champion[row] = sigmoid(1.5 * signal - 1 + 0.8 * standardNormal(random));
    challenger[row] = name === 'C' ? sigmoid(standardNormal(random) - 1) : sigmoid(2 * signal - 1 + 0.3 * standardNormal(random));
  }
  return { labels, champion, challenger, region, baseline: new Float64Array(rows).fill(0.3) };
}

describe('evaluatePredictions', () => {
  const data = flights(3000, 4);
  const evaluation = evaluatePredictions({
    rows: { task: 'binary', labels: data.labels },
    models: [
      { name: 'challenger', role: 'candidate', predictions: data.challenger },
      { name: 'champion', role: 'champion', predictions: data.champion },
      { name: 'prior', role: 'baseline', predictions: data.baseline },
    ],
    segments: { region: data.region },
    targets: [{ metric: 'roc_auc', target: 0.6 }, { metric: 'lift_at_k', k: 20, target: 1.5 }],
    bootstrap: { resamples: 200, seed: 3 },
  });

  it('gives every model its metrics with intervals, the point estimates as the metric functions compute them', () => {
    expect(evaluation.models.map((model) => model.role)).toEqual(['candidate', 'champion', 'baseline']);
    expect(evaluation.models[0]?.metrics.roc_auc?.estimate).toBe(rocAucScore(data.labels, data.challenger));
    expect(evaluation.models[2]?.metrics.roc_auc?.estimate).toBe(0.5);
    expect(evaluation.settings.liftPercent).toBe(20);
    for (const model of evaluation.models) for (const estimate of Object.values(model.metrics)) if (Number.isFinite(estimate.estimate) && estimate.standardError > 0) expect(estimate.lower).toBeLessThanOrEqual(estimate.upper);
  });

  it('flags the region where the challenger fails, against the champion and against its overall figure', () => {
    const segments = evaluation.slices[0]?.segments ?? [];
    expect(segments.map((segment) => segment.value)).toEqual(['A', 'B', 'C']);
    expect(segments.map((segment) => segment.rows)).toEqual([1000, 1000, 1000]);
    const byValue = Object.fromEntries(segments.map((segment) => [segment.value, segment]));
    expect(byValue.C?.versusChampion?.worse).toBe(true);
    expect(byValue.C?.versusOverall.worse).toBe(true);
    expect(byValue.A?.versusChampion?.worse).toBe(false);
    expect(byValue.A?.versusOverall.worse).toBe(false);
    expect(byValue.C?.versusOverall.adjustedPValue).toBeGreaterThanOrEqual(byValue.C?.versusOverall.pValue ?? 1);
  });

  it('says not ready, naming the segment, with DeLong beside the paired bootstrap', () => {
    expect(evaluation.verdict.ready).toBe(false);
    expect(evaluation.verdict.summary).toMatch(/significantly worse in region=C/);
    expect(evaluation.comparison?.delong?.difference).toBeCloseTo(evaluation.comparison?.differences.roc_auc?.estimate ?? NaN, 12);
    expect(evaluation.verdict.checks.find((check) => check.check === 'beats the baseline')?.passed).toBe(true);
  });

  it('says ready when the challenger holds everywhere', () => {
    const good = evaluatePredictions({
      rows: { task: 'binary', labels: data.labels },
      models: [
        { name: 'challenger', role: 'candidate', predictions: data.champion.map((value, row) => (row % 3 === 2 ? value : data.challenger[row] as number)) },
        { name: 'champion', role: 'champion', predictions: data.champion },
        { name: 'prior', role: 'baseline', predictions: data.baseline },
      ],
      segments: { region: data.region },
      targets: [{ metric: 'roc_auc', target: 0.6 }],
      bootstrap: { resamples: 200, seed: 3 },
    });
    expect(good.verdict.ready, good.verdict.summary).toBe(true);
  });

  it('is not ready without targets, and refuses two candidates', () => {
    const noTargets = evaluatePredictions({ rows: { task: 'binary', labels: data.labels }, models: [{ name: 'c', role: 'candidate', predictions: data.challenger }], bootstrap: { resamples: 20 } });
    expect(noTargets.verdict.ready).toBe(false);
    expect(noTargets.verdict.summary).toMatch(/sets no ML metric targets/);
    expect(() => evaluatePredictions({ rows: { task: 'binary', labels: data.labels }, models: [{ name: 'a', role: 'candidate', predictions: data.challenger }, { name: 'b', role: 'candidate', predictions: data.champion }] })).toThrow(/exactly one candidate/);
  });
});

describe('other tasks', () => {
  const random = seededRandom(9);
  it('regression', () => {
    const targets = Float64Array.from({ length: 400 }, () => 10 + 3 * standardNormal(random));
    const predictions = targets.map((value) => value + standardNormal(random));
    const evaluation = evaluatePredictions({ rows: { task: 'regression', labels: targets }, models: [{ name: 'm', role: 'candidate', predictions }], targets: [{ metric: 'rmse', target: 1.5 }], bootstrap: { resamples: 100 } });
    expect(evaluation.models[0]?.metrics.rmse?.estimate).toBe(rootMeanSquaredError(targets, predictions));
    expect(evaluation.models[0]?.metrics['pinball_0.9']).toBeDefined();
    expect(evaluation.verdict.ready).toBe(true);
  });

  it('multiclass', () => {
    const labels = Float64Array.from({ length: 300 }, (_, row) => row % 3);
    const probabilities = new Float64Array(900);
    for (let row = 0; row < 300; row++) for (let label = 0; label < 3; label++) probabilities[row * 3 + label] = label === row % 3 ? 0.5 + 0.3 * random() : 0.25 * random();
    const evaluation = evaluatePredictions({ rows: { task: 'multiclass', labels, classes: 3 }, models: [{ name: 'm', role: 'candidate', predictions: probabilities }], bootstrap: { resamples: 50 } });
    expect(evaluation.models[0]?.metrics.macro_f1?.estimate).toBe(multiclassF1(labels, { values: probabilities, classes: 3 }).macro);
  });

  it('ranking resamples whole queries', () => {
    const queries = Array.from({ length: 200 }, (_, row) => Math.floor(row / 10));
    const relevance = Float64Array.from({ length: 200 }, () => Math.floor(random() * 3));
    const scores = relevance.map((value) => value + random());
    const evaluation = evaluatePredictions({ rows: { task: 'ranking', labels: relevance, queries }, models: [{ name: 'm', role: 'candidate', predictions: scores }], targets: [{ metric: 'ndcg_at_k', k: 5, target: 0.5 }], bootstrap: { resamples: 50 } });
    expect(evaluation.settings.k).toBe(5);
    expect(evaluation.models[0]?.metrics.ndcg_at_k?.estimate).toBe(ndcgAtK(relevance, scores, queries, 5));
    expect(evaluation.bootstrap.method).toMatch(/queries/);
  });
});
