import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import { columnDrift } from './column-drift.js';
import type { ColumnValues } from './monitor-samples.js';
import { driftAgainst, prepareColumn, referenceChunks, spreadThreshold, withoutChunk } from './prepared-drift.js';

const random = seededRandom(21);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const numeric = (length: number, draw: () => number): ColumnValues => ({ kind: 'numeric', values: Float64Array.from({ length }, draw), invalid: 0 });
const categorical = (length: number, draw: () => string | null): ColumnValues => ({ kind: 'categorical', values: Array.from({ length }, draw), invalid: 0 });

describe('drift against a prepared reference', () => {
  it("gives columnDrift's score and test on the raw samples, for every default test", () => {
    const cases: [string, ColumnValues, ColumnValues][] = [
      ['wasserstein', numeric(5000, () => 800 + 300 * normal()), numeric(700, () => (random() < 0.05 ? NaN : 900 + 300 * normal()))],
      ['ks (small reference)', numeric(800, () => normal()), numeric(300, () => normal() + 0.2)],
      ['few values (Jensen-Shannon by value)', numeric(4000, () => Math.floor(random() * 4)), numeric(900, () => Math.floor(random() * 5))],
      ['categories', categorical(4000, () => ['a', 'b', 'c', null][Math.floor(random() * 4)] ?? null), categorical(600, () => ['a', 'b', 'd'][Math.floor(random() * 3)] ?? null)],
    ];
    for (const [name, reference, current] of cases) {
      const expected =
        reference.kind === 'numeric' && current.kind === 'numeric'
          ? columnDrift('x', { kind: 'numeric', values: reference.values }, { kind: 'numeric', values: current.values })
          : columnDrift('x', { kind: 'categorical', counts: counts((reference as { values: (string | null)[] }).values) }, { kind: 'categorical', counts: counts((current as { values: (string | null)[] }).values) });
      const actual = driftAgainst('x', prepareColumn(reference), current);
      expect(actual.test, name).toBe(expected.test);
      expect(actual.score, name).toBeCloseTo(expected.score, 12);
      expect([actual.referenceCount, actual.currentCount], name).toEqual([expected.referenceCount, expected.currentCount]);
    }
  });

  it('takes a chunk out of the reference exactly', () => {
    const reference = prepareColumn(numeric(1000, () => Math.round(normal() * 10) / 10 + 0));
    const [chunk] = referenceChunks(reference, 100, 1, 'random', seededRandom(3));
    const rest = withoutChunk(reference, chunk as ColumnValues);
    expect(rest.kind === 'numeric' ? rest.sorted.length : 0).toBe(900);
    const merged = Float64Array.from([...(rest.kind === 'numeric' ? rest.sorted : []), ...((chunk as { values: Float64Array }).values)]).sort();
    expect(merged).toEqual(reference.kind === 'numeric' ? reference.sorted : null);
    const labels = prepareColumn(categorical(1000, () => (random() < 0.3 ? 'yes' : 'no')));
    const [labelChunk] = referenceChunks(labels, 200, 1, 'contiguous', random);
    const restLabels = withoutChunk(labels, labelChunk as ColumnValues);
    expect(restLabels.kind === 'categorical' ? restLabels.rows : 0).toBe(800);
  });

  it('keeps the false-alarm rate of mean + 3 sd over 30 reference chunks near 2% per steady column and window (simulated)', () => {
    let alarms = 0;
    let checks = 0;
    for (let trial = 0; trial < 60; trial++) {
      for (const draw of [() => Math.floor(random() * 24), () => 800 + 300 * normal()]) {
        const reference = prepareColumn(numeric(3000, draw));
        const chunks = referenceChunks(reference, 500, 30, 'random', random);
        const threshold = spreadThreshold(chunks.map((chunk) => driftAgainst('x', withoutChunk(reference, chunk), chunk).score))?.threshold ?? NaN;
        for (let window = 0; window < 5; window++) {
          checks += 1;
          if (driftAgainst('x', reference, numeric(500, draw)).score >= threshold) alarms += 1;
        }
      }
    }
    // 600 steady windows: about 2% cross (4% with NannyML's ten chunks); a threshold from the chunks compared with
    // a reference that contains them (no withoutChunk) would sit lower and cross far more often.
    expect(alarms / checks).toBeLessThan(0.04);
    // A shifted window (half a standard deviation) crosses nearly always.
    const reference = prepareColumn(numeric(3000, () => 800 + 300 * normal()));
    const chunks = referenceChunks(reference, 500, 30, 'random', random);
    const threshold = spreadThreshold(chunks.map((chunk) => driftAgainst('x', withoutChunk(reference, chunk), chunk).score))?.threshold ?? NaN;
    expect(driftAgainst('x', reference, numeric(500, () => 950 + 300 * normal())).score).toBeGreaterThan(threshold);
  });
});

function counts(values: (string | null)[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const value of values) if (value !== null) map.set(value, (map.get(value) ?? 0) + 1);
  return map;
}
