/**
 * The analysis of an online experiment from a real event log (segments on disk, read by DuckDB), on a log
 * small enough to count by hand: the attribution window, outcomes before exposure, a unit in two arms,
 * another experiment's and another phase's exposures, segments from the request's attributes, and a metric
 * on a column read from outcome events of that name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDuckDb } from '../store/duckdb/engine.js';
import type { EventRecord } from '../store/event-store.js';
import { SegmentEventReader, SegmentEventWriter } from '../store/local-events/segment-event-store.js';
import { analyzeOnlineExperiment } from './online-analysis.js';
import { checkExperimentDefinition } from './online-definition.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const SPEC = {
  randomizationUnit: 'passenger_id',
  segments: [{ name: 'region', column: 'region', description: 'region' }],
  successMetrics: [
    { id: 'rebooked', description: '', kind: 'proportion', source: { event: 'rebooked' }, direction: 'increase', minimumDetectableEffect: { relative: 0.05 }, role: 'primary' },
    { id: 'wait', description: '', kind: 'mean', source: { column: 'wait_minutes' }, direction: 'decrease', minimumDetectableEffect: { relative: 0.05 }, role: 'secondary' },
  ],
} as unknown as Parameters<typeof analyzeOnlineExperiment>[2]['spec'];

const hour = (h: number) => new Date(Date.UTC(2026, 5, 1) + h * 3_600_000).toISOString();

function exposure(unit: string, arm: string, h: number, region: string, experiment = 'ab', phase = 1): EventRecord {
  return { type: 'exposure', time: hour(h), unit, experiment, phase, arm, attributes: JSON.stringify({ region, distance: 100 }) };
}
function outcome(unit: string, name: string, h: number, value = 1): EventRecord {
  return { type: 'outcome', time: hour(h), unit, name, value };
}

describe('analyzeOnlineExperiment', () => {
  it('counts by hand: window, pre-exposure events, mixed units, phases and segments', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-online-analysis-'));
    folders.push(dir);
    const writer = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
    await writer.append([
      exposure('c1', 'control', 0, 'East'),
      exposure('c1', 'control', 5, 'East'), // a second exposure of the same unit and arm: one unit, first time hour 0
      exposure('c2', 'control', 1, 'West'),
      exposure('c3', 'control', 2, 'West'),
      exposure('t1', 'treatment', 0, 'East'),
      exposure('t2', 'treatment', 1, 'East'),
      exposure('t3', 'treatment', 3, 'West'),
      exposure('m1', 'control', 0, 'East'),
      exposure('m1', 'treatment', 2, 'East'), // two arms: excluded and counted
      exposure('x1', 'treatment', 0, 'East', 'other'), // another experiment
      exposure('p2', 'treatment', 0, 'East', 'ab', 2), // another phase
      outcome('c1', 'rebooked', 10),
      outcome('c1', 'rebooked', 80), // after the 72-hour window (from hour 0): not counted
      outcome('c2', 'rebooked', 0), // before c2's exposure at hour 1: not counted
      outcome('t1', 'rebooked', 1),
      outcome('t2', 'rebooked', 2),
      outcome('t2', 'rebooked', 3), // a second rebooking: a proportion counts the unit once
      outcome('m1', 'rebooked', 3),
      outcome('x1', 'rebooked', 3),
      outcome('c1', 'wait_minutes', 4, 30),
      outcome('c3', 'wait_minutes', 4, 10),
      outcome('t3', 'wait_minutes', 5, 12),
      outcome('t3', 'wait_minutes', 6, 3), // summed per unit: 15
    ]);
    await writer.close();
    const engine = await openDuckDb();
    try {
      const definition = checkExperimentDefinition({ endpoint: 'e', arms: [{ id: 'control', model: 'm@a', weight: 0.5 }, { id: 'treatment', model: 'm@b', weight: 0.5 }], segment: 'region', sequential: false });
      const result = await analyzeOnlineExperiment(engine, new SegmentEventReader(dir), { name: 'ab', phase: 1, definition, spec: SPEC });
      expect(result.exposedUnits).toBe(7);
      expect(result.statistics.multipleExposures).toBe(1);
      expect(result.statistics.units).toEqual({ control: 3, treatment: 3 });
      expect(result.statistics.metrics.rebooked?.arms).toEqual({ control: { n: 3, successes: 1 }, treatment: { n: 3, successes: 2 } });
      expect(result.statistics.metrics.rebooked?.segments).toEqual({ East: { control: { n: 1, successes: 1 }, treatment: { n: 2, successes: 2 } }, West: { control: { n: 2, successes: 0 }, treatment: { n: 1, successes: 0 } } });
      expect(result.statistics.metrics.wait?.arms).toEqual({ control: { n: 3, sum: 40, sumSquares: 1000 }, treatment: { n: 3, sum: 15, sumSquares: 225 } });
      expect(result.analysis.metrics.map((metric) => metric.id)).toEqual(['rebooked', 'wait']);

      // With a pre-exposure window, each metric's same events before the first exposure are its covariate:
      // c1 and t3 waited before (hours -5 and -1), c2's rebooking at hour 0 precedes its exposure at hour 1.
      const writerAgain = await SegmentEventWriter.open(dir, { maintainIntervalMs: 0 });
      await writerAgain.append([outcome('c1', 'wait_minutes', -5, 7), outcome('t3', 'wait_minutes', -1, 4), outcome('t3', 'wait_minutes', -30, 100)]);
      await writerAgain.close();
      const cuped = await analyzeOnlineExperiment(engine, new SegmentEventReader(dir), { name: 'ab', phase: 1, definition: { ...definition, preExposureHours: 24 }, spec: SPEC });
      expect(cuped.statistics.metrics.wait?.arms.control).toEqual({ n: 3, sum: 40, sumSquares: 1000, covariate: { sum: 7, sumSquares: 49, metricCovariateSum: 210 } });
      expect(cuped.statistics.metrics.wait?.arms.treatment).toEqual({ n: 3, sum: 15, sumSquares: 225, covariate: { sum: 4, sumSquares: 16, metricCovariateSum: 60 } });
      expect(cuped.statistics.metrics.rebooked?.arms.control).toEqual({ n: 3, successes: 1, covariate: { sum: 1, sumSquares: 1, metricCovariateSum: 0 } });

      // An analysis up to hour 1 sees the exposures and outcomes until then: m1 has been in control only.
      const early = await analyzeOnlineExperiment(engine, new SegmentEventReader(dir), { name: 'ab', phase: 1, definition, spec: SPEC, until: new Date(hour(1)) });
      expect(early.statistics.multipleExposures).toBe(0);
      expect(early.statistics.units).toEqual({ control: 3, treatment: 2 });
      expect(early.statistics.metrics.rebooked?.arms).toEqual({ control: { n: 3, successes: 0 }, treatment: { n: 2, successes: 1 } });
    } finally {
      await engine.close();
    }
  });
});
