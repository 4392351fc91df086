import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_CSV, openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import { addDataset } from './add-dataset.js';
import { splitDataset, type SplitRequest } from './split.js';
import { versionTableSql } from './version-table.js';

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function bank(): Promise<DataFixture> {
  fixture = await openDataFixture();
  await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file: BANK_CSV, name: 'bank' }, fixture.context);
  return fixture;
}

async function split(request: Omit<SplitRequest, 'ref'> & { ref?: string }) {
  const { workspace, engine, spec, context } = fixture as DataFixture;
  return splitDataset(workspace, engine, spec, { ref: 'bank', ...request }, context);
}

async function count(sql: string): Promise<number> {
  const [row] = await (fixture as DataFixture).engine.query(sql);
  return Number(Object.values(row ?? {})[0]);
}

describe('splitDataset', () => {
  it('random: parts partition the rows near their fractions, with lineage', async () => {
    await bank();
    const outcome = await split({ by: 'random', parts: [{ name: 'train', fraction: 0.8 }, { name: 'test', fraction: 0.2 }], seed: 1 });
    const [train, test] = outcome.parts.map((part) => part.version);
    expect((train?.rowCount ?? 0) + (test?.rowCount ?? 0)).toBe(41188);
    // Binomial(41188, 0.2) has a standard deviation of 81 rows: 5 of them is a wide margin.
    expect(Math.abs((test?.rowCount ?? 0) - 0.2 * 41188)).toBeLessThan(5 * 81);
    expect(train?.lineage).toEqual({
      parents: [{ ref: 'bank@1', hash: outcome.parent.hash }],
      transformation: { kind: 'split', by: 'random', seed: 1, parts: ['train=0.8', 'test=0.2'], cuts: null, column: null, part: 'train' },
    });
    const table = (version: typeof train) => versionTableSql((fixture as DataFixture).workspace.artifacts, version as NonNullable<typeof train>);
    // Every row of the parent lands in exactly one part: the multiset union equals the parent.
    const union = `(SELECT * FROM ${await table(train)} UNION ALL SELECT * FROM ${await table(test)})`;
    expect(await count(`SELECT count(*) FROM (SELECT * FROM ${union} EXCEPT ALL SELECT * FROM ${await table(outcome.parent)})`)).toBe(0);
  });

  it('stratified: each part has the class shares of the whole', async () => {
    await bank();
    const outcome = await split({ by: 'stratified', parts: [{ name: 'train', fraction: 0.7 }, { name: 'test', fraction: 0.3 }], seed: 3 });
    for (const part of outcome.parts) {
      const positives = await count(`SELECT count(*) FILTER (WHERE y = 1) FROM ${await versionTableSql((fixture as DataFixture).workspace.artifacts, part.version)}`);
      const expected = (part.part === 'train' ? 0.7 : 0.3) * 4640;
      expect(Math.abs(positives - expected)).toBeLessThanOrEqual(1);
    }
  });

  it('group: no group straddles two parts', async () => {
    await bank();
    const outcome = await split({ by: 'group', column: 'job', parts: [{ name: 'a', fraction: 0.5 }, { name: 'b', fraction: 0.5 }], seed: 5 });
    const [a, b] = await Promise.all(outcome.parts.map((part) => versionTableSql((fixture as DataFixture).workspace.artifacts, part.version)));
    expect(await count(`SELECT count(*) FROM (SELECT DISTINCT job FROM ${a} INTERSECT SELECT DISTINCT job FROM ${b})`)).toBe(0);
    expect(await count(`SELECT count(DISTINCT job) FROM (SELECT job FROM ${a} UNION ALL SELECT job FROM ${b})`)).toBe(12);
  });

  it('is reproducible: the same seed gives the same rows, another seed other rows', async () => {
    await bank();
    const parts = [{ name: 'train', fraction: 0.5 }, { name: 'test', fraction: 0.5 }];
    const first = await split({ by: 'random', parts, seed: 11, prefix: 'one' });
    const again = await split({ by: 'random', parts, seed: 11, prefix: 'two' });
    const other = await split({ by: 'random', parts, seed: 12, prefix: 'three' });
    const artifacts = (fixture as DataFixture).workspace.artifacts;
    const same = `SELECT count(*) FROM (SELECT * FROM ${await versionTableSql(artifacts, first.parts[0]!.version)} EXCEPT ALL SELECT * FROM ${await versionTableSql(artifacts, again.parts[0]!.version)})`;
    expect(await count(same)).toBe(0);
    expect(first.parts[0]?.version.rowCount).toBe(again.parts[0]?.version.rowCount);
    expect(other.parts[0]?.version.rowCount).not.toBe(first.parts[0]?.version.rowCount);
  });

  it('time: cuts the rows at the given times and leaves rows without a time out', async () => {
    fixture = await openDataFixture();
    const file = `${fixture.root}/events.csv`;
    writeFileSync(file, 'at,y\n2024-01-01,0\n2024-01-31,1\n2024-02-01,0\n2024-02-15,1\n,0\n2024-03-01,1\n2024-03-02,0\n');
    await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file, name: 'events', timeColumn: 'at' }, fixture.context);
    const outcome = await split({ ref: 'events', by: 'time', parts: [{ name: 'jan' }, { name: 'feb' }, { name: 'later' }], cuts: ['2024-02-01', '2024-03-01'], seed: 0 });
    expect(outcome.parts.map((part) => [part.part, part.version.rowCount])).toEqual([
      ['jan', 2],
      ['feb', 2],
      ['later', 2],
    ]);
    expect(outcome.leftOut).toBe(1);
  });

  it('refuses bad requests before writing anything', async () => {
    await bank();
    await expect(split({ by: 'random', parts: [{ name: 'all', fraction: 1 }], seed: 1 })).rejects.toThrow(/at least two parts/);
    await expect(split({ by: 'time', parts: [{ name: 'a' }, { name: 'b' }], cuts: ['2024-01-01'], seed: 1 })).rejects.toThrow(/has no time column/);
    await expect(split({ by: 'group', column: 'nope', parts: [{ name: 'a', fraction: 0.5 }, { name: 'b', fraction: 0.5 }], seed: 1 })).rejects.toThrow(/"nope" is not a column/);
    await expect(split({ by: 'random', parts: [{ name: 'a', fraction: 0.999999 }, { name: 'b', fraction: 0.000001 }], seed: 1 })).rejects.toThrow(/part "b" would be empty/);
    expect((await (fixture as DataFixture).workspace.datasets.listDatasets()).map((item) => item.name)).toEqual(['bank']);
  });
});
