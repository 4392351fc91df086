/**
 * The rate gate (rollout.ts `rateGate`) is looked at after every batch of traffic, so its claim is about
 * the whole sequence of looks: a candidate whose rate sits exactly at the limit is failed at some look
 * with probability at most alpha. Simulated here with seeded Bernoulli draws, looking every 50
 * observations up to 5,000 (100 looks); a rate clearly above the limit is caught.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { rateGate, segmentFalseAlarmGates } from './rollout.js';

function everFails(rate: number, limit: number, seed: number, alpha = 0.05): { failedAt: number | null } {
  const random = seededRandom(seed);
  let events = 0;
  for (let total = 1; total <= 5000; total++) {
    if (random() < rate) events += 1;
    if (total % 50 === 0 && rateGate('rate', events, total, limit, alpha, 50, 'draws').status === 'fail') return { failedAt: total };
  }
  return { failedAt: null };
}

describe('the rate gate', () => {
  it.each([0.2, 0.01])('fails a rate at its limit (%s) at most alpha of the time over 100 looks', (limit) => {
    const runs = 1000;
    let failed = 0;
    for (let seed = 1; seed <= runs; seed++) if (everFails(limit, limit, seed).failedAt !== null) failed += 1;
    // alpha = 0.05; three binomial standard errors of slack for the simulation (1,000 runs: 0.021).
    expect(failed / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  });

  it('catches a rate clearly over its limit, and passes one under it', () => {
    const over = Array.from({ length: 50 }, (_, index) => everFails(0.3, 0.2, 10_000 + index).failedAt);
    expect(over.every((at) => at !== null && at <= 1000)).toBe(true);
    const under = rateGate('rate', 150, 1000, 0.2, 0.05, 50, 'draws');
    expect(under.status).toBe('pass');
    expect(rateGate('rate', 10, 40, 0.2, 0.05, 50, 'draws')).toMatchObject({ status: 'wait', detail: '40 of at least 50 draws' });
    // Above the limit but not yet shown to be: wait for more data rather than fail or pass.
    expect(rateGate('rate', 215, 1000, 0.2, 0.05, 50, 'draws').status).toBe('wait');
  });

  it('fails the step on a segment whose false-alarm rate is shown above the limit after Holm, even when the scope is within it', () => {
    const counts = new Map([
      ['Northeast', { negatives: 1200, falseAlarms: 300 }],
      ['South', { negatives: 2000, falseAlarms: 280 }],
      ['West', { negatives: 40, falseAlarms: 30 }],
    ]);
    // Overall 610 of 3,240 (18.8%) is within 20%; the Northeast's 25% is not; the West has too few negatives to test.
    expect(rateGate('false-alarm rate', 610, 3240, 0.2, 0.05, 200, 'negatives').status).toBe('pass');
    const gates = segmentFalseAlarmGates(counts, 0.2, 0.05);
    expect(gates.map((gate) => [gate.gate, gate.status])).toEqual([['false-alarm rate in Northeast', 'fail']]);
    expect(gates[0]?.detail).toMatch(/^above the limit in Northeast: 25\.00% \(300 of 1200 labelled negatives alerted; limit 20\.00%, Holm-adjusted always-valid p = [0-9.e-]+ over 2 segments\)$/);
    // One segment in scope: the scope's own gate covers it.
    expect(segmentFalseAlarmGates(new Map([['Northeast', { negatives: 1200, falseAlarms: 300 }]]), 0.2, 0.05)).toEqual([]);
  });
});

describe('score drift against the offline evaluation', () => {
  it('bins live scores on the evaluation bins and takes the population stability index of the shares', async () => {
    const { scorePsi } = await import('./score-drift.js');
    const bins = [
      { lower: 0, upper: 0.3, weight: 50 },
      { lower: 0.3, upper: 0.6, weight: 30 },
      { lower: 0.6, upper: 1, weight: 20 },
    ];
    // Live shares 0.2, 0.3, 0.5 (a score of exactly 1 falls in the last bin).
    const live = [0.1, 0.29, 0.3, 0.45, 0.59, 0.6, 0.7, 0.8, 0.99, 1];
    const expected = (0.5 - 0.2) * Math.log(0.5 / 0.2) + (0.3 - 0.3) * Math.log(1) + (0.2 - 0.5) * Math.log(0.2 / 0.5);
    expect(scorePsi(bins, live)).toBeCloseTo(expected, 14);
    expect(scorePsi(bins, [0.1, 0.2, 0.25, 0.28, 0.29, 0.35, 0.4, 0.5, 0.7, 0.8])).toBeCloseTo(0, 14);
  });
});
