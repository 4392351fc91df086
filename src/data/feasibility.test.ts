import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_CSV, BANK_SPEC, openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import { addDataset } from './add-dataset.js';
import { deriveDataset } from './derive.js';
import { assessFeasibility } from './feasibility.js';

/** Values from test/fixtures/bank-feasibility.py (pandas and scikit-learn). */
const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/bank-feasibility.json', import.meta.url), 'utf8')) as {
  rows: number;
  duplicateRows: number;
  positiveShare: number;
  power: Record<string, number>;
  regressionPowerForAge: Record<string, number>;
};

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function bankFacts(specText = BANK_SPEC) {
  fixture = await openDataFixture(specText);
  const { workspace, engine, spec, context } = fixture;
  const { version } = await addDataset(workspace, engine, spec, { file: BANK_CSV, name: 'bank' }, context);
  return { facts: await assessFeasibility(engine, workspace.artifacts, version, spec, new Date('2026-01-01T00:00:00Z')), fixture };
}

describe('assessFeasibility on the bank marketing data', () => {
  it('counts rows, duplicates and the label balance as pandas does', async () => {
    const { facts } = await bankFacts();
    expect(facts.rows).toBe(reference.rows);
    expect(facts.duplicateRows).toBe(reference.duplicateRows);
    const positive = facts.target?.balance.find((item) => item.value === '1');
    expect(positive?.share).toBeCloseTo(reference.positiveShare, 12);
    expect(facts.missing).toEqual([]);
  });

  it('measures single-column power as scikit-learn does (1e-9)', async () => {
    const { facts } = await bankFacts();
    const measured = Object.fromEntries(facts.power.map((item) => [item.column, item.power]));
    expect(Object.keys(measured).sort()).toEqual(Object.keys(reference.power).sort());
    for (const [column, value] of Object.entries(reference.power)) expect(measured[column], column).toBeCloseTo(value, 9);
  });

  it('reports the declared after-outcome column as a leak, flagged by its power too, and keeps it out of features', async () => {
    const { facts } = await bankFacts();
    expect(facts.leakSuspects).toEqual([
      {
        column: 'duration',
        reasons: [
          'declared availableAt: after-outcome in mlcycle.yaml',
          'alone it reaches Gini 0.637, over 1.25x the next best column (nr.employed: 0.498)',
        ],
      },
    ]);
    expect(facts.featureColumns).not.toContain('duration');
    expect(facts.featureColumns).not.toContain('y');
    expect(facts.featureColumns).toContain('age');
  });

  it('flags an undeclared column that carries the label by its power alone', async () => {
    fixture = await openDataFixture(BANK_SPEC.replace('    columns:\n      duration: { availableAt: after-outcome, description: "call length, known only once the call ended" }\n', ''));
    const { workspace, engine, spec, context } = fixture;
    const bank = await addDataset(workspace, engine, spec, { file: BANK_CSV, name: 'bank' }, context);
    const leaky = await deriveDataset(
      workspace,
      engine,
      spec,
      { name: 'bank-leaky', inputs: { bank: bank.version.ref }, sql: 'SELECT * EXCLUDE (duration), y * 3 + (age % 2) AS follow_up FROM {bank}' },
      context,
    );
    const facts = await assessFeasibility(engine, workspace.artifacts, leaky.version, spec, new Date());
    expect(facts.leakSuspects.map((suspect) => suspect.column)).toEqual(['follow_up']);
    expect(facts.leakSuspects[0]?.reasons[0]).toMatch(/^alone it reaches Gini 1.000/);
  });

  it('measures regression power as numpy does (1e-9)', async () => {
    const regression = BANK_SPEC.replace('task: binary', 'task: regression').replace('target: { column: y, positive: 1 }', 'target: { column: age }').replace(/ {6}- \{ check: range, column: age.*\n/, '');
    const { facts } = await bankFacts(regression);
    const measured = Object.fromEntries(facts.power.map((item) => [item.column, item.power]));
    for (const [column, value] of Object.entries(reference.regressionPowerForAge)) expect(measured[column], column).toBeCloseTo(value, 9);
  });

  it('counts rows stamped in the future against the given clock', async () => {
    fixture = await openDataFixture();
    const { workspace, engine, spec, context, root } = fixture;
    const file = `${root}/events.csv`;
    writeFileSync(file, 'at,y\n2025-12-31 23:00:00,0\n2026-01-01 00:00:00,1\n2026-01-02 08:00:00,0\n2027-05-01 00:00:00,1\n');
    const { version } = await addDataset(workspace, engine, spec, { file, name: 'events', timeColumn: 'at' }, context);
    const facts = await assessFeasibility(engine, workspace.artifacts, version, spec, new Date('2026-01-01T12:00:00Z'));
    expect(facts.futureTimestamps).toEqual({ column: 'at', count: 2, now: '2026-01-01T12:00:00.000Z' });
  });
});
