import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import { openDuckDb } from '../store/duckdb/engine.js';
import { readFeatureTable, type FeatureDefinition } from './feature-table.js';

const FEATURES: FeatureDefinition[] = [
  { name: 'distance', type: 'numeric' },
  { name: 'hour', type: 'numeric', sql: 'hour(date)' },
  { name: 'origin', type: 'categorical' },
];

describe('readFeatureTable', () => {
  let engine: AnalyticsEngine;
  beforeAll(async () => {
    engine = await openDuckDb();
  });
  afterAll(async () => {
    await engine.close();
  });

  async function parquet(name: string, rows: string): Promise<string> {
    const file = path.join(tempDir(), `${name}.parquet`);
    await engine.run(`COPY (SELECT * FROM (VALUES ${rows}) t(date, distance, origin, delay)) TO '${file}' (FORMAT parquet)`);
    return file;
  }

  it('reads numbers, expressions and categories by column, with NULL as missing', async () => {
    const file = await parquet('train', `(TIMESTAMP '2001-01-01 07:30', 500, 'SFO', 30), (TIMESTAMP '2001-01-01 18:05', NULL, 'ATL', 0), (TIMESTAMP '2001-01-02 09:00', 1200, NULL, 16)`);
    const table = await readFeatureTable(engine, file, FEATURES, 'delay > 15');
    expect(table.rows).toBe(3);
    expect(table.signature).toEqual([
      { name: 'distance', type: 'numeric' },
      { name: 'hour', type: 'numeric' },
      { name: 'origin', type: 'categorical', categories: ['ATL', 'SFO'] },
    ]);
    expect(Array.from(table.columns[0] as Float64Array)).toEqual([500, NaN, 1200]);
    expect(Array.from(table.columns[1] as Float64Array)).toEqual([7, 18, 9]);
    expect(Array.from(table.columns[2] as Float64Array)).toEqual([1, 0, NaN]);
    expect(Array.from(table.label)).toEqual([1, 0, 1]);
    expect(table.raw.origin).toEqual(['SFO', 'ATL', null]);
  });

  it('resolves later rows against the training signature: unseen categories become missing', async () => {
    const train = await readFeatureTable(engine, await parquet('a', `(TIMESTAMP '2001-01-01 07:30', 500, 'SFO', 30)`), FEATURES, 'delay > 15');
    const later = await readFeatureTable(engine, await parquet('b', `(TIMESTAMP '2001-05-01 07:30', 700, 'BOS', 0), (TIMESTAMP '2001-05-01 08:30', 800, 'SFO', 0)`), FEATURES, 'delay > 15', train.signature);
    expect(Array.from(later.columns[2] as Float64Array)).toEqual([NaN, 0]);
    expect(later.signature).toEqual(train.signature);
  });

  it('reads every k-th row of the file, in file order, when asked for a sample', async () => {
    const values = Array.from({ length: 10 }, (_, row) => `(TIMESTAMP '2001-01-01 07:00' + INTERVAL ${row} HOUR, ${100 * (row + 1)}, '${row % 2 === 0 ? 'SFO' : 'ATL'}', ${row})`).join(', ');
    const file = await parquet('every', values);
    const full = await readFeatureTable(engine, file, FEATURES, 'delay > 4');
    const third = await readFeatureTable(engine, file, FEATURES, 'delay > 4', undefined, { every: 3 });
    expect(third.rows).toBe(4);
    expect(Array.from(third.raw.distance as Float64Array)).toEqual([0, 3, 6, 9].map((row) => (full.raw.distance as Float64Array)[row]));
    expect(Array.from(third.label)).toEqual([0, 0, 1, 1]);
    expect(third.raw.origin).toEqual(['SFO', 'ATL', 'SFO', 'ATL']);
  });

  it('refuses result columns that are neither DOUBLE nor VARCHAR, naming the column', async () => {
    await expect(engine.columns('SELECT 1::BIGINT AS n')).rejects.toThrow(/column n: read as BIGINT; cast it to DOUBLE or VARCHAR/);
  });
});
