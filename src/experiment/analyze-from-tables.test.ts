import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuccessMetric } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import { openDuckDb } from '../store/duckdb/engine.js';
import { seededRandom } from '../stats/random.js';
import { analyzeExperimentFromSpec } from './analyze-from-tables.js';
import type { ArmComparison } from './analyze-experiment.js';
import { quantileStatisticsOf } from './quantile-metric.js';

const metric = (fields: Partial<SuccessMetric> & Pick<SuccessMetric, 'id' | 'kind' | 'source' | 'role'>): SuccessMetric => ({ description: fields.id, direction: 'increase', minimumDetectableEffect: { relative: 0.05 }, ...fields });

/** The spec's part the experiment stage reads: metrics by event name and by column, a guardrail, a segment. */
const SPEC = {
  randomizationUnit: 'passenger_id',
  segments: [{ name: 'market', column: 'country' }],
  successMetrics: [
    metric({ id: 'rebooked', kind: 'proportion', source: { event: 'rebooked' }, role: 'primary' }),
    metric({ id: 'open-rate', kind: 'ratio', source: { numerator: { event: 'alert_opened' }, denominator: { event: 'alert_sent' } }, role: 'secondary' }),
    metric({ id: 'spend', kind: 'mean', source: { event: 'purchase', column: 'amount' }, role: 'secondary' }),
    metric({ id: 'wait-p90', kind: 'quantile', quantile: 0.9, source: { column: 'wait_minutes' }, role: 'secondary', direction: 'decrease' }),
    metric({ id: 'muted', kind: 'proportion', source: { event: 'alerts_muted' }, role: 'guardrail', direction: 'decrease', nonInferiorityMargin: 0.5 }),
  ],
};

interface Passenger {
  id: number;
  arm: string;
  country: string;
  events: { event: string; amount: number | null; wait: number | null }[];
}

function passengers(): Passenger[] {
  const random = seededRandom(77);
  return Array.from({ length: 3000 }, (_, id) => {
    const arm = id % 2 === 0 ? 'control' : 'treatment';
    const events: Passenger['events'] = [];
    const sent = 1 + Math.floor(random() * 4);
    for (let index = 0; index < sent; index += 1) {
      events.push({ event: 'alert_sent', amount: null, wait: null });
      if (random() < (arm === 'treatment' ? 0.6 : 0.5)) events.push({ event: 'alert_opened', amount: null, wait: null });
    }
    if (random() < (arm === 'treatment' ? 0.3 : 0.2)) events.push({ event: 'rebooked', amount: null, wait: Math.round(random() * 600) / 10 });
    if (random() < 0.2) events.push({ event: 'purchase', amount: Math.round(random() * 5000) / 100, wait: null });
    if (random() < 0.05) events.push({ event: 'alerts_muted', amount: null, wait: null });
    return { id, arm, country: random() < 0.4 ? 'FR' : 'DE', events };
  });
}

describe('analysing an experiment from tables with the spec\'s metrics', () => {
  const data = passengers();
  let engine: AnalyticsEngine;

  beforeAll(async () => {
    engine = await openDuckDb();
    await engine.run(`CREATE TABLE exposures AS SELECT * FROM (VALUES ${data.map((p) => `(${p.id}, '${p.arm}', '${p.country}')`).join(',')}) AS t(passenger_id, variant, country)`);
    const rows = data.flatMap((p) => p.events.map((e) => `(${p.id}, '${e.event}', ${e.amount ?? 'NULL'}, ${e.wait ?? 'NULL'})`));
    await engine.run(`CREATE TABLE events AS SELECT * FROM (VALUES ${rows.join(',')}) AS t(passenger_id, event, amount, wait_minutes)`);
  });

  afterAll(async () => {
    await engine.close();
  });

  it('aggregates each metric as the spec defines it: events counted, a column over one event, a column, per segment', async () => {
    const { statistics, analysis } = await analyzeExperimentFromSpec(engine, SPEC, { exposures: { relation: 'exposures', arm: 'variant' }, outcomes: { relation: 'events' } }, { name: 'alerts-v2' });
    const treatment = data.filter((p) => p.arm === 'treatment');
    const count = (p: Passenger, event: string) => p.events.filter((e) => e.event === event).length;
    expect(statistics.metrics.rebooked?.arms.treatment).toEqual({ n: treatment.length, successes: treatment.filter((p) => count(p, 'rebooked') > 0).length });
    const ratio = statistics.metrics['open-rate']?.arms.treatment as unknown as Record<string, number>;
    expect(ratio.numeratorSum).toBe(treatment.reduce((sum, p) => sum + count(p, 'alert_opened'), 0));
    expect(ratio.denominatorSum).toBe(treatment.reduce((sum, p) => sum + count(p, 'alert_sent'), 0));
    const spend = statistics.metrics.spend?.arms.treatment as unknown as Record<string, number>;
    expect(spend.sum).toBeCloseTo(treatment.reduce((sum, p) => sum + p.events.reduce((s, e) => s + (e.event === 'purchase' ? (e.amount ?? 0) : 0), 0), 0), 6);
    const waits = treatment.filter((p) => p.country === 'FR').map((p) => p.events.reduce((s, e) => s + (e.wait ?? 0), 0));
    const fr = statistics.metrics['wait-p90']?.segments.FR?.treatment as unknown as Record<string, number>;
    expect(fr.estimate).toBeCloseTo(quantileStatisticsOf(waits, 0.9).estimate, 9);

    expect(analysis.metrics.map((m) => [m.id, m.kind, m.role, m.direction])).toEqual([
      ['rebooked', 'proportion', 'primary', 'increase'],
      ['open-rate', 'ratio', 'secondary', 'increase'],
      ['spend', 'mean', 'secondary', 'increase'],
      ['wait-p90', 'quantile', 'secondary', 'decrease'],
      ['muted', 'proportion', 'guardrail', 'decrease'],
    ]);
    expect(analysis.metrics[0]?.segments.map((s) => s.segment)).toEqual(['DE', 'FR']);
    const guardrail = analysis.metrics[4]?.comparisons[0] as ArmComparison;
    expect(guardrail.nonInferiority?.margin).toBe(0.5);
    expect(analysis.metrics[0]?.minimumDetectableEffect).toBe(0.05);
    const rebooked = analysis.metrics[0]?.comparisons[0] as ArmComparison;
    expect(rebooked.significant).toBe(true);
  });

  it('refuses an unknown segment, too few arms and relative margins on the absolute scale, naming the problem', async () => {
    const tables = { exposures: { relation: 'exposures', arm: 'variant' }, outcomes: { relation: 'events' } };
    await expect(analyzeExperimentFromSpec(engine, SPEC, tables, { name: 'x', segment: 'airline' })).rejects.toThrow(/segment "airline" is not in mlcycle.yaml \(segments: market\)/);
    await expect(analyzeExperimentFromSpec(engine, SPEC, tables, { name: 'x', options: { scale: 'absolute' } })).rejects.toThrow(/margins are relative \(muted\)/);
    await engine.run(`CREATE VIEW one_arm AS SELECT * FROM exposures WHERE variant = 'control'`);
    await expect(analyzeExperimentFromSpec(engine, SPEC, { ...tables, exposures: { relation: 'one_arm', arm: 'variant' } }, { name: 'x' })).rejects.toThrow(/1 arm; an experiment needs at least two/);
    await expect(analyzeExperimentFromSpec(engine, { ...SPEC, successMetrics: [] }, tables, { name: 'x' })).rejects.toThrow(/no successMetrics/);
  });
});
