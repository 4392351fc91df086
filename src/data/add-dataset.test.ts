import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_SPEC, openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import { vegaDataFile } from '../demo/flight-data.js';
import { addDataset } from './add-dataset.js';
import { deriveDataset } from './derive.js';
import { versionTableSql } from './version-table.js';

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function add(file: string, name: string, extra: { format?: string; delimiter?: string } = {}) {
  const { workspace, engine, spec, context } = fixture as DataFixture;
  return addDataset(workspace, engine, spec, { file, name, ...extra }, context);
}

describe('addDataset reads every format', () => {
  it('reads Arrow IPC with its types', async () => {
    fixture = await openDataFixture();
    const { version } = await add(vegaDataFile('flights-200k.arrow'), 'arrow');
    expect(version.rowCount).toBe(200_000);
    expect(version.columns.map((column) => [column.name, column.storageType])).toEqual([
      ['delay', 'SMALLINT'],
      ['distance', 'SMALLINT'],
      ['time', 'FLOAT'],
    ]);
    expect(version.lineage.source?.format).toBe('arrow');
  });

  it('reads JSON arrays, JSON lines, TSV and Parquet', async () => {
    fixture = await openDataFixture();
    const json = await add(vegaDataFile('flights-2k.json'), 'json');
    expect(json.version.rowCount).toBe(2000);
    writeFileSync(`${fixture.root}/events.ndjson`, '{"user":"a","clicks":3}\n{"user":"b","clicks":null}\n');
    const lines = await add(`${fixture.root}/events.ndjson`, 'lines');
    expect(lines.version.columns.map((column) => [column.name, column.nonNull])).toEqual([
      ['user', 2],
      ['clicks', 1],
    ]);
    const tsv = await add(vegaDataFile('unemployment.tsv'), 'tsv');
    expect(tsv.version.columns.map((column) => column.name)).toEqual(['id', 'rate']);
    const parquet = await add(vegaDataFile('flights-3m.parquet'), 'parquet');
    expect(parquet.version.rowCount).toBe(3_000_000);
  });

  it('stores one artifact for the same content under two names, and versions changed content', async () => {
    fixture = await openDataFixture();
    const file = `${fixture.root}/a.csv`;
    writeFileSync(file, 'x,y\n1,2\n');
    const first = await add(file, 'one');
    const second = await add(file, 'two');
    expect(second.version.hash).toBe(first.version.hash);
    expect(second.version.artifactKey).toBe(first.version.artifactKey);
    writeFileSync(file, 'x,y\n1,2\n3,4\n');
    const changed = await add(file, 'one');
    expect(changed).toMatchObject({ created: true, version: { ref: 'one@2', rowCount: 2 } });
    expect(changed.version.hash).not.toBe(first.version.hash);
    const again = await add(file, 'one', { delimiter: ',' });
    expect(again.version.ref).toBe('one@3');
  });

  it('casts columns whose declared type needs it', async () => {
    fixture = await openDataFixture(`${BANK_SPEC}  codes:\n    columns:\n      code: { type: integer }\n      flag: { type: boolean }\n`);
    writeFileSync(`${fixture.root}/codes.csv`, 'code,flag\n"007",yes\n"012",no\n');
    const { version } = await add(`${fixture.root}/codes.csv`, 'codes');
    expect(version.columns.map((column) => [column.name, column.storageType, column.semanticType, column.overridden])).toEqual([
      ['code', 'BIGINT', 'integer', true],
      ['flag', 'BOOLEAN', 'boolean', true],
    ]);
    const rows = await fixture.engine.query(`SELECT * FROM ${await versionTableSql(fixture.workspace.artifacts, version)}`);
    expect(rows).toEqual([
      { code: 7, flag: true },
      { code: 12, flag: false },
    ]);
  });
});

describe('deriveDataset', () => {
  it('records its inputs and SQL as lineage, and refuses unknown inputs and bad SQL', async () => {
    fixture = await openDataFixture();
    const { workspace, engine, spec, context } = fixture;
    const base = await add(vegaDataFile('flights-2k.json'), 'flights');
    const derived = await deriveDataset(workspace, engine, spec, { name: 'long', inputs: { f: 'flights' }, sql: 'SELECT * FROM {f} WHERE distance > 1000' }, context);
    expect(derived.version.lineage).toEqual({
      parents: [{ ref: 'flights@1', hash: base.version.hash }],
      transformation: { kind: 'sql', sql: 'SELECT * FROM {f} WHERE distance > 1000', inputs: { f: 'flights@1' } },
    });
    const again = await deriveDataset(workspace, engine, spec, { name: 'long', inputs: { f: 'flights' }, sql: 'SELECT * FROM {f} WHERE distance > 1000' }, context);
    expect(again).toMatchObject({ created: false, version: { ref: 'long@1' } });
    await expect(deriveDataset(workspace, engine, spec, { name: 'x', inputs: { f: 'flights' }, sql: 'SELECT * FROM {g}' }, context)).rejects.toThrow(/\{g\} is not an input/);
    await expect(deriveDataset(workspace, engine, spec, { name: 'x', inputs: { f: 'flights' }, sql: 'SELECT nope FROM {f}' }, context)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(deriveDataset(workspace, engine, spec, { name: 'x', inputs: { f: 'flights' }, sql: 'SELECT * FROM {f} WHERE false' }, context)).rejects.toThrow(/no rows/);
    expect((await workspace.datasets.listDatasets()).map((item) => item.name)).toEqual(['flights', 'long']);
  });
});
