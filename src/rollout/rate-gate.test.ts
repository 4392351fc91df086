/**
 * The rate gate (rollout.ts `rateGate`) is looked at after every batch of traffic, so its claim is about
 * the whole sequence of looks: a candidate whose rate sits exactly at the limit is failed at some look
 * with probability at most alpha. Simulated here with seeded Bernoulli draws, looking every 50
 * observations up to 5,000 (100 looks); a rate clearly above the limit is caught.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { rateGate } from './rollout.js';

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
});
