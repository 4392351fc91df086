/**
 * The behaviour every metadata backend must show, as one suite: run it against each backend (SQLite now,
 * PostgreSQL when it lands) so that they cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import type { AuditLog, ChangeContext, NewAuditEntry } from '../../src/store/audit-log.js';
import type { SpecHistory } from '../../src/store/spec-history.js';

export interface MetadataBackend {
  audit: AuditLog;
  specHistory: SpecHistory;
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
}
