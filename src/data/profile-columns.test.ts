import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import { quoteLiteral } from '../store/analytics.js';
import { addDataset } from './add-dataset.js';
import { profileColumns } from './profile-columns.js';

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const MIXED = `SELECT i::INTEGER AS "an int", i * 0.5 AS "a double", CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || (i % 7) END AS "text",
  DATE '2024-01-01' + i::INTEGER AS "day", i % 2 = 0 AS "flag", [i, i + 1] AS "list", 'free text number ' || i AS "words",
  CASE WHEN i < 5 THEN i END AS "mostly null", (i * 7)::BIGINT AS "a bigint"
  FROM range(0, 40) t(i)`;

describe('profileColumns', () => {
  it('gives the same facts from one wide SELECT and from the UNPIVOT grouped by column, on a table and on Parquet', async () => {
    fixture = await openDataFixture();
    const { engine, root } = fixture;
    const table = `(${MIXED})`;
    const bySelect = await profileColumns(engine, table, undefined, Infinity);
    const byUnpivot = await profileColumns(engine, table, undefined, 0);
    expect(byUnpivot).toEqual(bySelect);
    expect(bySelect.rowCount).toBe(40);
    expect(bySelect.facts.find((fact) => fact.name === 'mostly null')).toMatchObject({ nonNull: 5, distinct: 5, min: 0, max: 4 });
    const file = `${root}/mixed.parquet`;
    await engine.query(`COPY ${table} TO ${quoteLiteral(file)} (FORMAT parquet)`);
    const parquet = `read_parquet(${quoteLiteral(file)})`;
    const parquetBySelect = await profileColumns(engine, parquet, file, Infinity);
    expect(await profileColumns(engine, parquet, file, 0)).toEqual(parquetBySelect);
    expect(parquetBySelect.facts.map((fact) => [fact.nonNull, fact.distinct])).toEqual(bySelect.facts.map((fact) => [fact.nonNull, fact.distinct]));
  });

  it('registers a 20-row x 3,000-column CSV in seconds', async () => {
    fixture = await openDataFixture();
    const { workspace, engine, spec, context, root } = fixture;
    const columns = 3000;
    const header = Array.from({ length: columns }, (_, index) => `c${index}`).join(',');
    const rows = Array.from({ length: 20 }, (_, row) => Array.from({ length: columns }, (_, index) => String((row * 31 + index) % 97)).join(','));
    const file = `${root}/wide.csv`;
    writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
    const started = performance.now();
    const { version } = await addDataset(workspace, engine, spec, { file, name: 'wide' }, context);
    const seconds = (performance.now() - started) / 1000;
    console.log(`20 x 3,000 CSV registered in ${seconds.toFixed(2)} s`);
    expect(version.rowCount).toBe(20);
    expect(version.columns).toHaveLength(columns);
    const values = Array.from({ length: 20 }, (_, row) => (row * 31 + 2999) % 97);
    expect(version.columns[2999]).toMatchObject({ name: 'c2999', nonNull: 20, distinct: new Set(values).size, min: Math.min(...values), max: Math.max(...values) });
  }, 60_000);
});
