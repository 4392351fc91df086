import { describe, expect, it } from 'vitest';
import { openDuckDb } from './engine.js';

describe('the DuckDB engine', () => {
  it('answers calls made at once in full, one after the other on its connection', async () => {
    const engine = await openDuckDb();
    try {
      // Two streamed reads at once: before the engine queued its calls, the first came back empty.
      const sql = (rows: number) => `SELECT range::DOUBLE AS x FROM range(${rows})`;
      const [a, b, c] = await Promise.all([engine.columns(sql(50_000)), engine.columns(sql(3_000)), engine.query('SELECT 41 + 1 AS answer')]);
      expect((a.x as Float64Array).length).toBe(50_000);
      expect((a.x as Float64Array)[49_999]).toBe(49_999);
      expect((b.x as Float64Array).length).toBe(3_000);
      expect(c).toEqual([{ answer: 42 }]);
      // A failed statement does not stop the ones queued behind it.
      const [failed, after] = await Promise.allSettled([engine.query('SELECT * FROM no_such_table'), engine.query('SELECT 1 AS one')]);
      expect(failed.status).toBe('rejected');
      expect(after).toEqual({ status: 'fulfilled', value: [{ one: 1 }] });
    } finally {
      await engine.close();
    }
  });
});
