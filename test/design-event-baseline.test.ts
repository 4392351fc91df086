/**
 * The online test sized from a baseline the event log gives (sizeOnlineTest, design/online-test-size.ts):
 * a real workspace, its local event log and DuckDB. The log holds 400 units with predictions; 30 of them
 * have one `rebooked` outcome, 6 have two, and other outcome names are noise the baseline must not read.
 * The expected figures are counted here from the records written; the sizes they lead to are
 * estimateTestSize's, which test-size.test.ts checks against statsmodels.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sizeOnlineTest } from '../src/design/online-test-size.js';
import { estimateTestSize } from '../src/design/test-size.js';
import type { ProblemSpec, SuccessMetric } from '../src/problem/spec-schema.js';
import type { AnalyticsEngine } from '../src/store/analytics.js';
import { openAnalyticsEngine } from '../src/store/backends.js';
import type { EventRecord } from '../src/store/event-store.js';
import { createWorkspace, type Workspace } from '../src/store/workspace.js';
import { tempDir, testContext } from './support/temp-dir.js';

const UNITS = 400;
/** Units 0-29 rebook once, 30-35 twice: 36 of 400 units, 42 events. */
const REBOOKINGS = (unit: number) => (unit < 30 ? 1 : unit < 36 ? 2 : 0);
const NO_DATA = { ref: 'flights@1', columns: [], artifactKey: 'datasets/none.parquet' };
const REQUEST = { minimumDetectableEffect: 0.05, absolute: false, alpha: 0.05, power: 0.8, ratio: 1, alternative: 'two-sided' as const, dailyUnits: 1000 };

function specWith(metric: Pick<SuccessMetric, 'kind' | 'source'>): Pick<ProblemSpec, 'successMetrics'> {
  return {
    successMetrics: [{ id: 'rebooked_before_gate', description: 'rebooked before the gate', direction: 'increase', minimumDetectableEffect: { relative: 0.05 }, role: 'primary', ...metric }],
  };
}

function logRecords(): EventRecord[] {
  const records: EventRecord[] = [];
  const at = (minute: number) => new Date(Date.UTC(2026, 5, 1) + minute * 60_000).toISOString();
  for (let unit = 0; unit < UNITS; unit += 1) {
    records.push({ type: 'prediction', time: at(unit), unit: `u${unit}`, model: 'delay', version: 1, score: 0.5 });
    for (let event = 0; event < REBOOKINGS(unit); event += 1) records.push({ type: 'outcome', time: at(unit + 1), unit: `u${unit}`, name: 'rebooked', value: 2 + event });
    if (unit % 3 === 0) records.push({ type: 'outcome', time: at(unit + 2), unit: `u${unit}`, name: 'alert_opened', value: 1 });
  }
  // An outcome without a unit is no observation.
  records.push({ type: 'outcome', time: at(UNITS), name: 'rebooked', value: 1 });
  return records;
}

describe('sizeOnlineTest with a baseline from the event log', () => {
  let workspace: Workspace;
  let engine: AnalyticsEngine;
  beforeEach(async () => {
    ({ workspace } = await createWorkspace(tempDir(), 'events', testContext()));
    engine = await openAnalyticsEngine();
  });
  afterEach(async () => {
    await engine.close();
    await workspace.close();
  });

  async function writeLog(): Promise<void> {
    const writer = await workspace.openEventWriter();
    await writer.append(logRecords());
    await writer.close();
  }

  it('takes a proportion as the share of units with the event, and sizes the test from it', async () => {
    await writeLog();
    const sized = await sizeOnlineTest(engine, workspace, specWith({ kind: 'proportion', source: { event: 'rebooked' } }), NO_DATA, { dailyUnits: 1000 });
    expect(sized.baseline).toEqual({ kind: 'rate', rate: 36 / UNITS });
    expect(sized.baselineSource).toBe(`event log (${UNITS} units)`);
    expect(sized.fixedHorizon).toEqual(estimateTestSize({ ...REQUEST, baseline: { kind: 'rate', rate: 36 / UNITS } }).fixedHorizon);
  });

  it('takes a mean as the count per unit, or the sum of values when the metric names a column', async () => {
    await writeLog();
    const meanAndSd = (values: number[]) => {
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      return { mean, sd: Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1)) };
    };
    const counts = meanAndSd(Array.from({ length: UNITS }, (_, unit) => REBOOKINGS(unit)));
    // Values 2 for the first event and 3 for the second: 2 for a single rebooking, 5 for two.
    const sums = meanAndSd(Array.from({ length: UNITS }, (_, unit) => [0, 2, 5][REBOOKINGS(unit)] as number));
    const byCount = await sizeOnlineTest(engine, workspace, specWith({ kind: 'mean', source: { event: 'rebooked' } }), NO_DATA, { dailyUnits: 1000 });
    const bySum = await sizeOnlineTest(engine, workspace, specWith({ kind: 'mean', source: { event: 'rebooked', column: 'value' } }), NO_DATA, { dailyUnits: 1000 });
    for (const [sized, expected] of [
      [byCount, counts],
      [bySum, sums],
    ] as const) {
      if (sized.baseline.kind !== 'mean') throw new Error(`expected a mean baseline, got ${sized.baseline.kind}`);
      expect(sized.baseline.mean).toBeCloseTo(expected.mean, 12);
      expect(sized.baseline.standardDeviation).toBeCloseTo(expected.sd, 12);
      expect(sized.fixedHorizon).toEqual(estimateTestSize({ ...REQUEST, baseline: sized.baseline }).fixedHorizon);
    }
    expect(counts.mean).toBe(42 / UNITS);
  });

  it("leaves out the units an experiment's treatment arm served", async () => {
    await writeLog();
    // An A/B test served units 0-99: the even ones on control, the odd ones on the treatment. Units 0-35
    // rebook: 18 of them (the even ones) stay, the 18 odd ones leave with the other odd units of 0-99.
    await workspace.experiments.create('ab', { endpoint: 'delay', arms: [{ id: 'control', model: 'delay/1', weight: 0.5 }, { id: 'alert', model: 'delay/2', weight: 0.5 }] }, testContext());
    const writer = await workspace.openEventWriter();
    await writer.append(Array.from({ length: 100 }, (_, unit) => ({ type: 'exposure' as const, time: '2026-06-02T00:00:00Z', unit: `u${unit}`, experiment: 'ab', phase: 1, arm: unit % 2 === 0 ? 'control' : 'alert' })));
    await writer.close();
    const sized = await sizeOnlineTest(engine, workspace, specWith({ kind: 'proportion', source: { event: 'rebooked' } }), NO_DATA, { dailyUnits: 1000 });
    expect(sized.baseline).toEqual({ kind: 'rate', rate: 18 / (UNITS - 50) });
    expect(sized.baselineSource).toBe(`event log (${UNITS - 50} units)`);
  });

  it('prefers a given baseline to the log', async () => {
    await writeLog();
    const sized = await sizeOnlineTest(engine, workspace, specWith({ kind: 'proportion', source: { event: 'rebooked' } }), NO_DATA, { dailyUnits: 1000, baseline: { kind: 'rate', rate: 0.2 } });
    expect(sized.baseline).toEqual({ kind: 'rate', rate: 0.2 });
    expect(sized.baselineSource).toBe('given');
  });

  it('refuses when the log is empty or no unit has the event, naming the metric and the way out', async () => {
    const spec = specWith({ kind: 'proportion', source: { event: 'rebooked' } });
    await expect(sizeOnlineTest(engine, workspace, spec, NO_DATA, { dailyUnits: 1000 })).rejects.toThrow(
      /the primary metric rebooked_before_gate has no baseline: its event rebooked is not in the training data, and the event log has too few units with and without it; give it \(--baseline-rate R/,
    );
    const writer = await workspace.openEventWriter();
    await writer.append([0, 1, 2].map((unit) => ({ type: 'prediction' as const, time: '2026-06-01T00:00:00Z', unit: `u${unit}` })));
    await writer.close();
    await expect(sizeOnlineTest(engine, workspace, spec, NO_DATA, { dailyUnits: 1000 })).rejects.toThrow(/has no baseline/);
  });
});
