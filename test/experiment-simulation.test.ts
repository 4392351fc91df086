/**
 * The traffic simulator as the statistics' end-to-end check (the in-process path: the same hash
 * assignment, the same response model and the same stats engine as a live test, without HTTP):
 *   - A/A: both arms decide alike, so a correct 5% test flags the primary metric in 4% to 6% of 2,000
 *     seeded runs (the 95% range of a binomial(2000, 0.05) share: 0.05 +- 1.96 sqrt(0.05 * 0.95 / 2000));
 *   - a planted effect: the treatment alerts at a lower threshold, and the true relative lift in rebooking
 *     is known from the response model's probabilities over the population; the 95% interval covers it in
 *     at least 93% of 1,000 seeded runs, and the sequential test, looked at after every batch, declares
 *     the wrong direction in at most 5% of them.
 */
import { describe, expect, it } from 'vitest';
import { validateResponseModel, eventProbability, type ResponseModel } from '../src/experiment/response-model.js';
import { simulateExperimentInProcess } from '../src/experiment/simulate-traffic.js';
import type { ArmComparison } from '../src/experiment/analyze-experiment.js';
import { seededRandom } from '../src/stats/random.js';

const RESPONSES = {
  label: 'label',
  segment: 'region',
  seed: 3,
  events: [
    { name: 'alert_sent', when: 'decision == 1' },
    { name: 'rebooked_before_gate', probability: 'if(label == 1, if(decision == 1, 0.45, 0.12), if(decision == 1, 0.03, 0.01))' },
    { name: 'alerts_muted', when: 'decision == 1 and label == 0', probability: 0.05 },
  ],
};

function responseModel(seed: number): ResponseModel {
  const result = validateResponseModel({ ...RESPONSES, seed });
  if (result.value === undefined) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

/** A population of passengers: a model score, whether the flight was delayed, and a region. */
function population(size: number): Record<string, unknown>[] {
  const random = seededRandom(2024);
  return Array.from({ length: size }, () => {
    const score = random();
    const label = random() < 0.1 + 0.5 * score ? 1 : 0;
    return { score, label, region: ['Northeast', 'South', 'Midwest', 'West'][Math.floor(random() * 4)] };
  });
}

const POPULATION = population(5000);
const byThreshold = (threshold: number) => (row: Record<string, unknown>) => ({ score: row.score as number, decision: (row.score as number) >= threshold ? 1 : 0 });
const arms = [
  { id: 'control', weight: 0.5 },
  { id: 'treatment', weight: 0.5 },
];
const PRIMARY = [{ id: 'rebooked', kind: 'proportion' as const, event: 'rebooked_before_gate' }];

/** The true rate of an event under a decision rule: its probability averaged over the population. */
function trueRate(model: ResponseModel, decide: (row: Record<string, unknown>) => { decision: number }, event: string): number {
  let total = 0;
  for (const row of POPULATION) total += eventProbability(model, event, { ...row, label: row.label, decision: decide(row).decision, segment: row.region });
  return total / POPULATION.length;
}

describe('the simulator checks the statistics end to end', () => {
  it('A/A: flags the primary metric in 4% to 6% of 2,000 seeded runs', () => {
    const random = seededRandom(99);
    let significant = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      const [analysis] = simulateExperimentInProcess({
        population: POPULATION,
        units: 2000,
        assignment: { key: `aa-${run}`, seed: `aa-${run}`, arms, coverage: 1 },
        decide: { control: byThreshold(0.5), treatment: byThreshold(0.5) },
        model: responseModel(run + 1),
        metrics: PRIMARY,
        random,
        unitPrefix: `aa${run}`,
        control: 'control',
      }).slice(-1);
      const comparison = analysis?.metrics[0]?.comparisons[0] as ArmComparison;
      expect(comparison.degeneracy).toBeNull();
      if (comparison.significant) significant += 1;
    }
    const rate = significant / runs;
    expect(rate).toBeGreaterThanOrEqual(0.04);
    expect(rate).toBeLessThanOrEqual(0.06);
  }, 120_000);

  it('a planted effect: the 95% interval covers the true lift in >= 93% of 1,000 runs; sequential looks rarely point the wrong way', () => {
    const model = responseModel(1);
    const control = byThreshold(0.5);
    const treatment = byThreshold(0.35);
    const truth = trueRate(model, treatment, 'rebooked_before_gate') / trueRate(model, control, 'rebooked_before_gate') - 1;
    expect(truth).toBeGreaterThan(0.02);
    const random = seededRandom(7);
    let covered = 0;
    let wrongDirection = 0;
    const runs = 1000;
    for (let run = 0; run < runs; run++) {
      const looks = simulateExperimentInProcess({
        population: POPULATION,
        units: 3000,
        assignment: { key: `lift-${run}`, seed: `lift-${run}`, arms, coverage: 1 },
        decide: { control, treatment },
        model: responseModel(run + 1),
        metrics: PRIMARY,
        random,
        unitPrefix: `lift${run}`,
        control: 'control',
        lookEvery: 300,
        analysis: { sequential: { method: 'confidence-sequence', tuningParameter: 5000 } },
      });
      const final = looks.at(-1)?.metrics[0]?.comparisons[0] as ArmComparison;
      const [lower, upper] = final.fixedHorizon.interval;
      if (lower <= truth && truth <= upper) covered += 1;
      const wrong = looks.some((look) => {
        const comparison = look.metrics[0]?.comparisons[0];
        return comparison !== undefined && comparison.degeneracy === null && comparison.significant && comparison.effect.estimate < 0;
      });
      if (wrong) wrongDirection += 1;
    }
    expect(covered / runs).toBeGreaterThanOrEqual(0.93);
    expect(wrongDirection / runs).toBeLessThanOrEqual(0.05);
  }, 180_000);

  it('the same seed gives the same events; another seed gives others', () => {
    const run = (seed: number) =>
      simulateExperimentInProcess({
        population: POPULATION,
        units: 500,
        assignment: { key: 'same', seed: 'same', arms, coverage: 1 },
        decide: { control: byThreshold(0.5), treatment: byThreshold(0.3) },
        model: responseModel(seed),
        metrics: PRIMARY,
        random: seededRandom(5),
        unitPrefix: 'same',
        control: 'control',
      })[0];
    const first = JSON.stringify(run(1)?.metrics);
    expect(JSON.stringify(run(1)?.metrics)).toBe(first);
    expect(JSON.stringify(run(2)?.metrics)).not.toBe(first);
  });
});
