import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { estimateBinaryPerformance } from './cbpe.js';
import { rocAucScore } from './roc-auc.js';

/** A window of calibrated scores: a latent normal signal through a logistic link, each label drawn from its score. */
function calibratedWindow(seed: number, rows: number): { scores: Float64Array; labels: Float64Array; decisions: Float64Array } {
  const random = seededRandom(seed);
  const scores = new Float64Array(rows);
  const labels = new Float64Array(rows);
  const decisions = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    // Rounded to three decimals so that ties occur, as they do with a tree model's scores.
    const score = Math.round((1 / (1 + Math.exp(-(-1.3 + 0.9 * normal)))) * 1000) / 1000;
    scores[row] = score;
    labels[row] = random() < score ? 1 : 0;
    decisions[row] = score >= 0.3 ? 1 : 0;
  }
  return { scores, labels, decisions };
}

describe('confidence-based performance estimation', () => {
  it('covers the realised ROC AUC and false-alarm rate of calibrated windows in at least 90% of seeded windows', () => {
    const windows = 200;
    let aucInside = 0;
    let alarmInside = 0;
    let bias = 0;
    for (let seed = 1; seed <= windows; seed++) {
      const window = calibratedWindow(seed, 2000);
      const estimate = estimateBinaryPerformance(window.scores, seededRandom(10_000 + seed), { decisions: window.decisions });
      const realised = rocAucScore(window.labels, window.scores);
      if (realised >= estimate.rocAuc.lower && realised <= estimate.rocAuc.upper) aucInside += 1;
      bias += estimate.rocAuc.estimate - realised;
      let negatives = 0;
      let alarms = 0;
      window.labels.forEach((label, row) => {
        if (label === 0) {
          negatives += 1;
          alarms += window.decisions[row] as number;
        }
      });
      const rate = alarms / negatives;
      const alarm = estimate.falseAlarmRate;
      expect(alarm).not.toBeNull();
      if (alarm !== null && rate >= alarm.lower && rate <= alarm.upper) alarmInside += 1;
    }
    expect(aucInside / windows).toBeGreaterThanOrEqual(0.9);
    expect(alarmInside / windows).toBeGreaterThanOrEqual(0.9);
    // The estimate is centred: over 200 windows its mean error is a small fraction of the interval's width.
    expect(Math.abs(bias / windows)).toBeLessThan(0.005);
  });

  it('misses when the scores are not calibrated: scores twice the true chance overstate the false-alarm rate', () => {
    const window = calibratedWindow(7, 4000);
    const inflated = window.scores.map((score) => Math.min(1, score * 2));
    const honest = estimateBinaryPerformance(window.scores, seededRandom(1), { decisions: window.decisions });
    const skewed = estimateBinaryPerformance(inflated, seededRandom(1), { decisions: window.decisions });
    expect(skewed.falseAlarmRate?.estimate).toBeLessThan((honest.falseAlarmRate?.estimate ?? 0) - 0.05);
  });

  it('gives the exact area when every score is 0 or 1', () => {
    const scores = Float64Array.from([1, 1, 0, 0, 1, 0]);
    const estimate = estimateBinaryPerformance(scores, seededRandom(3));
    expect(estimate.rocAuc.estimate).toBe(1);
    expect(estimate.rocAuc.lower).toBe(1);
    expect(estimate.rocAuc.upper).toBe(1);
  });

  it('refuses scores that are not probabilities, naming the row', () => {
    expect(() => estimateBinaryPerformance([0.2, 1.5], seededRandom(1))).toThrow(/score of row 1 is 1.5/);
    expect(() => estimateBinaryPerformance([], seededRandom(1))).toThrow(/no scores/);
    expect(() => estimateBinaryPerformance([0.2, 0.4], seededRandom(1), { decisions: [1] })).toThrow(/1 decisions for 2 scores/);
  });
});
