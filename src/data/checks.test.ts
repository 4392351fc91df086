import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import type { DataCheck } from '../problem/spec-schema.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import { addDataset } from './add-dataset.js';
import { runChecks } from './checks.js';
import { resolveDatasetRef } from './dataset-ref.js';
import { versionTableSql } from './version-table.js';

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const ORDERS = `id,customer,amount,status,placed
1,ann,10.5,paid,2026-01-01 10:00:00
2,bob,-3,paid,2026-01-02 11:00:00
3,,250,refunded,2026-01-03 12:00:00
3,cid,40,lost,2026-01-04 13:00:00
5,dan,7,paid,2026-01-05 14:00:00
`;

async function orders(): Promise<DatasetVersion> {
  fixture = await openDataFixture();
  const file = `${fixture.root}/orders.csv`;
  writeFileSync(file, ORDERS);
  const { version } = await addDataset(fixture.workspace, fixture.engine, fixture.spec, { file, name: 'orders', timeColumn: 'placed' }, fixture.context);
  return version;
}

async function check(version: DatasetVersion, checks: DataCheck[], now = new Date('2026-01-10T00:00:00Z')) {
  const { workspace, engine } = fixture as DataFixture;
  return runChecks({ engine, table: await versionTableSql(workspace.artifacts, version), version, now, resolveReference: (ref) => resolveDatasetRef(workspace.datasets, ref) }, checks);
}

describe('runChecks', () => {
  it('counts failing rows and shows examples for each kind of check', async () => {
    const version = await orders();
    const outcomes = await check(version, [
      { check: 'not-null', column: 'customer', severity: 'error' },
      { check: 'range', column: 'amount', min: 0, max: 100, severity: 'error' },
      { check: 'allowed-values', column: 'status', values: ['paid', 'refunded'], severity: 'warning' },
      { check: 'unique', columns: ['id'], severity: 'error' },
      { check: 'unique', columns: ['id', 'customer'], severity: 'error' },
      { check: 'row-count', min: 3, max: 4, severity: 'error' },
      { check: 'freshness', maxAgeDays: 7, severity: 'error' },
      { check: 'freshness', maxAgeDays: 3, severity: 'error' },
    ]);
    expect(outcomes.map((outcome) => [outcome.description, outcome.passed, outcome.observed, outcome.examples])).toEqual([
      ['customer is never null', false, 1, []],
      ['amount in [0, 100]', false, 2, [-3, 250]],
      ['status in {paid, refunded}', false, 1, ['lost']],
      ['id unique', false, 1, []],
      ['id, customer unique', true, 0, []],
      ['row count in [3, 4]', false, 5, []],
      ['newest placed within 7 days', true, '2026-01-05T14:00:00.000Z', []],
      ['newest placed within 3 days', false, '2026-01-05T14:00:00.000Z', []],
    ]);
    expect(outcomes[2]?.severity).toBe('warning');
  });

  it('reports a check on a missing column as failed with the reason, and runs the others', async () => {
    const version = await orders();
    const outcomes = await check(version, [
      { check: 'not-null', column: 'email', severity: 'error' },
      { check: 'range', column: 'amount', min: -10, severity: 'error' },
    ]);
    expect(outcomes[0]).toMatchObject({ passed: false, error: 'column "email" does not exist' });
    expect(outcomes[1]).toMatchObject({ passed: true, observed: 0 });
  });

  it('compares schemas with a reference version', async () => {
    const version = await orders();
    const { workspace, engine, spec, context, root } = fixture as DataFixture;
    writeFileSync(`${root}/orders2.csv`, 'id,customer,amount,channel\n1,ann,x,web\n');
    const other = await addDataset(workspace, engine, spec, { file: `${root}/orders2.csv`, name: 'orders' }, context);
    const outcomes = await check(other.version, [{ check: 'schema-match', reference: version.ref, severity: 'error' }]);
    expect(outcomes[0]).toMatchObject({
      passed: false,
      observed: 4,
      examples: ['amount: VARCHAR, expected DOUBLE', 'missing status', 'missing placed', 'extra channel'],
    });
    const missing = await check(other.version, [{ check: 'schema-match', reference: 'orders@9', severity: 'error' }]);
    expect(missing[0]).toMatchObject({ passed: false, error: expect.stringMatching(/no such version/) });
  });
});
