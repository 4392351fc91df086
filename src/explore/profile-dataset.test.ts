import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BANK_CSV, openDataFixture, type DataFixture } from '../../test/support/data-workspace.js';
import { addDataset } from '../data/add-dataset.js';
import { loadOrProfile, profileDataset } from './profile-dataset.js';
import type { DatasetProfile } from './profile-types.js';

/** Values from test/fixtures/explore-reference.py (pandas, scipy, scikit-learn). */
type PairValues = Record<string, number>;
interface Reference {
  numeric: Record<string, { mean: number; std: number; min: number; max: number; quantiles: number[]; skewness: number; kurtosis: number; zeros: number; negatives: number }>;
  spearman: PairValues;
  spearmanPandas?: PairValues;
  cramersV: PairValues;
  correlationRatio: PairValues;
  mutualInformation: Record<string, number>;
  strawmanAuc: number[];
}
const REFERENCE = JSON.parse(readFileSync(new URL('../../test/fixtures/explore-reference.json', import.meta.url), 'utf8')) as { small: Reference; bank: Reference };
const SMALL_CSV = fileURLToPath(new URL('../../test/fixtures/explore-small.csv', import.meta.url));

/** Equal to 1e-9 relative (with a 1e-12 floor for values near zero). */
function expectClose(actual: number | null | undefined, expected: number, label: string, relative = 1e-9): void {
  expect(actual, label).not.toBeNull();
  expect(Math.abs((actual as number) - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(relative * Math.abs(expected) + 1e-12);
}

let fixture: DataFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function profileOf(file: string, name: string, target?: string): Promise<DatasetProfile> {
  fixture = await openDataFixture();
  const { workspace, engine, spec, context } = fixture;
  const { version } = await addDataset(workspace, engine, spec, { file, name }, context);
  return profileDataset(engine, workspace, version, spec, { now: new Date('2026-01-01T00:00:00Z'), ...(target === undefined ? {} : { target }) });
}

function checkAgainst(profile: DatasetProfile, reference: Reference, spearman: PairValues): void {
  for (const [name, expected] of Object.entries(reference.numeric)) {
    const numeric = profile.columns.find((column) => column.name === name)?.numeric;
    expect(numeric, name).toBeDefined();
    if (numeric === undefined) continue;
    expectClose(numeric.mean, expected.mean, `${name} mean`);
    expectClose(numeric.std, expected.std, `${name} std`);
    expectClose(numeric.min, expected.min, `${name} min`);
    expectClose(numeric.max, expected.max, `${name} max`);
    const quantiles = [numeric.quantiles.p1, numeric.quantiles.p5, numeric.quantiles.p25, numeric.quantiles.p50, numeric.quantiles.p75, numeric.quantiles.p95, numeric.quantiles.p99];
    expected.quantiles.forEach((value, index) => expectClose(quantiles[index], value, `${name} quantile ${index}`));
    expectClose(numeric.skewness, expected.skewness, `${name} skewness`);
    expectClose(numeric.kurtosis, expected.kurtosis, `${name} kurtosis`);
    expect(numeric.zeros, `${name} zeros`).toBe(expected.zeros);
    expect(numeric.negatives, `${name} negatives`).toBe(expected.negatives);
  }
  const pairs = (method: string) => new Map(profile.correlations.filter((item) => item.method === method).map((item) => [`${item.a}|${item.b}`, item.value]));
  const measuredSpearman = pairs('spearman');
  for (const [pair, expected] of Object.entries(spearman)) expectClose(measuredSpearman.get(pair), expected, `spearman ${pair}`);
  expect(measuredSpearman.size).toBe(Object.keys(spearman).length);
  const measuredV = pairs('cramers-v');
  for (const [pair, expected] of Object.entries(reference.cramersV)) expectClose(measuredV.get(pair), expected, `cramers V ${pair}`);
  const measuredEta = pairs('correlation-ratio');
  for (const [pair, expected] of Object.entries(reference.correlationRatio)) expectClose(measuredEta.get(pair), expected, `eta ${pair}`);
  const mi = new Map(profile.associations.map((item) => [item.column, item.mutualInformation]));
  for (const [column, expected] of Object.entries(reference.mutualInformation)) expectClose(mi.get(column), expected, `MI ${column}`);
  const aucs = profile.strawman?.model.scores.find((score) => score.metric === 'auc')?.folds ?? [];
  expect(aucs).toHaveLength(5);
  // Both fit by Newton's method to a tight tolerance: the fold AUCs agree to 1e-9 as well.
  reference.strawmanAuc.forEach((value, index) => expectClose(aucs[index], value, `strawman fold ${index}`));
}

describe('profileDataset against pandas, scipy and scikit-learn', () => {
  it('matches on a small table with missing values, ties and a constant column', async () => {
    const profile = await profileOf(SMALL_CSV, 'small', 'label');
    checkAgainst(profile, REFERENCE.small, REFERENCE.small.spearman);
    expect(profile.alerts.map((alert) => `${alert.kind}:${alert.columns.join(',')}`)).toContain('constant:x_const');
  });

  it('matches on the bank marketing data, where Spearman equals pandas corr(method="spearman")', async () => {
    const profile = await profileOf(BANK_CSV, 'bank');
    checkAgainst(profile, REFERENCE.bank, REFERENCE.bank.spearman);
    for (const [pair, expected] of Object.entries(REFERENCE.bank.spearmanPandas ?? {})) expectClose(REFERENCE.bank.spearman[pair], expected, `pandas ${pair}`);
  });

  it('reports the bank data leak and ranks the economic columns among the strongest associations', async () => {
    const profile = await profileOf(BANK_CSV, 'bank');
    expect(profile.alerts.filter((alert) => alert.kind === 'leak').map((alert) => alert.columns[0])).toEqual(['duration']);
    const top = profile.associations.slice(0, 6).map((item) => item.column);
    for (const economic of ['nr.employed', 'euribor3m', 'emp.var.rate']) expect(top).toContain(economic);
    expect(profile.strawman?.features).not.toContain('duration');
    expect(profile.strawman?.verdict).toMatch(/^signal: auc 0\.76/);
  });
});

describe('loadOrProfile', () => {
  it('computes a profile once and reads it back after', async () => {
    fixture = await openDataFixture();
    const { workspace, engine, spec, context } = fixture;
    const { version } = await addDataset(workspace, engine, spec, { file: SMALL_CSV, name: 'small' }, context);
    const first = await loadOrProfile(engine, workspace, version, spec, { now: new Date(), target: 'label' }, context);
    const second = await loadOrProfile(engine, workspace, version, spec, { now: new Date(), target: 'label' }, context);
    expect([first.computed, second.computed]).toEqual([true, false]);
    expect(second.profile).toEqual(first.profile);
    const other = await loadOrProfile(engine, workspace, version, spec, { now: new Date() }, context);
    expect(other.computed).toBe(true);
    expect((await workspace.profiles.list()).map((record) => [record.ref, record.target ?? null, record.hasStrawman])).toEqual([
      ['small@1', null, false],
      ['small@1', 'label', true],
    ]);
  });
});
