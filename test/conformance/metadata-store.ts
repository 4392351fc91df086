/**
 * The behaviour every metadata backend must show, as one suite: run it against each backend (SQLite now,
 * PostgreSQL when it lands) so that they cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import type { AuditLog, ChangeContext, NewAuditEntry } from '../../src/store/audit-log.js';
import type { DatasetStore, NewDatasetVersion } from '../../src/store/dataset-store.js';
import type { SpecHistory } from '../../src/store/spec-history.js';

export interface MetadataBackend {
  audit: AuditLog;
  specHistory: SpecHistory;
  datasets: DatasetStore;
  /** Appends an audit entry the way a store does inside its own change. */
  append(entry: NewAuditEntry, context: ChangeContext): Promise<void>;
  /** Runs a change that appends an entry and then fails, as a store's transaction would. */
  appendThenFail(entry: NewAuditEntry, context: ChangeContext): Promise<void>;
  close(): Promise<void>;
}

function clock(start: string): () => Date {
  let tick = 0;
  return () => new Date(Date.parse(start) + 1000 * tick++);
}

/** Registers the conformance tests for a backend made fresh by `open` for each test. */
export function describeMetadataBackend(name: string, open: () => Promise<MetadataBackend>): void {
  async function withBackend(body: (backend: MetadataBackend) => Promise<void>): Promise<void> {
    const backend = await open();
    try {
      await body(backend);
    } finally {
      await backend.close();
    }
  }

  describe(`audit log (${name})`, () => {
    it('keeps who, when, what and why, newest first', () =>
      withBackend(async (backend) => {
        const now = clock('2026-03-01T10:00:00Z');
        await backend.append({ action: 'dataset.added', subject: 'flights@1', details: { rows: 3 } }, { actor: 'sam', now });
        await backend.append({ action: 'spec.changed', subject: 'spec@abc' }, { actor: 'maya', now, reason: 'new primary metric' });
        const entries = await backend.audit.list();
        expect(entries.map(({ id: _id, ...entry }) => entry)).toEqual([
          { at: '2026-03-01T10:00:01.000Z', actor: 'maya', action: 'spec.changed', subject: 'spec@abc', details: {}, reason: 'new primary metric' },
          { at: '2026-03-01T10:00:00.000Z', actor: 'sam', action: 'dataset.added', subject: 'flights@1', details: { rows: 3 } },
        ]);
        expect(entries[0]!.id).toBeGreaterThan(entries[1]!.id);
      }));

    it('limits and filters by action prefix, taking _ and % literally', () =>
      withBackend(async (backend) => {
        const context = { actor: 'sam', now: clock('2026-03-01T10:00:00Z') };
        for (const action of ['spec.changed', 'spec.written', 'specs.other', 'spec_x.done', 'workspace.created']) {
          await backend.append({ action, subject: 'x' }, context);
        }
        expect((await backend.audit.list({ actionPrefix: 'spec.' })).map((entry) => entry.action)).toEqual(['spec.written', 'spec.changed']);
        expect((await backend.audit.list({ actionPrefix: 'spec_' })).map((entry) => entry.action)).toEqual(['spec_x.done']);
        expect((await backend.audit.list({ actionPrefix: 'spec%' })).map((entry) => entry.action)).toEqual([]);
        expect((await backend.audit.list({ limit: 2 })).map((entry) => entry.action)).toEqual(['workspace.created', 'spec_x.done']);
      }));

    it('appends an entry of its own and returns it as listed', () =>
      withBackend(async (backend) => {
        const now = clock('2026-03-01T10:00:00Z');
        const appended = await backend.audit.append({ action: 'spec.written', subject: 'mlcycle.yaml', details: { file: '/w/mlcycle.yaml' } }, { actor: 'ana', now, reason: 'init' });
        expect(appended).toMatchObject({ at: '2026-03-01T10:00:00.000Z', actor: 'ana', action: 'spec.written', subject: 'mlcycle.yaml', details: { file: '/w/mlcycle.yaml' }, reason: 'init' });
        expect(await backend.audit.list()).toEqual([appended]);
      }));

    it('keeps no entry of a change that failed', () =>
      withBackend(async (backend) => {
        const context = { actor: 'sam', now: clock('2026-03-01T10:00:00Z') };
        await expect(backend.appendThenFail({ action: 'dataset.added', subject: 'x' }, context)).rejects.toThrow();
        expect(await backend.audit.list()).toEqual([]);
      }));
  });

  describe(`spec history (${name})`, () => {
    it('records versions and audits each one', () =>
      withBackend(async (backend) => {
        const context = { actor: 'maya', now: clock('2026-03-01T10:00:00Z') };
        expect(await backend.specHistory.latest()).toBeUndefined();
        await backend.specHistory.record({ hash: 'aaa', text: 'name: a\n' }, ['first recorded version'], context);
        await backend.specHistory.record({ hash: 'bbb', text: 'name: b\n' }, ['name: changed'], context);
        await backend.specHistory.record({ hash: 'aaa', text: 'name: a\n' }, ['name: changed'], context);
        expect(await backend.specHistory.latest()).toEqual({ hash: 'aaa', text: 'name: a\n', recordedAt: '2026-03-01T10:00:02.000Z', recordedBy: 'maya' });
        const audited = await backend.audit.list({ actionPrefix: 'spec.' });
        expect(audited.map((entry) => [entry.subject, entry.details])).toEqual([
          ['spec@aaa', { hash: 'aaa', changes: ['name: changed'] }],
          ['spec@bbb', { hash: 'bbb', changes: ['name: changed'] }],
          ['spec@aaa', { hash: 'aaa', changes: ['first recorded version'] }],
        ]);
      }));
  });

  describe(`dataset store (${name})`, () => {
    const draft = (dataset: string, hash: string, rows = 10): NewDatasetVersion => ({
      dataset,
      hash,
      artifactKey: `datasets/${hash.slice(0, 2)}/${hash}.parquet`,
      rowCount: rows,
      byteSize: 100,
      columns: [{ name: 'x', storageType: 'BIGINT', semanticType: 'integer', inferredType: 'integer', overridden: false, nonNull: rows, distinct: rows, min: 0, max: rows }],
      lineage: { source: { path: '/data/x.csv', size: 5, modifiedAt: '2026-01-01T00:00:00.000Z', format: 'csv', options: {} } },
    });

    it('numbers versions per dataset and finds them by number, latest or hash prefix', () =>
      withBackend(async (backend) => {
        const context = { actor: 'sam', now: clock('2026-03-01T10:00:00Z') };
        await backend.datasets.registerVersions([draft('a', 'aaaa1111')], context);
        await backend.datasets.registerVersions([draft('b', 'bbbb1111')], context);
        const [second] = await backend.datasets.registerVersions([draft('a', 'aaaa2222', 20)], context);
        expect(second).toMatchObject({ ref: 'a@2', number: 2, createdBy: 'sam', createdAt: '2026-03-01T10:00:02.000Z' });
        expect((await backend.datasets.findVersion('a', 'latest'))?.ref).toBe('a@2');
        expect((await backend.datasets.findVersion('a', 1))?.hash).toBe('aaaa1111');
        expect((await backend.datasets.findVersion('a', { hashPrefix: 'aaaa2' }))?.ref).toBe('a@2');
        expect(await backend.datasets.findVersion('a', { hashPrefix: 'aaaa' })).toBeUndefined();
        expect(await backend.datasets.findVersion('a', 3)).toBeUndefined();
        expect((await backend.datasets.findByHash('a', 'aaaa1111'))?.ref).toBe('a@1');
        expect((await backend.datasets.listDatasets()).map((item) => [item.name, item.versions, item.latest.ref])).toEqual([
          ['a', 2, 'a@2'],
          ['b', 1, 'b@1'],
        ]);
        expect((await backend.audit.list({ actionPrefix: 'dataset.' })).map((entry) => entry.subject)).toEqual(['a@2', 'b@1', 'a@1']);
      }));

    it('registers the parts of a split all or none', () =>
      withBackend(async (backend) => {
        const context = { actor: 'sam', now: clock('2026-03-01T10:00:00Z') };
        await backend.datasets.registerVersions([draft('a-train', 'cccc1111')], context);
        // The second draft repeats a hash of a-train: the unique constraint fails the whole batch.
        await expect(backend.datasets.registerVersions([draft('a-test', 'dddd1111'), draft('a-train', 'cccc1111')], context)).rejects.toThrow();
        expect((await backend.datasets.listDatasets()).map((item) => item.name)).toEqual(['a-train']);
        const both = await backend.datasets.registerVersions([draft('a-test', 'dddd1111'), draft('a-train', 'cccc2222')], context);
        expect(both.map((version) => version.ref)).toEqual(['a-test@1', 'a-train@2']);
      }));

    it('keeps validations and returns the newest of each version', () =>
      withBackend(async (backend) => {
        const context = { actor: 'sam', now: clock('2026-03-01T10:00:00Z') };
        await backend.datasets.registerVersions([draft('a', 'aaaa1111')], context);
        await backend.datasets.registerVersions([draft('b', 'bbbb1111')], context);
        const outcome = { description: 'x is never null', kind: 'not-null', severity: 'error' as const, passed: false, observed: 3, examples: [] };
        await backend.datasets.recordValidation({ ref: 'a@1', passed: false, targetPresent: true, outcomes: [outcome] }, context);
        await backend.datasets.recordValidation({ ref: 'b@1', passed: true, targetPresent: false, outcomes: [] }, context);
        await backend.datasets.recordValidation({ ref: 'a@1', passed: true, targetPresent: true, specHash: 'abc', outcomes: [{ ...outcome, passed: true, observed: 0 }] }, context);
        expect(await backend.datasets.latestValidation('a@1')).toMatchObject({ ref: 'a@1', passed: true, specHash: 'abc', outcomes: [{ observed: 0 }] });
        expect((await backend.datasets.latestValidations()).map((validation) => [validation.ref, validation.passed])).toEqual([
          ['a@1', true],
          ['b@1', true],
        ]);
        expect((await backend.audit.list({ actionPrefix: 'dataset.validated' })).map((entry) => entry.details)).toEqual([
          { passed: true, checks: 1, failed: [] },
          { passed: true, checks: 0, failed: [] },
          { passed: false, checks: 1, failed: ['x is never null'] },
        ]);
      }));
  });
}
