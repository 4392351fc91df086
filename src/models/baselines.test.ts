import { describe, expect, it } from 'vitest';
import { fitConstantBaseline, fitGroupedRate, predictGroupedRate } from './baselines.js';

describe('baselines', () => {
  it('predict the prior or the mean', () => {
    expect(fitConstantBaseline([0, 1, 1, 0, 1], 'binary').values).toEqual([0.6]);
    expect(fitConstantBaseline([0, 2, 2, 1], 'multiclass').values).toEqual([0.25, 0.25, 0.5]);
    expect(fitConstantBaseline([1.5, 2.5, 5], 'regression').values).toEqual([3]);
  });

  it('smooth each group\'s rate towards the overall rate, and give unseen groups the overall rate', () => {
    const keys = [['ATL', 'JFK'], ['ATL', 'JFK'], ['ATL', 'JFK'], ['SFO', 'LAX'], ['SFO', 'LAX'], ['SFO', 'LAX'], ['SFO', 'LAX']];
    const label = [1, 1, 0, 0, 0, 0, 1];
    const model = fitGroupedRate(keys, label, 2);
    const prior = 3 / 7;
    const predicted = predictGroupedRate(model, [['ATL', 'JFK'], ['SFO', 'LAX'], ['BOS', 'ORD'], ['ATL']]);
    expect(Array.from(predicted)).toEqual([(2 + 2 * prior) / (3 + 2), (1 + 2 * prior) / (4 + 2), prior, prior]);
  });

  it('refuse missing labels and mismatched keys', () => {
    expect(() => fitConstantBaseline([0, NaN], 'binary')).toThrow(/label of row 1 is missing/);
    expect(() => fitGroupedRate([['a']], [1, 0])).toThrow(/1 keys for 2 labels/);
  });
});
